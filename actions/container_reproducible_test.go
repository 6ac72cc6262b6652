package actions

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"
	"time"
)

// reproTar is a small tar of one file, its mtime and mode as given.
func reproTar(t *testing.T, mtime time.Time, mode int64) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := []byte("hello\n")
	for _, h := range []*tar.Header{
		{Name: "app/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime},
		{Name: "app/hello.txt", Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(body)), ModTime: mtime},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// reproducible's image run as the runner runs it, every input at its
// action.yml default but those a step would set: two identical builds
// pass, a rebuild with another file mode is denied naming it, and a
// missing build is bad input.
func TestReproducibleContainer(t *testing.T) {
	requireDocker(t)
	epoch := time.Unix(0, 0)
	for _, tc := range []struct {
		name    string
		inputs  map[string]string
		exit    int
		outputs map[string]string
		log     string
	}{
		{"identical", map[string]string{"expected": "dist/one.tar", "actual": "dist/two.tar", "evidence-dir": "evidence"}, 0,
			map[string]string{"verdict": "passed", "identical": "true", "differences": "0"}, ""},
		{"mode", map[string]string{"expected": "dist/one.tar", "actual": "dist/mode.tar"}, 1,
			map[string]string{"verdict": "denied", "identical": "false", "differences": "1"},
			"dist/mode.tar: app/hello.txt: mode differs: expected 0644, got 0600 [entry-mode]"},
		{"missing", map[string]string{"expected": "dist/one.tar", "actual": "dist/none.tar"}, 2,
			map[string]string{"verdict": "bad-input"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			writeTree(t, ws, map[string]string{
				"dist/one.tar":  reproTar(t, epoch, 0o644),
				"dist/two.tar":  reproTar(t, epoch, 0o644),
				"dist/mode.tar": reproTar(t, epoch, 0o600),
			})
			r := runGateImage(t, "reproducible", ws, tc.inputs, nil, "")
			r.wantExit(t, tc.exit)
			r.wantOutputs(t, tc.outputs)
			if tc.log != "" && !strings.Contains(r.Stdout, tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, r.Stdout)
			}
		})
	}
}
