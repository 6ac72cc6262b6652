package telemetrygate_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/hubgates/hub/actions/telemetry/telemetrygate"
	"github.com/hubgates/hub/actions/telemetry/telemetrygate/s3test"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/telemetry"
)

// startS3 starts versitygw (see s3test) and returns its endpoint and a
// client of it.
func startS3(t *testing.T) (string, *minio.Client) {
	srv := s3test.Start(t)
	return srv.Endpoint, srv.Client
}

const (
	accessKey = s3test.AccessKey
	secretKey = s3test.SecretKey
)

// execute runs the gate in-process in workspace ws.
func execute(t *testing.T, ws string, env map[string]string, args ...string) (gate.ExitCode, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := gate.Execute(context.Background(), telemetrygate.Gate, gate.Process{
		Args: args, Getenv: func(k string) string { return env[k] },
		Stdout: &stdout, Stderr: &stderr, Cwd: ws, Now: time.Now,
	})
	return code, stdout.String() + stderr.String()
}

// sealedStream writes a stream of n events in a fresh workspace and seals
// it with a new key.
func sealedStream(t *testing.T, n int) string {
	t.Helper()
	ws, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root, err := fsroot.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := os.Mkdir(filepath.Join(ws, "t"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := telemetry.Append(root, "t/job.ndjson", telemetry.Event{Gate: "sign", Version: "dev", Mode: "enforce",
			Verdict: "passed", Started: time.Date(2026, 12, 1, 0, 0, i, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if code, out := execute(t, ws, map[string]string{"GITHUB_WORKSPACE": ws}, "--operation=seal", "--streams=t/job.ndjson", "--private-key="+key); code != gate.Passed {
		t.Fatalf("seal: exit %d\n%s", code, out)
	}
	return ws
}

func shipEnv(ws string) map[string]string {
	return map[string]string{"GITHUB_WORKSPACE": ws, "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey}
}

// Shipped into a bucket with object lock: every object locked in
// compliance mode and read back. The store then refuses to delete the
// locked version, to shorten its retention, and to let a conditional put
// replace it; an unconditional put only adds a newer version on top (S3's
// versioning), the locked version keeping its bytes, and the next ship
// reports that the name no longer holds its content.
func TestShipToObjectLock(t *testing.T) {
	endpoint, c := startS3(t)
	ctx := context.Background()
	if err := c.MakeBucket(ctx, "audit", minio.MakeBucketOptions{ObjectLocking: true}); err != nil {
		t.Fatal(err)
	}
	ws := sealedStream(t, 3)
	args := []string{"--operation=ship", "--streams=t/job.ndjson", "--s3-endpoint=" + endpoint, "--s3-bucket=audit", "--retention=48h"}
	code, out := execute(t, ws, shipEnv(ws), args...)
	if code != gate.Passed {
		t.Fatalf("ship: exit %d\n%s", code, out)
	}
	stream, err := os.ReadFile(filepath.Join(ws, "t", "job.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("hub-telemetry/sha256-%x.ndjson", sha256sum(stream))
	info, err := c.StatObject(ctx, "audit", key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("the stream is not stored as %s: %v\n%s", key, err, out)
	}
	if m := info.Metadata.Get("X-Amz-Object-Lock-Mode"); m != "COMPLIANCE" {
		t.Errorf("lock mode %q", m)
	}
	until, _ := time.Parse(time.RFC3339, info.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"))
	if d := time.Until(until); d < 47*time.Hour || d > 49*time.Hour {
		t.Errorf("retained until %s, want about 48h from now", until)
	}

	// Shipping again finds the objects there, and changes nothing.
	if code, out := execute(t, ws, shipEnv(ws), args...); code != gate.Passed || !strings.Contains(out, "(2 already stored)") {
		t.Fatalf("second ship: exit %d\n%s", code, out)
	}

	if err := c.RemoveObject(ctx, "audit", key, minio.RemoveObjectOptions{VersionID: info.VersionID}); err == nil {
		t.Fatal("the store deleted a locked version")
	}
	if err := c.RemoveObject(ctx, "audit", key, minio.RemoveObjectOptions{VersionID: info.VersionID, GovernanceBypass: true}); err == nil {
		t.Fatal("the store deleted a compliance-locked version with a governance bypass")
	}
	shorter, mode := time.Now().Add(time.Hour), minio.Compliance
	if err := c.PutObjectRetention(ctx, "audit", key, minio.PutObjectRetentionOptions{Mode: &mode, RetainUntilDate: &shorter, VersionID: info.VersionID}); err == nil {
		t.Fatal("the store shortened a compliance retention")
	}
	cond := minio.PutObjectOptions{}
	cond.SetMatchETagExcept("*")
	if _, err := c.PutObject(ctx, "audit", key, strings.NewReader("forged"), 6, cond); err == nil {
		t.Fatal("a conditional put replaced the object")
	}
	if _, err := c.PutObject(ctx, "audit", key, strings.NewReader("forged"), 6, minio.PutObjectOptions{}); err != nil {
		t.Fatalf("an unconditional put: %v", err)
	}
	o, err := c.GetObject(ctx, "audit", key, minio.GetObjectOptions{VersionID: info.VersionID})
	if err != nil {
		t.Fatal(err)
	}
	var kept bytes.Buffer
	if _, err := kept.ReadFrom(o); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept.Bytes(), stream) {
		t.Fatalf("the locked version was overwritten: %q", kept.String())
	}
	code, out = execute(t, ws, shipEnv(ws), args...)
	if code != gate.Denied || !strings.Contains(out, "[store-mismatch]") {
		t.Fatalf("ship over a forged newer version: exit %d\n%s", code, out)
	}
}

// A bucket without object lock is refused before anything is stored.
func TestShipRefusesUnlockedBucket(t *testing.T) {
	endpoint, c := startS3(t)
	ctx := context.Background()
	if err := c.MakeBucket(ctx, "plain", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	ws := sealedStream(t, 2)
	code, out := execute(t, ws, shipEnv(ws), "--operation=ship", "--streams=t/job.ndjson", "--s3-endpoint="+endpoint, "--s3-bucket=plain")
	if code != gate.Denied || !strings.Contains(out, `bucket "plain" has no object lock`) || !strings.Contains(out, "[worm-unlocked]") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	n := 0
	for o := range c.ListObjects(ctx, "plain", minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		n++
	}
	if n != 0 {
		t.Errorf("%d objects stored in an unlocked bucket", n)
	}
}

// An object already stored with a retention shorter than asked is a
// finding: shipped for 24h, then asked to hold for 30 days.
func TestShipFindsShortRetention(t *testing.T) {
	endpoint, c := startS3(t)
	if err := c.MakeBucket(context.Background(), "audit", minio.MakeBucketOptions{ObjectLocking: true}); err != nil {
		t.Fatal(err)
	}
	ws := sealedStream(t, 2)
	args := []string{"--operation=ship", "--streams=t/job.ndjson", "--s3-endpoint=" + endpoint, "--s3-bucket=audit"}
	if code, out := execute(t, ws, shipEnv(ws), append(args, "--retention=24h")...); code != gate.Passed {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out := execute(t, ws, shipEnv(ws), append(args, "--retention=720h")...)
	if code != gate.Denied || !strings.Contains(out, "shorter than the 720h0m0s asked") || !strings.Contains(out, "[retention-short]") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

// Bad input names the input, before any request.
func TestShipBadInput(t *testing.T) {
	ws := sealedStream(t, 1)
	for _, c := range []struct {
		env   map[string]string
		args  []string
		input string
	}{
		{shipEnv(ws), nil, "s3-bucket"},
		{map[string]string{"GITHUB_WORKSPACE": ws}, []string{"--s3-bucket=b"}, "AWS_ACCESS_KEY_ID"},
		{shipEnv(ws), []string{"--s3-bucket=b", "--s3-endpoint=http://s3.example.com"}, "s3-endpoint"},
		{shipEnv(ws), []string{"--s3-bucket=b", "--retention=2h"}, "retention"},
	} {
		code, out := execute(t, ws, c.env, append([]string{"--operation=ship", "--streams=t/job.ndjson"}, c.args...)...)
		if code != gate.BadInput || !strings.Contains(out, c.input) {
			t.Errorf("%v: exit %d, want 2 naming %s\n%s", c.args, code, c.input, out)
		}
	}
}

func sha256sum(b []byte) [32]byte { return sha256.Sum256(b) }
