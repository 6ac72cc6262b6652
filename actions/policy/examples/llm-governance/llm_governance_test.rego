package hub.llm_governance_test

import data.hub.llm_governance

cfg := {"llm_governance": {
	"governed": [".github/hub.yml", ".github/workflows/", "policy/"],
	"owners": ["alice", "bob", "carol"],
	"agents": ["copilot-swe-agent[bot]"],
}}

pr(author, labels) := {"number": 42, "user": {"login": author, "type": "User"}, "labels": [{"name": l} | some l in labels]}

review(login, typ, state, at) := {"user": {"login": login, "type": typ}, "state": state, "submitted_at": at}

commit(msg) := {"sha": "5b7c0e9d8a1f2c3b4d5e6f708192a3b4c5d6e7f8", "commit": {"message": msg}}

change(files, author, labels, reviews, commits) := {
	"pull_request": pr(author, labels),
	"files": [{"filename": f} | some f in files],
	"reviews": reviews,
	"commits": commits,
}

test_ungoverned_change_needs_nothing if {
	count(llm_governance.deny) == 0 with input as change(["main.go"], "dave", [], [], [commit("fix")])
		with data.hub_config as cfg
}

test_governed_change_with_an_owner_approval_passes if {
	count(llm_governance.deny) == 0 with input as change(["policy/a.rego"], "dave", [], [review("alice", "User", "APPROVED", "2026-11-02T10:00:00Z")], [commit("tighten")])
		with data.hub_config as cfg
}

test_governed_change_without_owner_approval_is_denied if {
	some m in llm_governance.deny with input as change([".github/hub.yml"], "dave", [], [review("erin", "User", "APPROVED", "2026-11-02T10:00:00Z")], [commit("waive")])
		with data.hub_config as cfg
	m.msg == "pull request #42 changes .github/hub.yml and has 0 approval(s) from a code owner who is a person other than the author (), 1 needed"
	m._loc.path == ["pull_request", "number"]
}

test_author_and_bots_do_not_count if {
	count(llm_governance.deny) == 1 with input as change([".github/workflows/ci.yml"], "alice", [], [
		review("alice", "User", "APPROVED", "2026-11-02T10:00:00Z"),
		review("bob", "Bot", "APPROVED", "2026-11-02T10:00:00Z"),
	], [commit("ci")])
		with data.hub_config as cfg
}

test_a_later_change_request_withdraws_an_approval if {
	count(llm_governance.deny) == 1 with input as change(["policy/a.rego"], "dave", [], [
		review("alice", "User", "APPROVED", "2026-11-02T10:00:00Z"),
		review("alice", "User", "COMMENTED", "2026-11-02T12:00:00Z"),
		review("alice", "User", "CHANGES_REQUESTED", "2026-11-02T11:00:00Z"),
	], [commit("x")])
		with data.hub_config as cfg
}

test_assisted_change_needs_two_owners if {
	some m in llm_governance.deny with input as change(["policy/a.rego"], "dave", ["llm-assisted"], [review("alice", "User", "APPROVED", "2026-11-02T10:00:00Z")], [commit("x")])
		with data.hub_config as cfg
	contains(m.msg, "assisted by a language model (label llm-assisted)")
	contains(m.msg, "2 needed")
}

test_a_trailer_marks_a_change_assisted if {
	some m in llm_governance.deny with input as change(["policy/a.rego"], "dave", [], [review("alice", "User", "APPROVED", "2026-11-02T10:00:00Z")], [commit("Tighten the policy\n\nAssisted-by: a model")])
		with data.hub_config as cfg
	contains(m.msg, "commit 5b7c0e9d8a1f trailer assisted-by:")
}

test_an_agent_author_marks_a_change_assisted_and_two_owners_pass if {
	llm_governance.assisted == {"author copilot-swe-agent[bot]"} with input as change(["policy/a.rego"], "copilot-swe-agent[bot]", [], [], [])
		with data.hub_config as cfg
	count(llm_governance.deny) == 0 with input as change(["policy/a.rego"], "copilot-swe-agent[bot]", [], [
		review("alice", "User", "APPROVED", "2026-11-02T10:00:00Z"),
		review("bob", "User", "APPROVED", "2026-11-02T10:05:00Z"),
	], [])
		with data.hub_config as cfg
}

test_a_rename_out_of_a_governed_path_is_governed if {
	llm_governance.governed == {"policy/a.rego"} with input as {"pull_request": pr("dave", []), "files": [{"filename": "old/a.rego", "previous_filename": "policy/a.rego"}], "reviews": [], "commits": []}
		with data.hub_config as cfg
}

test_no_files_is_denied if {
	count(llm_governance.deny) == 1 with input as change([], "dave", [], [], [])
		with data.hub_config as cfg
}

test_no_configuration_is_denied if {
	count(llm_governance.deny) == 3 with input as change([], "dave", [], [], [])
		with data.hub_config as {}
}
