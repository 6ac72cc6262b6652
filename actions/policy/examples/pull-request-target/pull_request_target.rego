# The pull_request_target guard. A workflow triggered by
# pull_request_target runs with the base repository's secrets and a
# write token, so it must never check out or run the pull request's code,
# and only workflows a reviewer has allow-listed may use the trigger at
# all. Evaluate it over .github/workflows with namespaces
# hub.pull_request_target and, for the allowlist, a data file:
#
#   hub_config:
#     pull_request_target:
#       allowed: [".github/workflows/label.yml"]
package hub.pull_request_target

# The workflow's path in the repository, as the gate names it.
workflow := concat("/", [data.conftest.file.dir, data.conftest.file.name])

allowed if workflow in data.hub_config.pull_request_target.allowed

triggers contains input.on if is_string(input.on)

triggers contains t if some t in input.on

triggers contains t if some t, _ in input.on

# Expressions and commands that name the pull request's head: its code.
pr_head_refs := [
	"github.event.pull_request.head.",
	"github.event.pull_request.merge_commit_sha",
	"github.head_ref",
	"refs/pull/",
	"gh pr checkout",
	"pull/${{",
]

names_pr_head(s) if {
	some r in pr_head_refs
	contains(s, r)
}

deny contains {"msg": msg, "_loc": {"path": ["on"]}} if {
	"pull_request_target" in triggers
	not allowed
	msg := sprintf("%s is triggered by pull_request_target but is not in the allowlist (data.hub_config.pull_request_target.allowed)", [workflow])
}

deny contains {"msg": msg, "_loc": {"path": ["jobs", job, "steps", i, "with", "ref"]}} if {
	"pull_request_target" in triggers
	some job, j in input.jobs
	some i, step in j.steps
	startswith(step.uses, "actions/checkout@")
	names_pr_head(step["with"].ref)
	msg := sprintf("job %s step %d checks out the pull request's code (ref: %s) in a pull_request_target workflow", [job, i + 1, step["with"].ref])
}

deny contains {"msg": msg, "_loc": {"path": ["jobs", job, "steps", i, "run"]}} if {
	"pull_request_target" in triggers
	some job, j in input.jobs
	some i, step in j.steps
	names_pr_head(step.run)
	msg := sprintf("job %s step %d fetches or runs the pull request's code in a pull_request_target workflow", [job, i + 1])
}
