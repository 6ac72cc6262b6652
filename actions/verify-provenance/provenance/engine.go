package provenance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/slsa-framework/slsa-verifier/v2/options"
	"github.com/slsa-framework/slsa-verifier/v2/verifiers/utils"
)

// EngineName is the file name of the slsa-verifier engine, installed
// beside the gate's binary (in the image, /slsa-verifier beside /gate).
const EngineName = "slsa-verifier"

// The entry points of slsa-verifier an engine request names.
const (
	entryArtifact    = "artifact"
	entryAttestation = "attestation"
	entryImage       = "image"
)

// Engine runs slsa-verifier v2.7.1 as its own program (the nested module
// actions/verify-provenance/slsaverifier): one request as JSON on its
// standard input, one response as JSON on its standard output. Its
// methods have the signatures of slsa-verifier's entry points.
type Engine struct {
	// Path is the engine's executable.
	Path string
	// Args are passed before any other argument ("--trusted-root FILE"
	// runs it offline, for tests).
	Args []string
	// Env is the engine's environment; nil inherits the gate's (HOME for
	// the TUF cache, DOCKER_CONFIG for registry credentials).
	Env []string
}

// DefaultEngine is the engine beside the running gate's executable.
func DefaultEngine() *Engine {
	exe, err := os.Executable()
	if err != nil {
		return &Engine{Path: EngineName}
	}
	return &Engine{Path: filepath.Join(filepath.Dir(exe), EngineName)}
}

// engineRequest and engineResponse are the engine's protocol (package
// main of the nested module: Request, Response).
type engineRequest struct {
	Entry          string                  `json:"entry"`
	Provenance     []byte                  `json:"provenance,omitempty"`
	ArtifactSHA256 string                  `json:"artifactSha256,omitempty"`
	Image          string                  `json:"image,omitempty"`
	ProvenanceOpts *options.ProvenanceOpts `json:"provenanceOpts"`
	BuilderOpts    *options.BuilderOpts    `json:"builderOpts"`
}

type engineResponse struct {
	Statement []byte `json:"statement,omitempty"`
	BuilderID string `json:"builderId,omitempty"`
	Error     string `json:"error,omitempty"`
	Sentinel  string `json:"sentinel,omitempty"`
	Cosign    string `json:"cosign,omitempty"`
	Network   bool   `json:"network,omitempty"`
}

// EngineError is slsa-verifier's failure as the engine reported it. It
// wraps the slsa-verifier sentinel error it names, so that errors.Is
// classifies it as it would the library's own error; Cosign names a typed
// cosign error ("ErrNoMatchingAttestations") the failure wrapped; Network
// is set when a service could not be reached.
type EngineError struct {
	Message  string
	Sentinel error
	Cosign   string
	Network  bool
}

func (e *EngineError) Error() string { return e.Message }

// Unwrap returns the slsa-verifier sentinel, nil if none.
func (e *EngineError) Unwrap() error { return e.Sentinel }

// VerifyArtifact is slsa-verifier's verifiers.VerifyArtifact.
func (e *Engine) VerifyArtifact(ctx context.Context, provenance []byte, artifactSHA256 string,
	prov *options.ProvenanceOpts, builder *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
	return e.call(ctx, engineRequest{Entry: entryArtifact, Provenance: provenance, ArtifactSHA256: artifactSHA256, ProvenanceOpts: prov, BuilderOpts: builder})
}

// VerifyGithubAttestation is slsa-verifier's
// verifiers.VerifyGithubAttestation; the artifact is named by the options'
// ExpectedDigest.
func (e *Engine) VerifyGithubAttestation(ctx context.Context, attestation []byte, _ string,
	prov *options.ProvenanceOpts, builder *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
	return e.call(ctx, engineRequest{Entry: entryAttestation, Provenance: attestation, ProvenanceOpts: prov, BuilderOpts: builder})
}

// VerifyImage is slsa-verifier's verifiers.VerifyImage.
func (e *Engine) VerifyImage(ctx context.Context, image string, provenance []byte,
	prov *options.ProvenanceOpts, builder *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
	return e.call(ctx, engineRequest{Entry: entryImage, Image: image, Provenance: provenance, ProvenanceOpts: prov, BuilderOpts: builder})
}

// maxEngineOutput bounds what is read of the engine's output.
const maxEngineOutput = 16 << 20

func (e *Engine) call(ctx context.Context, req engineRequest) ([]byte, *utils.TrustedBuilderID, error) {
	in, err := json.Marshal(req)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the request to the slsa-verifier engine: %w", err)
	}
	cmd := exec.CommandContext(ctx, e.Path, e.Args...)
	cmd.Env = e.Env
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &limited{w: &stdout, n: maxEngineOutput}, &limited{w: &stderr, n: 64 << 10}
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			// The error names the engine's path on this machine: not
			// for the log. The sentinel is kept for errors.Is.
			return nil, nil, fmt.Errorf("the slsa-verifier engine %s is not installed beside the gate (the gate's image has it; to run the gate from source, build it: go build -C actions/verify-provenance/slsaverifier -o <folder of the gate binary>/%s .): %w",
				filepath.Base(e.Path), EngineName, os.ErrNotExist)
		}
		return nil, nil, fmt.Errorf("running the slsa-verifier engine: %w: %s", err, lastLine(stderr.String()))
	}
	var resp engineResponse
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		return nil, nil, fmt.Errorf("reading the slsa-verifier engine's response: %w", err)
	}
	if resp.Error != "" {
		ee := &EngineError{Message: resp.Error, Cosign: resp.Cosign, Network: resp.Network}
		for _, v := range verdicts {
			if v.name == resp.Sentinel {
				ee.Sentinel = v.theirs
				break
			}
		}
		return nil, nil, ee
	}
	var builder *utils.TrustedBuilderID
	if resp.BuilderID != "" {
		if b, err := utils.TrustedBuilderIDNew(resp.BuilderID, true); err == nil {
			builder = b
		}
	}
	return resp.Statement, builder, nil
}

// limited keeps the first n bytes written and discards the rest.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
		l.n -= k
	}
	return len(p), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
