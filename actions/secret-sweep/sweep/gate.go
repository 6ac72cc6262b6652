package sweep

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/waiver"
)

const gateName = "secret-sweep"

// The gate's inputs and outputs.
const (
	inputScope       = "scope"
	inputSecrets     = "secrets"
	inputPaths       = "paths"
	inputProcesses   = "processes"
	inputProcDir     = "proc-dir"
	inputHostRoot    = "host-root"
	inputHostPaths   = "host-paths"
	inputMaxFileSize = "max-file-size"
	inputTimeout     = "timeout"

	outputSecretsFound   = "secrets-found"
	outputFilesSwept     = "files-swept"
	outputProcessesSwept = "processes-swept"
	outputUnreadable     = "unreadable"
)

// The scopes.
const (
	ScopeContainer = "container"
	ScopeHost      = "host"
)

// The rules the gate's findings carry.
const (
	// RuleToken is a known token format (gitleaks' rule set and the gate's
	// additions), its checksum verified where the format has one.
	RuleToken = "leaked-token"
	// RuleGiven is the value of a secret the caller handed in.
	RuleGiven = "leaked-secret-value"
	// RuleCredential is a credential stored where tools keep them for
	// later use: a git extraheader, a URL with a password.
	RuleCredential = "persisted-credential"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/secret-sweep/README.md"

// Rules are the gate's rules, for SARIF, followed by the waiver rules.
var Rules = append([]finding.Rule{
	{ID: RuleToken, Severity: finding.High, Summary: "A token of a known format (GitHub, AWS, GCP, Azure, Slack, npm, PyPI, Docker Hub, private keys, JWTs and the rest of gitleaks' rule set) is readable by later steps.",
		Help: "Remove the token from the place named (unset the variable, delete the file, or write it where no later step reads it), and rotate it if an untrusted step ran after it landed there. GitHub and npm tokens are reported only when their checksum holds.", HelpURI: helpBase + "#rules"},
	{ID: RuleGiven, Severity: finding.Critical, Summary: "The value of a secret handed to the gate (secrets input) is readable by later steps.",
		Help: "The runner masks only the secrets it knows in the log; this value sits where any later step can read and send it. Remove it from there and rotate it.", HelpURI: helpBase + "#rules"},
	{ID: RuleCredential, Severity: finding.High, Summary: "A credential is stored for later use: a git http extraheader with an Authorization header (actions/checkout with persist-credentials), or a URL with a password.",
		Help: "Use actions/checkout with persist-credentials: false, or remove the header (git config --unset-all http.<url>.extraheader) once the step that needed it is done.", HelpURI: helpBase + "#rules"},
}, waiver.Rules(helpBase+"#")...)

// Gate is the secret-sweep gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "sweep the running job for leaked secrets",
		Description: "Sweeps the live job, not the git history, for secrets that later steps could read: the environment and command line of every process it can see, " +
			"the workspace and the folders about to be uploaded, the home folder and the files where credentials are known to land (git extraheaders left by actions/checkout, ~/.git-credentials, ~/.docker/config.json, .npmrc, .pypirc, kubeconfigs, cloud CLI credentials). " +
			"It finds the values of the secrets it is handed (by SHA-256, never printed) and known token formats with gitleaks' rule set, checking GitHub and npm token checksums so that random strings are not reported. " +
			"As a container action it sees its own container; run as docker run --pid=host --cap-add SYS_PTRACE -v /:/host:ro with scope: host it sweeps the whole runner. " +
			"Findings name the place, the format and a fingerprint, never the value.",
		Inputs: append([]gate.Input{
			{Name: inputScope, Kind: gate.Enum, Values: []string{ScopeContainer, ScopeHost}, Default: ScopeContainer,
				Description: "container sweeps the paths in the workspace, the credential files of the home folder and the processes the gate can see. host sweeps the runner itself, mounted at host-root: every home folder's credential files and the host-paths folders (run the image with --pid=host --cap-add SYS_PTRACE -v /:/host:ro, see the README)."},
			{Name: inputSecrets, Kind: gate.Secret,
				Description: "The values of the job's secrets, one a line (for example ${{ secrets.NPM_TOKEN }}), each at least 8 characters. They are compared by SHA-256 and never printed; the runner masks them."},
			{Name: inputPaths, Kind: gate.List, Default: ".",
				Description: "Workspace folders or files to sweep in the container scope: the workspace, and the folders about to be uploaded as artifacts. .git folders are skipped but for their config file."},
			{Name: inputProcesses, Kind: gate.Bool, Default: "true",
				Description: "Sweep the environment and command line of every process in proc-dir but the gate's own."},
			{Name: inputProcDir, Kind: gate.String, Default: "/proc",
				Description: "The proc file system whose processes are swept. With --pid=host it lists every process of the runner."},
			{Name: inputHostRoot, Kind: gate.String, Default: "/host",
				Description: "Where the runner's file system is mounted, in the host scope."},
			{Name: inputHostPaths, Kind: gate.List, Default: "home/runner/work",
				Description: "Folders of the runner, relative to host-root, swept whole in the host scope (the default holds every workspace, RUNNER_TEMP and the downloaded actions). Every home folder's credential files and the runner's log folders (runners/<version>/_diag, actions-runner/_diag, with the step logs) are swept besides."},
			{Name: inputMaxFileSize, Kind: gate.Int, Default: "10", Check: atLeastOne,
				Description: "Files larger than this many MiB are skipped and counted in the summary."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "5m",
				Description: "The time the sweep may take; past it the gate cannot decide (exit 3)."},
		}, waiver.Inputs()...),
		Outputs: []gate.Output{
			{Name: outputSecretsFound, Description: "Number of secrets found, not counting waived ones."},
			{Name: outputFilesSwept, Description: "Number of files swept."},
			{Name: outputProcessesSwept, Description: "Number of processes whose environment was read."},
			{Name: outputUnreadable, Description: "Number of processes and files that could not be read."},
		},
		Rules: Rules,
	},
	Run: run,
}

func atLeastOne(v any) error {
	if n, ok := v.(int); ok && n < 1 {
		return errors.New("want 1 or more")
	}
	return nil
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	setup, err := waiver.FromInputs(in, gateName, nil)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, in.Duration(inputTimeout))
	defer cancel()
	det, err := NewDetector(ctx, in.String(inputSecrets))
	if err != nil {
		var ke *knownError
		if errors.As(err, &ke) {
			return nil, &gate.InputError{Input: inputSecrets, Value: in.Raw(inputSecrets), Problem: ke.Error(), Secret: true, Err: err}
		}
		return nil, err
	}
	scope := in.String(inputScope)
	rep := &Report{Scope: scope, Rules: det.rules, KnownSecrets: det.known.count()}
	trees, closeTrees, err := treesFor(in, scope)
	if err != nil {
		return nil, err
	}
	defer closeTrees()
	if err := sweepFiles(ctx, det, rep, trees, int64(in.Int(inputMaxFileSize))<<20); err != nil {
		return nil, undecided(ctx, err)
	}
	if in.Bool(inputProcesses) {
		procDir := in.String(inputProcDir)
		if err := sweepProcesses(ctx, det, rep, procDir); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, gate.BadInputf(inputProcDir, procDir, "is not a readable proc file system: %v", err)
			}
			return nil, undecided(ctx, err)
		}
	}
	rep.ChecksumRejected = det.Rejected()
	return rep.result(setup), nil
}

// undecided names the timeout when the sweep ran out of time.
func undecided(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("sweep did not finish within the %s input: %w", inputTimeout, err)
	}
	return fmt.Errorf("sweeping: %w", err)
}

// treesFor lists what the scope sweeps. The returned function closes the
// roots it opened beyond the workspace.
func treesFor(in *gate.Inputs, scope string) ([]tree, func(), error) {
	var opened []*fsroot.Root
	closeAll := func() {
		for _, r := range opened {
			r.Close()
		}
	}
	var trees []tree
	if scope == ScopeHost {
		dir := in.String(inputHostRoot)
		host, err := fsroot.Open(dir)
		if err != nil {
			return nil, closeAll, gate.BadInputf(inputHostRoot, dir, "cannot be opened (mount the runner with -v /:%s:ro): %v", dir, err)
		}
		opened = append(opened, host)
		// SARIF takes relative paths only: a host file is named by its
		// path under the host's root, behind "host/".
		abs := func(rel string) string { return "host/" + rel }
		for _, home := range homes(host) {
			trees = append(trees, tree{root: host, dir: home, name: abs, only: credentialFiles})
			for _, d := range runnerLogs(host, home) {
				trees = append(trees, tree{root: host, dir: d, name: abs})
			}
		}
		for _, p := range in.List(inputHostPaths) {
			rel, err := host.Name(p)
			if err != nil {
				return nil, closeAll, gate.BadInputf(inputHostPaths, p, "leads outside host-root")
			}
			if _, err := host.Stat(rel); err != nil {
				if errors.Is(err, fs.ErrNotExist) && !in.Given(inputHostPaths) {
					continue // not a GitHub-hosted layout: nothing there
				}
				return nil, closeAll, gate.BadInputf(inputHostPaths, p, "cannot be read under %s: %v", dir, err)
			}
			trees = append(trees, tree{root: host, dir: rel, name: abs, skipGit: true})
		}
		return trees, closeAll, nil
	}

	ws := in.Workspace()
	for _, p := range in.List(inputPaths) {
		rel, err := ws.Name(filepath.Join(in.Env.Workspace, filepath.FromSlash(p)))
		if err != nil {
			return nil, closeAll, gate.BadInputf(inputPaths, p, "leads outside the workspace")
		}
		fi, err := ws.Lstat(rel)
		if err != nil {
			return nil, closeAll, gate.FileInputError(inputPaths, p, err)
		}
		t := tree{root: ws, dir: rel, name: func(r string) string { return r }, skipGit: true}
		if fi.Mode().IsRegular() {
			t.dir, t.only = path.Dir(rel), []string{path.Base(rel)}
		}
		trees = append(trees, t)
	}
	// The home folder (HOME, /github/home in a container action) is
	// readable by every later step; the runner mounts it outside the
	// workspace. Its credential files are swept, not the whole folder:
	// run locally, HOME holds caches of gigabytes.
	if home := in.Env.Getenv("HOME"); home != "" {
		if _, err := ws.Name(home); err != nil {
			if r, err := fsroot.Open(home); err == nil {
				opened = append(opened, r)
				trees = append(trees, tree{root: r, dir: ".", name: func(rel string) string { return "~/" + rel }, only: credentialFiles})
			}
		}
	}
	return trees, closeAll, nil
}

// homes lists the home folders of the host: root's and every one under
// /home.
func homes(host *fsroot.Root) []string {
	out := []string{"root"}
	entries, err := host.ReadDir("home")
	if err != nil {
		return out
	}
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, "home/"+e.Name())
		}
	}
	return out
}

// itoa is strconv.Itoa, for outputs.
func itoa(n int) string { return strconv.Itoa(n) }

// runnerLogs lists the runner's log folders (_diag, with the job's step
// logs under pages/) in a home folder: runners/<version>/_diag on
// GitHub's hosted runners, actions-runner/_diag where a self-hosted
// runner was installed by the documented steps.
func runnerLogs(host *fsroot.Root, home string) []string {
	var out []string
	isDir := func(p string) bool {
		fi, err := host.Lstat(p)
		return err == nil && fi.IsDir()
	}
	if entries, err := host.ReadDir(home + "/runners"); err == nil {
		for _, e := range entries {
			if d := home + "/runners/" + e.Name() + "/_diag"; e.IsDir() && isDir(d) {
				out = append(out, d)
			}
		}
	}
	if d := home + "/actions-runner/_diag"; isDir(d) {
		out = append(out, d)
	}
	return out
}
