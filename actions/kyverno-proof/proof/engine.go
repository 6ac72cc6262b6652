package proof

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hubgates/hub/shared/gate"
)

// The JSON the gate and kyverno-engine exchange; the engine's side is in
// actions/kyverno-proof/engine/protocol.go, and a test runs the two
// together.
type engineRequest struct {
	Policies     []enginePolicy `json:"policies"`
	Image        string         `json:"image"`
	ForeignImage string         `json:"foreignImage"`
	Namespace    string         `json:"namespace"`
	Probes       []string       `json:"probes,omitempty"`
}

type enginePolicy struct {
	File     string         `json:"file"`
	Document int            `json:"document"`
	Object   map[string]any `json:"object"`
}

type engineResponse struct {
	Error          *engineError  `json:"error"`
	Substitutions  []string      `json:"substitutions"`
	Probes         []probeResult `json:"probes"`
	KyvernoVersion string        `json:"kyvernoVersion"`
}

type engineError struct {
	Kind    string `json:"kind"`
	File    string `json:"file"`
	Message string `json:"message"`
}

type probeResult struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	MustBe      string       `json:"mustBe"`
	Verdict     string       `json:"verdict"`
	Image       string       `json:"image"`
	By          []ruleResult `json:"by,omitempty"`
	Rules       []ruleResult `json:"rules,omitempty"`
}

type ruleResult struct {
	Policy  string `json:"policy"`
	Rule    string `json:"rule"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// maxEngineOutput bounds what is read from the engine.
const maxEngineOutput = 32 << 20

// engineNotFound is an engine program that cannot be started.
type engineNotFound struct{ err error }

func (e *engineNotFound) Error() string { return e.err.Error() }

// callEngine runs kyverno-engine with the request on its standard input
// and reads its answer. An answer that says a policy cannot be read is bad
// configuration; any other failure leaves the gate undecided.
func callEngine(ctx context.Context, program string, req engineRequest) (*engineResponse, error) {
	path, err := exec.LookPath(program)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, exec.ErrNotFound) {
			return nil, &engineNotFound{err: errors.New("no such program (build it: cd actions/kyverno-proof/engine && go build -o kyverno-proof-engine .)")}
		}
		return nil, &engineNotFound{err: err}
	}
	in, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr limited
	stdout.max, stderr.max = maxEngineOutput, 64<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The engine inherits no variable: it reaches no network and needs no
	// credential, and a runner's secrets stay with the gate.
	cmd.Env = []string{}
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("kyverno-engine: %w", ctx.Err())
	}
	var resp engineResponse
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		return nil, fmt.Errorf("kyverno-engine gave no answer (%v): %v; its last words: %q", runErr, err, tail(stderr.String()))
	}
	if resp.Error != nil {
		if resp.Error.Kind == "policy" {
			return nil, gate.BadConfig(fmt.Errorf("input %q: Kyverno cannot read policy %s", inputPolicies, resp.Error.Message))
		}
		return nil, fmt.Errorf("kyverno-engine: %s", resp.Error.Message)
	}
	if runErr != nil {
		return nil, fmt.Errorf("kyverno-engine: %w; its last words: %q", runErr, tail(stderr.String()))
	}
	if len(resp.Probes) == 0 {
		return nil, errors.New("kyverno-engine answered no probe")
	}
	return &resp, nil
}

// limited is a buffer that keeps at most max bytes and drops the rest.
type limited struct {
	bytes.Buffer
	max int
}

func (l *limited) Write(p []byte) (int, error) {
	if room := l.max - l.Len(); room > 0 {
		l.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

var _ io.Writer = (*limited)(nil)

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = "…" + s[len(s)-300:]
	}
	return s
}

// checkRepository accepts an image repository without tag or digest.
func checkRepository(v any) error {
	s := v.(string)
	if _, err := name.NewRepository(s, name.StrictValidation); err != nil || strings.ContainsAny(s, "@") {
		return fmt.Errorf("want an image repository such as ghcr.io/acme/app, without tag or digest")
	}
	return nil
}
