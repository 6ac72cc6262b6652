package provenance

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/digest"
)

// engineTemp holds the engine built for the tests.
var engineTemp string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "slsa-verifier-engine")
	if err != nil {
		panic(err)
	}
	engineTemp = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// The engine is built once per test binary, from the nested module, with
// the go command that runs the tests.
var (
	engineOnce sync.Once
	enginePath string
	engineErr  error
)

func buildEngine(t *testing.T) string {
	t.Helper()
	engineOnce.Do(func() {
		dir, err := filepath.Abs("../slsaverifier")
		if err != nil {
			engineErr = err
			return
		}
		out := filepath.Join(engineTemp, EngineName)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, ".")
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			engineErr = errors.New("building the slsa-verifier engine: " + err.Error() + "\n" + string(b))
			return
		}
		enginePath = out
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return enginePath
}

// offlineEngine runs slsa-verifier's real verification, offline, from the
// public-good trusted root that verified this test data, with a home of
// its own so no TUF cache is read or written.
func offlineEngine(t *testing.T) *Engine {
	root, err := filepath.Abs(filepath.Join("testdata", "trusted_root_pgi.json"))
	if err != nil {
		t.Fatal(err)
	}
	return &Engine{Path: buildEngine(t), Args: []string{"--trusted-root", root}, Env: []string{"HOME=" + t.TempDir()}}
}

// TestEnginesAgree is "one policy, two engines agree", live: every case of
// slsa-verifier's regression oracle (see oracle) runs through both
// engines on slsa-verifier's own test provenance: hub's offline path
// (sigstore-go v1 and Policy.Check) in this process, and slsa-verifier
// v2.7.1's VerifyArtifact and VerifyGithubAttestation in the engine built
// from the nested module. Both must reach the oracle's verdict, for the
// same reason.
func TestEnginesAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the slsa-verifier engine")
	}
	o := newOffline(t)
	on := Online{Engine: offlineEngine(t)}
	for _, tt := range oracle {
		t.Run(tt.name, func(t *testing.T) {
			artifact := mustDigest(t, genericArtifact)
			switch {
			case strings.HasPrefix(tt.file, "MODULE"):
				artifact = moduleDigest(t)
			case tt.file == containerFile:
				artifact = digest.FromBytes(digest.SHA256, nil)
			case strings.HasSuffix(tt.file, ".build.slsa"):
				artifact = byobArtifact(t, tt.file)
			}
			prov := readTestdata(t, tt.file)
			_, offline := o.Verify(prov, artifact, tt.policy)
			_, engine := on.Verify(context.Background(), prov, artifact, tt.policy)
			if errors.Is(engine, ErrUnavailable) {
				t.Fatalf("the engine could not decide: %v", engine)
			}
			if (engine == nil) != (tt.slsa == nil) {
				t.Fatalf("slsa-verifier %v, its own regression test expects %v", engine, tt.slsa)
			}
			switch {
			case engine == nil && offline != nil:
				t.Fatalf("slsa-verifier passes, the offline path denies: %v", offline)
			case engine != nil && offline == nil:
				t.Fatalf("slsa-verifier denies (%v), the offline path passes", engine)
			case engine != nil && !errors.Is(offline, sentinelOf(engine)):
				t.Fatalf("different reasons: slsa-verifier %v, offline %v", engine, offline)
			}
		})
	}
}

// TestEngineRefusesTampering: the engine's verdict on provenance whose
// signature was edited is a denial (ErrSignature), as is the offline
// path's; and an engine that is not installed leaves the run undecided.
func TestEngineRefusesTampering(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the slsa-verifier engine")
	}
	prov := readTestdata(t, "binary-linux-amd64-workflow_dispatch.intoto.jsonl")
	i := strings.Index(string(prov), `"sig":"`) + len(`"sig":"`) + 10
	tampered := append([]byte(nil), prov...)
	tampered[i] ^= 0x01
	p := Policy{SourceURI: exampleSource, BuilderID: genericBuilder}
	a := mustDigest(t, genericArtifact)
	if _, err := (Online{Engine: offlineEngine(t)}).Verify(context.Background(), prov, a, p); err != nil {
		t.Fatalf("untampered twin: %v", err)
	}
	_, engine := Online{Engine: offlineEngine(t)}.Verify(context.Background(), tampered, a, p)
	_, offline := newOffline(t).Verify(tampered, a, p)
	if engine == nil || errors.Is(engine, ErrUnavailable) || offline == nil {
		t.Errorf("tampered signature: engine %v, offline %v; want both to deny", engine, offline)
	}
	dir := t.TempDir()
	missing := &Engine{Path: filepath.Join(dir, EngineName)}
	if _, err := (Online{Engine: missing}).Verify(context.Background(), prov, a, p); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "not installed") || strings.Contains(err.Error(), dir) {
		t.Errorf("no engine: %v, want ErrUnavailable saying it is not installed, without the machine's path", err)
	}
}
