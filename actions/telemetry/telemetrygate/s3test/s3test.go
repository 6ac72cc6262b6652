package s3test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Version is the versitygw release the WORM tests run against: it refuses
// deletes, retention shortening and conditional overwrites of a locked
// version.
const Version = "v1.8.0"

// The server's credentials.
const (
	AccessKey = "AKIAHUBTELEMETRYTEST"
	SecretKey = "hub-telemetry-test-secret"
)

// Server is a running versitygw.
type Server struct {
	// Endpoint is its http:// URL on loopback.
	Endpoint string
	// Client is a minio client of it, with AccessKey and SecretKey.
	Client *minio.Client
}

// Binary returns the server's program: $HUB_VERSITYGW, or one built from
// the module (fetched through the Go module proxy) and kept in the user
// cache, so later runs only check it is there. In -short mode a missing
// binary skips the test: the first build takes minutes.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("HUB_VERSITYGW"); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(cache, "hub-test", "versitygw-"+Version)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if testing.Short() {
		t.Skip("building versitygw takes minutes the first time: skipped in -short mode")
	}
	dl := exec.Command("go", "mod", "download", "-json", "github.com/versity/versitygw@"+Version)
	dl.Dir, dl.Env = t.TempDir(), append(os.Environ(), "GOFLAGS=-mod=mod")
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
	// Built beside its final name and renamed, so a concurrent test never
	// runs a half-written binary.
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

// Start runs versitygw on a loopback port over fresh folders, with
// versioning (which Object Lock needs), waits until it answers, and stops
// it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--port", addr, "--access", AccessKey, "--secret", SecretKey,
		"posix", "--versioning-dir", t.TempDir(), t.TempDir())
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	c, err := minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := c.ListBuckets(ctx)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not answer on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &Server{Endpoint: "http://" + addr, Client: c}
}
