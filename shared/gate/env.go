package gate

import (
	"os"
	"path/filepath"
	"time"
)

// Env is what the runner tells a gate about where and why it runs. Gates
// read it from [Inputs.Env] instead of the process environment.
type Env struct {
	// Workspace is the absolute, symlink-free path of GITHUB_WORKSPACE, or
	// of the current directory outside GitHub Actions.
	Workspace string
	// RunnerTemp is RUNNER_TEMP when it names a folder this process can
	// see, symlinks resolved; empty otherwise. Inside a container action it
	// is empty: the runner sets RUNNER_TEMP to a path of the host that it
	// does not mount into the container.
	RunnerTemp string
	// RunnerTempUnseen is true when RUNNER_TEMP is set but names no folder
	// this process can see (a container action), so messages can say why
	// a path under it is refused.
	RunnerTempUnseen bool
	// InActions is true when GITHUB_ACTIONS is "true": annotations are
	// emitted as workflow commands only then.
	InActions bool

	Repository string // GITHUB_REPOSITORY, owner/name
	SHA        string // GITHUB_SHA
	Ref        string // GITHUB_REF
	RunID      string // GITHUB_RUN_ID
	EventName  string // GITHUB_EVENT_NAME
	EventPath  string // GITHUB_EVENT_PATH
	ServerURL  string // GITHUB_SERVER_URL, https://github.com by default

	// Getenv reads the injected environment, for the few values a gate
	// needs beyond these (for example ACTIONS_ID_TOKEN_REQUEST_URL).
	Getenv func(string) string

	// Now is when the run started, from Process.Now: the one clock a gate
	// reads (waiver expiry, certificate validity), so tests can inject it.
	Now time.Time
}

// newEnv reads the runner environment. cwd is used as the workspace when
// GITHUB_WORKSPACE is unset.
func newEnv(getenv func(string) string, cwd string) (Env, error) {
	ws := getenv("GITHUB_WORKSPACE")
	if ws == "" {
		ws = cwd
	}
	abs, err := filepath.Abs(ws)
	if err != nil {
		return Env{}, &InputError{Input: "GITHUB_WORKSPACE", Value: ws, Problem: "cannot be made absolute", Err: err}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return Env{}, &InputError{Input: "GITHUB_WORKSPACE", Value: ws, Problem: "does not exist", Err: err}
	}
	e := Env{
		Workspace:  real,
		RunnerTemp: getenv("RUNNER_TEMP"),
		InActions:  getenv("GITHUB_ACTIONS") == "true",
		Repository: getenv("GITHUB_REPOSITORY"),
		SHA:        getenv("GITHUB_SHA"),
		Ref:        getenv("GITHUB_REF"),
		RunID:      getenv("GITHUB_RUN_ID"),
		EventName:  getenv("GITHUB_EVENT_NAME"),
		EventPath:  getenv("GITHUB_EVENT_PATH"),
		ServerURL:  getenv("GITHUB_SERVER_URL"),
		Getenv:     getenv,
	}
	if e.ServerURL == "" {
		e.ServerURL = "https://github.com"
	}
	if e.RunnerTemp != "" {
		t, err := filepath.EvalSymlinks(e.RunnerTemp)
		if fi, serr := os.Stat(t); err != nil || serr != nil || !fi.IsDir() {
			e.RunnerTemp, e.RunnerTempUnseen = "", true
		} else {
			e.RunnerTemp = t
		}
	}
	return e, nil
}

// Rel returns abs relative to the workspace with forward slashes, the form
// findings, outputs and SARIF use; a path outside the workspace is returned
// as given.
func (e Env) Rel(abs string) string {
	rel, err := filepath.Rel(e.Workspace, abs)
	if err != nil || rel == ".." || len(rel) > 2 && rel[:3] == ".."+string(filepath.Separator) {
		return abs
	}
	return filepath.ToSlash(rel)
}
