package actions

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

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
	bin := versitygwBinary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--port", addr, "--access", "AKIAHUBCONTAINER", "--secret", "hub-container-secret",
		"posix", "--versioning-dir", t.TempDir(), t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	c, err := minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4("AKIAHUBCONTAINER", "hub-container-secret", ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err = c.MakeBucket(ctx, "audit", minio.MakeBucketOptions{ObjectLocking: true}); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not start: %v", err)
		}
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
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKIAHUBCONTAINER", "AWS_SECRET_ACCESS_KEY": "hub-container-secret"}
	inputs := map[string]string{"operation": "ship", "streams": "t/job.ndjson", "s3-endpoint": "http://" + addr, "s3-bucket": "audit", "retention": "24h"}
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

// versitygwBinary is the S3 server of the WORM tests: $HUB_VERSITYGW, or
// versitygw v1.8.0 built from its Go module into the user cache (where
// the telemetry gate's own tests put it too).
func versitygwBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HUB_VERSITYGW"); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(cache, "hub-test", "versitygw-v1.8.0")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	tmp := t.TempDir()
	dl := exec.Command("go", "mod", "download", "-json", "github.com/versity/versitygw@v1.8.0")
	dl.Dir, dl.Env = tmp, append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := dl.Output()
	if err != nil {
		t.Fatalf("downloading versitygw: %v\n%s", err, out)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("downloading versitygw: %v\n%s", err, out)
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	tmpBin := fmt.Sprintf("%s.%d.tmp", bin, os.Getpid())
	build := exec.Command("go", "build", "-C", mod.Dir, "-o", tmpBin, "./cmd/versitygw")
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building versitygw: %v\n%s", err, out)
	}
	if err := os.Rename(tmpBin, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}
