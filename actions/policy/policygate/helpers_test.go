package policygate

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/fsroot"
)

// tree writes files into a new workspace and opens it as a root.
func tree(t *testing.T, files map[string]string) *fsroot.Root {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

// defaults are the options the gate's input defaults give.
func defaults() options {
	return options{
		policy: []string{"policy"}, namespaces: []string{"main"},
		strict: true, runTests: true, caps: DefaultCapabilities(), timeout: time.Minute,
	}
}

// evaluate runs Evaluate over files with opts changed by edit.
func evaluate(t *testing.T, files map[string]string, edit func(*options)) (*Report, error) {
	t.Helper()
	opts := defaults()
	if edit != nil {
		edit(&opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.timeout)
	defer cancel()
	return Evaluate(ctx, tree(t, files), opts)
}

// texts returns the messages as "file:line: text".
func texts(r *Report) []string {
	var out []string
	for _, m := range r.messages {
		out = append(out, m.String())
	}
	return out
}
