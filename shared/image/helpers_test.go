package image

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

const helloPkg = "./shared/image/testdata/hellogate"

// repoRoot is the module root, two levels above this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}

// buildHello builds hellogate for platform and version into a new directory
// under t.TempDir and returns the binary's path.
func buildHello(t testing.TB, platform, version string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	path, err := BuildBinary(ctx, BinaryOptions{
		Gate:     "hellogate",
		Package:  helloPkg,
		Dir:      repoRoot(t),
		Platform: platform,
		Version:  version,
		OutDir:   filepath.Join(t.TempDir(), "dist"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	sharedBinsMu sync.Mutex
	sharedBins   = map[string]string{} // platform+" "+version -> path
	sharedDir    string
)

// sharedHello is buildHello with the binary kept for the other tests of the
// run, for tests that don't care which build they get.
func sharedHello(t testing.TB, platform, version string) string {
	t.Helper()
	sharedBinsMu.Lock()
	defer sharedBinsMu.Unlock()
	key := platform + " " + version
	if p, ok := sharedBins[key]; ok {
		return p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	path, err := BuildBinary(ctx, BinaryOptions{
		Gate:     "hellogate",
		Package:  helloPkg,
		Dir:      repoRoot(t),
		Platform: platform,
		Version:  version,
		OutDir:   filepath.Join(sharedDir, platform, version),
	})
	if err != nil {
		t.Fatal(err)
	}
	sharedBins[key] = path
	return path
}

// helloIndex builds the hellogate index for the given platforms from the
// shared binaries.
func helloIndex(t testing.TB, version string, platforms ...string) Options {
	t.Helper()
	if len(platforms) == 0 {
		platforms = DefaultPlatforms
	}
	opts := []Option{WithVersion(version), WithRevision("0123456789abcdef"), WithPlatforms(platforms...)}
	for _, p := range platforms {
		opts = append(opts, WithBinary(p, sharedHello(t, p, version)))
	}
	o, err := NewOptions("hellogate", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hub-image-test-")
	if err != nil {
		panic(err)
	}
	sharedDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
