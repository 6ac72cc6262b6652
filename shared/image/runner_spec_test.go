package image

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The process namespace, capabilities and extra mounts of a RunnerSpec
// reach the docker command line, before the image (a fake docker records
// its arguments).
func TestRunLikeRunnerHostOptions(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "docker")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := RunLikeRunner(context.Background(), RunnerSpec{
		Image: "example.test/gate@sha256:" + strings.Repeat("a", 64), Workspace: t.TempDir(), Docker: fake,
		PID: "host", CapAdd: []string{"SYS_PTRACE"}, Mounts: []string{"/:/host:ro"},
	})
	if err != nil {
		t.Fatal(err)
	}
	img := slices.Index(res.Command, "example.test/gate@sha256:"+strings.Repeat("a", 64))
	for _, pair := range [][2]string{{"--pid", "host"}, {"--cap-add", "SYS_PTRACE"}, {"-v", "/:/host:ro"}} {
		found := false
		for j := 0; j+1 < img; j++ {
			if res.Command[j] == pair[0] && res.Command[j+1] == pair[1] {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s %s is not before the image in %q", pair[0], pair[1], res.Command)
		}
	}
}
