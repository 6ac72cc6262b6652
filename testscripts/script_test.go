package testscripts

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/actions"
	"github.com/hubgates/hub/shared/gate"
)

var update = flag.Bool("update", false, "rewrite cmp targets in the scripts instead of failing")

// eventsValidated counts telemetry events checked against the schema, so
// TestScripts can prove the check ran at all.
var eventsValidated atomic.Int64

// commands are the gates as programs: every gate of the catalogue, plus
// runtime-probe, a gate that exists only here to drive the runtime's panic,
// signal and bad-input paths end to end. Under GITHUB_ACTIONS=true (the
// scripts' default) each gets what the runner gives a step: INPUT_<NAME>
// set to its default for every input the script leaves unset.
func commands() map[string]func() {
	cmds := map[string]func(){}
	for _, g := range append(actions.All(), probeGate()) {
		name := g.Spec.Name
		// "evidence" is also the scripts' command that checks a gate's
		// evidence record, so the evidence gate runs as "evidence-gate".
		if name == "evidence" {
			name = "evidence-gate"
		}
		cmds[name] = func() {
			if os.Getenv("GITHUB_ACTIONS") == "true" {
				setRunnerDefaults(&g.Spec)
			}
			os.Exit(gate.Main(g))
		}
	}
	return cmds
}

// setRunnerDefaults sets INPUT_<NAME> to the declared default for every
// input not already in the environment, as the runner does.
func setRunnerDefaults(spec *gate.Spec) {
	for k, v := range gate.RunnerInputs(spec) {
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
}

func TestMain(m *testing.M) {
	testscript.Main(m, commands())
}

func TestScripts(t *testing.T) {
	before := eventsValidated.Load()
	t.Run("scripts", func(t *testing.T) {
		testscript.Run(t, testscript.Params{
			Dir:                 ".",
			RequireExplicitExec: true,
			RequireUniqueNames:  true,
			UpdateScripts:       *update,
			Setup:               setup,
			Condition:           condition,
			Cmds: map[string]func(*testscript.TestScript, bool, []string){
				"output":     cmdOutput,
				"output-env": cmdOutputEnv,
				"summary":    cmdSummary,
				"sarif":      cmdSARIF,
				"evidence":   cmdEvidence,
				"exits":      cmdExits,
				"waitfile":   cmdWaitFile,
				"sigterm":    cmdSIGTERM,
				"expand":     cmdExpand,

				// hostile names and values, and the check that none of them
				// became a workflow command.
				"quoted-file":       cmdQuotedFile,
				"quoted-env":        cmdQuotedEnv,
				"own-commands-only": cmdOwnCommandsOnly,

				// cache-sentinel's signing material and tree listing.
				"sentinel-keygen":   cmdSentinelKeygen,
				"sentinel-sign":     cmdSentinelSign,
				"sentinel-sigstore": cmdSentinelSigstore,
				"sentinel-workflow": cmdSentinelWorkflow,
				"sentinel-replace":  cmdSentinelReplace,
				"sentinel-tree":     cmdSentinelTree,

				// verify-provenance's real test material.
				"provenance-testdata": cmdProvenanceTestdata,
				"provenance-tamper":   cmdProvenanceTamper,

				// rekor-monitor's fake Rekor.
				"rekor-log":  cmdRekorLog,
				"rekor-add":  cmdRekorAdd,
				"rekor-fork": cmdRekorFork,
				"rekor-fail": cmdRekorFail,

				// sign and verify-signature's OCI registry.
				"oci-registry": cmdOCIRegistry,
				"github-api":   cmdGitHubAPI,
				"oci-push":     cmdOCIPush,

				// sign's Vault transit engine (KMS keys).
				"vault":  cmdVault,
				"awskms": cmdAWSKMS,

				// sbom-gate's signed VEX and KEV/EPSS feed server.
				"sbom-sigstore":     cmdSBOMSigstore,
				"sbom-sign-keyless": cmdSBOMSignKeyless,
				"sbom-attest":       cmdSBOMAttest,
				"sbom-feed-server":  cmdSBOMFeedServer,
				// policy's shipped example policies.
				"policy-example": cmdPolicyExample,

				// kyverno-proof's engine and example policies.
				"kyverno-engine":  cmdKyvernoEngine,
				"kyverno-example": cmdKyvernoExample,

				// org-guard's fake organization settings API.
				"org-api": cmdOrgAPI,
				// evidence, promote and dr-drill's records and bundles.
				"evidence-record":    cmdEvidenceRecord,
				"evidence-verify":    cmdEvidenceVerify,
				"promote-attest":     cmdPromoteAttest,
				"drill-forge":        cmdDrillForge,
				"oci-drop-referrer":  cmdOCIDropReferrer,
				"oci-registry-lossy": cmdOCIRegistryLossy,
				// reproducible's builds that differ in one way each.
				"repro-build": cmdReproBuild,
				"repro-push":  cmdReproPush,
				"repro-gobin": cmdReproGobin,
				"tamper-blob": cmdTamperBlob,
				"rm-blob":     cmdRmBlob,
				// telemetry's streams and their tampering.
				"telemetry-events":      cmdTelemetryEvents,
				"telemetry-tamper":      cmdTelemetryTamper,
				"telemetry-forge-count": cmdTelemetryForgeCount,
				// secret-sweep's minted tokens, planted files and processes.
				"sweep-mint":   cmdSweepMint,
				"sweep-write":  cmdSweepWrite,
				"sweep-basic":  cmdSweepBasic,
				"sweep-proc":   cmdSweepProc,
				"sweep-absent": cmdSweepAbsent,
			},
		})
	})
	removeKyvernoEngine()
	if !t.Failed() && eventsValidated.Load() == before {
		t.Error("no telemetry event was validated: the scripts ran no gate, or the telemetry check is broken")
	}
}

// setup builds what the runner gives a container action.
func setup(env *testscript.Env) error {
	runner := filepath.Join(env.WorkDir, ".runner")
	for _, d := range []string{"file_commands", "temp", "home"} {
		if err := os.MkdirAll(filepath.Join(runner, d), 0o755); err != nil {
			return err
		}
	}
	fc := filepath.Join(runner, "file_commands")
	vars := map[string]string{
		"GITHUB_ACTIONS":       "true",
		"GITHUB_WORKSPACE":     env.WorkDir,
		"GITHUB_OUTPUT":        filepath.Join(fc, "output"),
		"GITHUB_STEP_SUMMARY":  filepath.Join(fc, "summary"),
		"GITHUB_ENV":           filepath.Join(fc, "env"),
		"RUNNER_TEMP":          filepath.Join(runner, "temp"),
		"HOME":                 filepath.Join(runner, "home"),
		"GITHUB_REPOSITORY":    "hubgates/fixture",
		"GITHUB_SHA":           "3f786850e387550fdab836ed7e6dc881de23001b",
		"GITHUB_REF":           "refs/heads/main",
		"GITHUB_RUN_ID":        "1234",
		"GITHUB_EVENT_NAME":    "push",
		"GITHUB_SERVER_URL":    "https://github.com",
		"INPUT_TELEMETRY-FILE": filepath.Join(runner, "temp", "telemetry.ndjson"),
	}
	for k, v := range vars {
		env.Setenv(k, v)
	}
	for k, v := range dateVars(time.Now()) {
		env.Setenv(k, v)
	}
	if _, err := os.Stat(filepath.Join(env.WorkDir, "event.json")); err == nil {
		env.Setenv("GITHUB_EVENT_PATH", filepath.Join(env.WorkDir, "event.json"))
	}
	env.Defer(func() {
		n, err := validateTelemetry(filepath.Join(runner, "temp", "telemetry.ndjson"))
		if err != nil {
			env.T().Fatal(err)
		}
		eventsValidated.Add(int64(n))
	})
	return nil
}

// dateVars are dates relative to now (UTC, YYYY-MM-DD), for fixtures whose
// waivers must be live, expired or too long whatever day the suite runs:
// the gates read the real clock, so the fixtures cannot carry fixed dates.
// Keep expectations clear of the boundaries: a run that crosses midnight
// UTC sees every date one day nearer.
func dateVars(now time.Time) map[string]string {
	today := now.UTC()
	return map[string]string{
		"TODAY":         today.Format(time.DateOnly),
		"DATE_MINUS_1":  today.AddDate(0, 0, -1).Format(time.DateOnly),
		"DATE_PLUS_30":  today.AddDate(0, 0, 30).Format(time.DateOnly),
		"DATE_PLUS_60":  today.AddDate(0, 0, 60).Format(time.DateOnly),
		"DATE_PLUS_200": today.AddDate(0, 0, 200).Format(time.DateOnly),
	}
}

// condition answers the harness's own conditions and refuses unknown names,
// so a typo cannot silently skip a script.
func condition(cond string) (bool, error) {
	switch cond {
	case "docker":
		return exec.Command("docker", "info").Run() == nil, nil
	}
	return false, fmt.Errorf("unknown condition %q (known: docker)", cond)
}
