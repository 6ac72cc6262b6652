# LLM governance over one pull request. The input is the pull request as
# the REST API returns it, assembled by the workflow into one JSON file:
#
#   {"pull_request": GET /repos/{owner}/{repo}/pulls/{n},
#    "files":        GET .../pulls/{n}/files,
#    "reviews":      GET .../pulls/{n}/reviews,
#    "commits":      GET .../pulls/{n}/commits}
#
# A change to a governed path (waivers in .github/hub.yml, policies,
# workflows) needs an approval from one of its code owners who is a person
# and not the author; a change assisted by a language model (a label, a
# trailer in a commit message, or an author that is a coding agent) needs
# data.hub_config.llm_governance.assisted_approvals of them. No model
# output decides anything here: the rules read labels, trailers, logins
# and review states, and the owners come from data.
package hub.llm_governance

default settings := {}

settings := data.hub_config.llm_governance

cfg := object.union(
	{"assisted_approvals": 2, "assisted_label": "llm-assisted", "trailers": ["assisted-by:", "generated-by:"], "agents": [], "governed": [], "owners": []},
	settings,
)

# Files the pull request changes, by their paths (a rename changes both).
changed contains f.filename if some f in input.files

changed contains f.previous_filename if {
	some f in input.files
	f.previous_filename
}

governed contains p if {
	some p in changed
	some prefix in cfg.governed
	startswith(p, prefix)
}

# The pull request is model-assisted when it says so, when a commit says
# so in a trailer, or when a coding agent opened it.
assisted contains sprintf("label %s", [cfg.assisted_label]) if {
	some l in input.pull_request.labels
	l.name == cfg.assisted_label
}

assisted contains sprintf("commit %s trailer %s", [substring(c.sha, 0, 12), t]) if {
	some c in input.commits
	some line in split(lower(c.commit.message), "\n")
	some t in cfg.trailers
	startswith(trim_space(line), t)
}

assisted contains sprintf("author %s", [input.pull_request.user.login]) if {
	input.pull_request.user.login in cfg.agents
}

# The approvals that count: each reviewer's latest decisive review is
# APPROVED, and the reviewer is a code owner of the governed paths, a User
# (not a Bot) and not the author.
approvers contains login if {
	some login, r in latest_review
	r.state == "APPROVED"
	r.user.type == "User"
	login != input.pull_request.user.login
	login in cfg.owners
}

# latest_review is each reviewer's last decisive review (APPROVED,
# CHANGES_REQUESTED or DISMISSED), by submission time.
latest_review[login] := r if {
	some r in input.reviews
	r.state != "COMMENTED"
	login := r.user.login
	not later_review(r)
}

later_review(r) if {
	some other in input.reviews
	other.user.login == r.user.login
	other.state != "COMMENTED"
	other.submitted_at > r.submitted_at
}

needed := cfg.assisted_approvals if count(assisted) > 0

else := 1

deny contains "data.hub_config.llm_governance.governed names no path: a governance policy that governs nothing proves nothing" if {
	count(cfg.governed) == 0
}

deny contains "data.hub_config.llm_governance.owners names no one: no approval could ever count" if {
	count(cfg.owners) == 0
}

deny contains "the input lists no changed files (files: GET /repos/{owner}/{repo}/pulls/{n}/files): the change cannot be judged" if {
	count(object.get(input, "files", [])) == 0
}

deny contains {"msg": msg, "_loc": {"path": ["pull_request", "number"]}} if {
	count(governed) > 0
	count(approvers) < needed
	msg := sprintf("pull request #%v changes %s%s and has %d approval(s) from a code owner who is a person other than the author (%s), %d needed",
		[input.pull_request.number, concat(", ", sort(governed)), why(assisted), count(approvers), concat(", ", sort(approvers)), needed])
}

why(a) := "" if count(a) == 0

else := sprintf(", assisted by a language model (%s),", [concat("; ", sort(a))])
