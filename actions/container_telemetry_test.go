package actions

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/hubgates/hub/actions/telemetry/telemetrygate/s3test"
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

// The telemetry image ships a sealed stream to an S3 server with Object
// Lock on the host (versitygw, as the gate's own tests build it): the
// objects are stored locked in compliance mode, and a bucket without
// object lock is refused.
func TestTelemetryShipContainer(t *testing.T) {
	requireDocker(t)
	srv := s3test.Start(t)
	c := srv.Client
	ctx := context.Background()
	if err := c.MakeBucket(ctx, "audit", minio.MakeBucketOptions{ObjectLocking: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.MakeBucket(ctx, "plain", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	if err := os.Mkdir(filepath.Join(ws, "t"), 0o777); err != nil {
		t.Fatal(err)
	}
	root, err := fsroot.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := telemetry.Append(root, "t/job.ndjson", telemetry.Event{Gate: "sign", Version: "dev", Mode: "enforce", Verdict: "passed", Started: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	priv := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	runGateImage(t, "telemetry", ws, map[string]string{"operation": "seal", "streams": "t/job.ndjson", "private-key": priv}, nil, "").wantExit(t, 0)
	env := map[string]string{"AWS_ACCESS_KEY_ID": s3test.AccessKey, "AWS_SECRET_ACCESS_KEY": s3test.SecretKey}
	inputs := map[string]string{"operation": "ship", "streams": "t/job.ndjson", "s3-endpoint": srv.Endpoint, "s3-bucket": "audit", "retention": "24h"}
	r := runGateImage(t, "telemetry", ws, inputs, env, "host")
	r.wantExit(t, 0)
	keys := strings.Split(r.Outputs["objects"], "\n")
	if len(keys) != 2 {
		t.Fatalf("objects %q", r.Outputs["objects"])
	}
	for _, key := range keys {
		info, err := c.StatObject(ctx, "audit", key, minio.StatObjectOptions{})
		if err != nil || info.Metadata.Get("X-Amz-Object-Lock-Mode") != "COMPLIANCE" {
			t.Errorf("%s: %v %v", key, err, info.Metadata)
		}
	}
	inputs["s3-bucket"] = "plain"
	r = runGateImage(t, "telemetry", ws, inputs, env, "host")
	r.wantExit(t, 1)
	if !strings.Contains(r.Stdout, "[worm-unlocked]") {
		t.Errorf("unlocked bucket:\n%s", r.Stdout)
	}
}
