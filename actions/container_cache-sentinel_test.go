package actions

import (
	"os"
	"path/filepath"
	"testing"
)

// cache-sentinel as a job uses it around actions/cache, every other input
// at its default: seal a Go module cache with a key, verify it untouched
// (passes), then poisoned (denied, the file quarantined into this run's
// folder, which the output names).
func TestCacheSentinelContainer(t *testing.T) {
	requireDocker(t)
	priv, pub := keyPair(t)
	ws := t.TempDir()
	writeTree(t, ws, map[string]string{
		".cache/go-mod/example.com/lib@v1.0.0/go.mod":                "module example.com/lib\n",
		".cache/go-mod/example.com/lib@v1.0.0/lib.go":                "package lib\n\nfunc Answer() int { return 42 }\n",
		".cache/go-mod/cache/download/example.com/lib/@v/list":       "v1.0.0\n",
		".cache/go-mod/cache/download/example.com/lib/@v/v1.0.0.mod": "module example.com/lib\n",
	})
	r := runGateImage(t, "cache-sentinel", ws, map[string]string{"operation": "seal", "paths": ".cache/go-mod", "key": "go-mod-linux-abc", "private-key": priv}, nil, "")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "files": "4"})

	r = runGateImage(t, "cache-sentinel", ws, map[string]string{"operation": "verify", "paths": ".cache/go-mod", "public-key": pub}, nil, "")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "verified": "true", "quarantined": "0"})
	r.wantSummaryHead(t, "## ✅ cache-sentinel: passed")

	writeTree(t, ws, map[string]string{".cache/go-mod/example.com/lib@v1.0.0/lib.go": "package lib\n\nfunc Answer() int { return 41 }\n"})
	r = runGateImage(t, "cache-sentinel", ws, map[string]string{"operation": "verify", "paths": ".cache/go-mod", "public-key": pub}, nil, "")
	r.wantExit(t, 1)
	r.wantOutputs(t, map[string]string{"verdict": "denied", "verified": "false", "quarantined": "1"})
	q := r.Outputs["quarantine-folder"]
	if _, err := os.Stat(filepath.Join(ws, q, ".cache/go-mod/example.com/lib@v1.0.0/lib.go")); q == "" || err != nil {
		t.Errorf("quarantine-folder %q does not hold the poisoned file: %v", q, err)
	}
}
