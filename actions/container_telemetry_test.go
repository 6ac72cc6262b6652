package actions

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/telemetry"
)

// The telemetry gate's image as the runner runs it: a stream of chained
// events sealed with a key, verified with its public key, then denied at
// line 2 once that event is edited.
func TestTelemetryContainer(t *testing.T) {
	requireDocker(t)
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	priv := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	pub, err := sigstore.MarshalPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	if err := os.Mkdir(filepath.Join(ws, "telemetry"), 0o777); err != nil {
		t.Fatal(err)
	}
	root, err := fsroot.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for i := range 3 {
		if err := telemetry.Append(root, "telemetry/job.ndjson", telemetry.Event{Gate: "sign", Version: "dev", Mode: "enforce",
			Verdict: "passed", Started: time.Date(2026, 12, 1, 0, 0, i, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	r := runGateImage(t, "telemetry", ws, map[string]string{"operation": "seal", "streams": "telemetry/job.ndjson", "private-key": priv}, nil, "")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "events": "3", "checkpoints": "telemetry/job.ndjson.checkpoint.sigstore.json"})
	verify := map[string]string{"operation": "verify", "streams": "telemetry/*.ndjson", "public-key": string(pub)}
	r = runGateImage(t, "telemetry", ws, verify, nil, "")
	r.wantExit(t, 0)
	r.wantSummaryHead(t, "## ✅ telemetry: passed")

	path := filepath.Join(ws, "telemetry", "job.ndjson")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	lines[1] = bytes.Replace(lines[1], []byte(`"passed"`), []byte(`"denied"`), 1)
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runGateImage(t, "telemetry", ws, verify, nil, "")
	r.wantExit(t, 1)
	r.wantOutputs(t, map[string]string{"verdict": "denied", "findings": "1"})
	if !bytes.Contains([]byte(r.Stdout), []byte("telemetry/job.ndjson:2: line 2: the line changed after it was written")) {
		t.Errorf("the edited line is not named:\n%s", r.Stdout)
	}
}
