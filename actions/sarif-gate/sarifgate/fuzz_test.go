package sarifgate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

// FuzzRead feeds arbitrary bytes through the reader, the normalizer and
// the writer: whatever the input, Read returns a log or an error (never a
// crash), and a log it accepts becomes schema-shaped output without error.
func FuzzRead(f *testing.F) {
	for _, dir := range []string{"tools", "bad"} {
		m, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, p := range m {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		log, err := Read(context.Background(), bytes.NewReader(data), 1<<20)
		if errors.Is(err, ErrCrash) {
			t.Fatalf("the parser crashed: %v", err)
		}
		if err != nil {
			return
		}
		rep := Normalize([]Source{{Name: "f.sarif", Log: log}}, Options{Workspace: "/w", DefaultSeverity: finding.Medium})
		if _, err := Write(rep, WriteOptions{}); err != nil {
			t.Fatalf("writing an accepted log: %v", err)
		}
	})
}
