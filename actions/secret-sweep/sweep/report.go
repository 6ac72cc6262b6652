package sweep

import (
	"sync"
)

// Where a secret was found.
const (
	KindFile    = "file"
	KindEnviron = "environ"
	KindCmdline = "cmdline"
)

// Location is where a secret was found: a file, or a process's environment
// variable or command line.
type Location struct {
	Kind string `json:"kind"`
	// Path is how findings name the place: a workspace-relative path, ~/
	// for the home folder, an absolute host path, or
	// process/<name>/environ/<VAR> and process/<name>/cmdline.
	Path string `json:"path"`
	PID  int    `json:"pid,omitempty"`
	// Process is the process's name (its comm), untrusted text.
	Process  string `json:"process,omitempty"`
	Variable string `json:"variable,omitempty"`
}

// Found is one secret at one location. Digest is the SHA-256 of the value
// and serves only the fingerprint; the value is never kept.
type Found struct {
	Location    Location
	Rule        string
	Kind        string
	Description string
	Prefix      string
	Verified    bool
	Line, Col   int
	Digest      [32]byte
}

// Report is what one sweep saw and found.
type Report struct {
	mu    sync.Mutex
	Found []Found `json:"-"`
	// Files, Processes: how many were swept.
	Files     int `json:"files"`
	Processes int `json:"processes"`
	// Unreadable counts processes and files that could not be read
	// (permission, or a process that ended while it was read).
	Unreadable int `json:"unreadable"`
	// SkippedLarge, SkippedBinary, Links: files not swept, by reason.
	SkippedLarge  int `json:"skipped_large"`
	SkippedBinary int `json:"skipped_binary"`
	Links         int `json:"links_not_followed"`
	// RunnerVariables counts the runner's own per-job variables (and the
	// gate's input of secret values) that were passed over by name.
	RunnerVariables int `json:"runner_variables_passed_over"`
	// ChecksumRejected counts token-shaped strings whose checksum failed.
	ChecksumRejected int `json:"checksum_rejected"`
	// Rules is the number of gitleaks rules applied.
	Rules int `json:"rules"`
	// KnownSecrets is the number of caller-given values compared.
	KnownSecrets int `json:"known_secrets"`
	// Scope is container or host.
	Scope string `json:"scope"`
}

func (r *Report) add(loc Location, hits []hit) {
	if len(hits) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[[2]any]bool{}
	for _, h := range hits {
		key := [2]any{h.rule + "\x00" + h.kind, h.digest}
		if seen[key] {
			continue
		}
		seen[key] = true
		r.Found = append(r.Found, Found{Location: loc, Rule: h.rule, Kind: h.kind, Description: h.description,
			Prefix: h.prefix, Verified: h.verified, Line: h.line, Col: h.col, Digest: h.digest})
	}
}

func (r *Report) count(field *int) {
	r.mu.Lock()
	*field++
	r.mu.Unlock()
}
