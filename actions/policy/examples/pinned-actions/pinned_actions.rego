# SHA-pinned actions only. Every "uses:" of a workflow (steps and reusable
# workflow calls) and of a composite action must name a full commit SHA;
# docker:// images must name a digest. A tag or branch can be moved to
# other code after review; a commit SHA cannot. Local actions (./path)
# are part of the repository and need no pin.
package hub.pinned_actions

sha_pinned(uses) if regex.match(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`, uses)

sha_pinned(uses) if regex.match(`^docker://[^@]+@sha256:[0-9a-f]{64}$`, uses)

sha_pinned(uses) if startswith(uses, "./")

problem(uses) := "a docker:// image must be pinned by @sha256 digest" if startswith(uses, "docker://")

problem(uses) := "pin it to a full 40-character commit SHA (keep the tag in a comment)" if not startswith(uses, "docker://")

deny contains {"msg": msg, "_loc": {"path": ["jobs", job, "steps", i, "uses"]}} if {
	some job, j in input.jobs
	some i, step in j.steps
	not sha_pinned(step.uses)
	msg := sprintf("job %s step %d uses %s: %s", [job, i + 1, step.uses, problem(step.uses)])
}

deny contains {"msg": msg, "_loc": {"path": ["jobs", job, "uses"]}} if {
	some job, j in input.jobs
	is_string(j.uses)
	not sha_pinned(j.uses)
	msg := sprintf("job %s calls %s: %s", [job, j.uses, problem(j.uses)])
}

deny contains {"msg": msg, "_loc": {"path": ["runs", "steps", i, "uses"]}} if {
	some i, step in input.runs.steps
	not sha_pinned(step.uses)
	msg := sprintf("step %d uses %s: %s", [i + 1, step.uses, problem(step.uses)])
}
