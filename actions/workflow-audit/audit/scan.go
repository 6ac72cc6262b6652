package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/hubgates/hub/shared/finding"
)

// scanner holds one Scan's state.
type scanner struct {
	ctx   context.Context
	root  string
	allow allowList
	queue []target
	seen  map[string]bool
	files []File
	found []finding.Finding
}

// readCapped reads at most MaxFileSize+1 bytes of the file while hashing all
// of it. It returns the content read, the hex digest and the full size.
func readCapped(abs string) ([]byte, string, int64, error) {
	f, err := os.Open(abs)
	if err != nil {
		return nil, "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.TeeReader(io.LimitReader(f, MaxFileSize+1), h))
	if err != nil {
		return nil, "", 0, err
	}
	rest, err := io.Copy(h, f)
	if err != nil {
		return nil, "", 0, err
	}
	return buf.Bytes(), hex.EncodeToString(h.Sum(nil)), n + rest, nil
}

// isText reports whether b is UTF-8 text without NUL bytes.
func isText(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

func (s *scanner) scanFile(t target) error {
	src, sum, size, err := readCapped(t.abs)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the PathError below names the file
		}
		return &PathError{Path: t.rel, Err: fmt.Errorf("reading %s: %w", t.kind, err)}
	}
	s.files = append(s.files, File{Path: t.rel, SHA256: "sha256:" + sum, Kind: t.kind})
	sf := &sourceFile{path: t.rel, kind: t.kind}
	switch {
	case size > MaxFileSize:
		sf.addProblem(pos{}, "file-too-large", fmt.Sprintf("file is %d bytes, over the %d-byte limit, so it was not parsed; split it into smaller files", size, MaxFileSize))
		s.run(sf, nil)
		return nil
	case !isText(src):
		sf.addProblem(pos{}, "not-text", "file is binary or not UTF-8 text, so GitHub cannot read it; save it as UTF-8 text or remove it")
		s.run(sf, nil)
		return nil
	}
	sf.src = src
	switch t.kind {
	case KindWorkflow:
		s.run(sf, parseWorkflow(sf))
	case KindAction:
		a := parseAction(sf)
		s.followDockerfile(a)
		s.run(sf, a)
	case KindDockerfile:
		s.run(sf, parseDockerfile(sf))
	}
	return nil
}

// followDockerfile queues the local Dockerfile a Docker action builds, so
// its FROM lines are checked even when Options.Paths did not name it. A
// missing or escaping Dockerfile is a problem of the action.
func (s *scanner) followDockerfile(a *actionFile) {
	if a.dockerfile == "" {
		return
	}
	at := a.image.pos
	abs := filepath.Join(s.root, filepath.FromSlash(a.dockerfile))
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		a.addProblem(at, "missing-dockerfile:"+a.image.value, fmt.Sprintf("runs.image %q names a local Dockerfile (%s) that does not exist; add it, or use \"docker://<image>@sha256:<digest>\"", a.image.value, a.dockerfile))
		return
	}
	if !within(s.root, real) {
		a.addProblem(at, "escaping-dockerfile:"+a.image.value, fmt.Sprintf("runs.image %q resolves outside the repository; point it at a Dockerfile inside the repository", a.image.value))
		return
	}
	if st, err := os.Stat(real); err != nil || !st.Mode().IsRegular() {
		a.addProblem(at, "missing-dockerfile:"+a.image.value, fmt.Sprintf("runs.image %q is not a regular file; point it at a Dockerfile, or use \"docker://<image>@sha256:<digest>\"", a.image.value))
		return
	}
	if s.seen[a.dockerfile] {
		return
	}
	s.seen[a.dockerfile] = true
	s.queue = append(s.queue, target{rel: a.dockerfile, abs: real, kind: KindDockerfile})
}

// run applies every rule that applies to the parsed model m (nil when the
// file could not be parsed at all).
func (s *scanner) run(sf *sourceFile, m any) {
	cc := &checkCtx{allow: s.allow}
	for _, r := range ruleSet {
		rep := &reporter{rule: r.meta(), path: sf.path, ctx: cc, out: &s.found}
		if c, ok := r.(fileChecker); ok {
			c.checkFile(sf, rep)
		}
		switch m := m.(type) {
		case *workflowFile:
			if c, ok := r.(workflowChecker); ok {
				c.checkWorkflow(m, rep)
			}
		case *actionFile:
			if c, ok := r.(actionChecker); ok {
				c.checkAction(m, rep)
			}
		case *dockerfileFile:
			if c, ok := r.(dockerfileChecker); ok {
				c.checkDockerfile(m, rep)
			}
		}
	}
}
