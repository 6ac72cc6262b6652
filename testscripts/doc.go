// Package testscripts runs every hub gate end to end against fixture
// repositories written as txtar scripts (testscripts/<gate>_<case>.txtar),
// with the environment GitHub gives a container action.
//
// Each script runs in its own work directory, which is the workspace
// (GITHUB_WORKSPACE). The runner's files live under $WORK/.runner:
// file_commands/output, file_commands/summary, file_commands/env, temp
// (RUNNER_TEMP) and home (HOME). A script that ships event.json gets
// GITHUB_EVENT_PATH pointing at it. Every gate run appends its telemetry
// event to $RUNNER_TEMP/telemetry.ndjson, and the harness validates each
// event against the telemetry JSON Schema when the script ends.
//
// Commands added to testscript's own:
//
//	output NAME VALUE          the step output NAME equals VALUE
//	output -match NAME REGEXP  the step output NAME matches REGEXP
//	summary REGEXP             the step summary matches REGEXP (multi-line)
//	summary -head TEXT         the step summary's first line starts with TEXT
//	sarif FILE RULE|total N    FILE is valid SARIF 2.1.0 (schema-checked) with
//	                           N results (of RULE)
//	evidence DIR FIELD VALUE   the one evidence record in DIR has FIELD = VALUE
//	                           (FIELD: gate, verdict, exitCode, mode, findings,
//	                           read, inputs.NAME)
//	exits CODE PROGRAM ARGS... run PROGRAM and check its exact exit code
//	waitfile PATH              wait up to 10s for PATH to exist
//	sigterm                    send SIGTERM to every background program
//	expand FILE...             replace ${NAME} (upper-case names) in each file
//	                           with the script's $NAME; an unset NAME fails
//	sentinel-*                 cache-sentinel's signing keys, private Sigstore,
//	                           text replacement and tree listing (see
//	                           cache_sentinel_cmds_test.go)
//	oci-registry, oci-push     an in-process OCI registry and images pushed
//	                           to it (see signature_cmds_test.go)
//	provenance-*               verify-provenance's real provenance and its
//	                           tampering (see provenance_cmds_test.go)
//	rekor-*                    a fake Rekor over a real Merkle tree: entries,
//	                           a forked log, outages (rekor_monitor_cmds_test.go)
//	sbom-*                     sbom-gate's VEX signed at test time by a private
//	                           Sigstore (keyless, in-toto attestations) and a
//	                           KEV/EPSS feed server (sbom_gate_cmds_test.go)
//
// Setup also sets dates relative to the real clock, in UTC as YYYY-MM-DD,
// for fixtures whose waivers must be live, expired or too long on whatever
// day the suite runs: TODAY, DATE_MINUS_1, DATE_PLUS_30, DATE_PLUS_60 and
// DATE_PLUS_200. Write them into a fixture as ${DATE_PLUS_30} and run
// "expand FILE" first; in command arguments testscript expands them itself.
// Gates read the real clock too, so expectations keep clear of boundaries:
// a run that crosses midnight UTC sees each date one day nearer.
//
// The checks (output, summary, sarif, evidence) honour "!" negation; every
// command prints its usage on wrong arguments. Run
// "go test ./testscripts -update" to rewrite expected output sections that
// a cmp against a file compares.
package testscripts
