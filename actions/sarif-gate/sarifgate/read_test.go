package sarifgate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileRejects(t *testing.T) {
	tests := []struct {
		file string
		want error
		text string
	}{
		{"empty.sarif", ErrEmpty, "is empty"},
		{"blank.sarif", ErrEmpty, "is empty"},
		{"notjson.sarif", ErrNotJSON, "invalid character ',' looking for beginning of object key string at line 4, column"},
		{"truncated.sarif", ErrNotJSON, "truncated"},
		{"trailing.sarif", ErrNotJSON, "more JSON after the log at line 2"},
		{"array.json", ErrNotSARIF, "holds an array, not an object"},
		{"package.json", ErrNotSARIF, `without "runs"`},
		{"v22.sarif", ErrVersion, `expected "2.1.0", got "2.2"`},
		{"v1.sarif", ErrVersion, `expected "2.1.0", got "1.0.0"`},
		{"noversion.sarif", ErrVersion, `no "version"`},
		{"malformed.sarif", ErrMalformed, "startLine is a JSON string, expected an integer at line 1"},
		{"nodriver.sarif", ErrMalformed, "run 1 has no tool.driver.name"},
		{"results-object.sarif", ErrMalformed, "run 1 results is an object, expected an array"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := ReadFile(context.Background(), filepath.Join("testdata", "bad", tt.file), 0)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not say %q", err, tt.text)
			}
			if !IsInvalid(err) {
				t.Errorf("IsInvalid(%v) = false", err)
			}
		})
	}
}

func TestReadFileAcceptsByteOrderMarkAndNullResults(t *testing.T) {
	log, err := ReadFile(context.Background(), filepath.Join("testdata", "bom.sarif"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 || log.Results() != 0 || log.Runs[0].Tool() != "x" {
		t.Errorf("read %d runs, %d results", len(log.Runs), log.Results())
	}
	if !strings.HasPrefix(log.Digest, "sha256:") || log.Size == 0 {
		t.Errorf("digest %q size %d", log.Digest, log.Size)
	}
}

func TestReadFileSizeCap(t *testing.T) {
	// A sparse 500 MiB file: refused from its size, before anything is
	// read, so the test needs no disk space and no memory.
	big := filepath.Join(t.TempDir(), "big.sarif")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 500<<20); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(context.Background(), big, 256<<20)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "500.0 MiB, more than the cap of 256.0 MiB") {
		t.Fatalf("error %v, want ErrTooLarge naming both sizes", err)
	}
	// A stream that turns out longer than the cap is refused too.
	doc := `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}`
	_, err = Read(context.Background(), strings.NewReader(doc), 20)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	if _, err := Read(context.Background(), strings.NewReader(doc), int64(len(doc))); err != nil {
		t.Fatalf("a file exactly at the cap: %v", err)
	}
}

// panicReader stands for a bug deep in decoding.
type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("boom") }

func TestReadCrashIsNotBadInput(t *testing.T) {
	_, err := Read(context.Background(), panicReader{}, 0)
	if !errors.Is(err, ErrCrash) || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v, want ErrCrash", err)
	}
	if IsInvalid(err) {
		t.Error("a crash counts as an invalid file; it must leave the gate undecided")
	}
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	doc := `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}}]}]}`
	if _, err := Read(ctx, strings.NewReader(doc), 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestReadToolsFixtures(t *testing.T) {
	want := map[string]int{
		"bandit.sarif": 3, "gosec.sarif": 3, "codeql.sarif": 2, "semgrep.sarif": 2, "trivy.sarif": 4,
		"grype.sarif": 2, "eslint.sarif": 2, "ruff.sarif": 2, "zizmor.sarif": 2, "gitleaks.sarif": 2,
	}
	for name, n := range want {
		log, err := ReadFile(context.Background(), filepath.Join("testdata", "tools", name), 0)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if log.Results() != n {
			t.Errorf("%s: %d results, want %d", name, log.Results(), n)
		}
	}
}
