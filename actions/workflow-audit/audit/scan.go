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
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/fsroot"
)

// scanner holds one Scan's state. Files are scanned in parallel; only the
// coordinator (scanAll) touches queue, seen, files and found.
type scanner struct {
	ctx  context.Context
	root string
	// fsys is root as an os.Root: every file is read through it, so no
	// link (planted before the scan or during it) leads a read outside.
	fsys  *fsroot.Root
	check *checkCtx
	queue []target
	seen  map[string]bool
	files []File
	found []finding.Finding
	keep  bool // keep every workflow's source, not only those naming "hub:"
	// sources are the contents kept for the waivers (see Report.sources).
	sources map[string][]byte
	// workflows are the scanned workflows' triggers and local calls.
	workflows []workflowCalls
	// uses are the uses: of other repositories, in file order.
	uses []usesRef
	// bots are the parsed Dependabot and Renovate configurations, for the
	// checks that need the whole file set (which action.yml files the
	// updates cover).
	bots []any
}

// fileResult is what scanning one file produced.
type fileResult struct {
	file   File
	found  []finding.Finding
	follow []target // files the scan must read too (a Docker action's Dockerfile)
	src    []byte   // the content, when the waivers need it
	calls  []string // a workflow's local reusable workflows, repository paths
	uses   []usesRef
	on     []string // a workflow's own triggers
	bot    any      // a parsed Dependabot or Renovate configuration
	err    error
}

// scanAll scans the queue with one worker per processor, in rounds: files
// a round asks to follow form the next round. Results are merged in queue
// order, so the first error, like the report, is the same on every run.
func (s *scanner) scanAll() error {
	for start := 0; start < len(s.queue); {
		batch := s.queue[start:]
		start = len(s.queue)
		results := make([]fileResult, len(batch))
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(batch)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(batch) || s.ctx.Err() != nil {
						return
					}
					results[i] = s.scanFile(batch[i])
				}
			}()
		}
		wg.Wait()
		if err := s.ctx.Err(); err != nil {
			return fmt.Errorf("scanning %q: %w", s.root, err)
		}
		for _, r := range results {
			if r.err != nil {
				return r.err
			}
			s.files = append(s.files, r.file)
			if r.file.Kind == KindWorkflow {
				s.workflows = append(s.workflows, workflowCalls{path: r.file.Path, on: r.on, calls: r.calls})
			}
			if r.src != nil {
				if s.sources == nil {
					s.sources = map[string][]byte{}
				}
				s.sources[r.file.Path] = r.src
			}
			s.found = append(s.found, r.found...)
			s.uses = append(s.uses, r.uses...)
			if r.bot != nil {
				s.bots = append(s.bots, r.bot)
			}
			for _, t := range r.follow {
				if !s.seen[t.rel] {
					s.seen[t.rel] = true
					s.queue = append(s.queue, t)
				}
			}
		}
	}
	return nil
}

// readCapped reads at most MaxFileSize+1 bytes of the file rel, inside
// root, while hashing all of it. It returns the content read, the hex
// digest and the full size. Files within the cap, nearly all of them, are
// read in one call. A named pipe or device is refused before a read could
// block on it.
func readCapped(root *fsroot.Root, rel string) ([]byte, string, int64, error) {
	f, st, err := root.OpenRegular(rel)
	if err != nil {
		return nil, "", 0, err
	}
	defer f.Close()
	if st.Size() <= MaxFileSize {
		buf := make([]byte, st.Size()+1) // one spare byte shows growth since Stat
		n, err := io.ReadFull(f, buf)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			sum := sha256.Sum256(buf[:n])
			return buf[:n], hex.EncodeToString(sum[:]), int64(n), nil
		}
		if err != nil {
			return nil, "", 0, err
		}
		// The file grew past its Stat size: fall back to the capped copy.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, "", 0, err
		}
	}
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

// scanFile reads, parses and checks one file. It runs on a worker: it reads
// only the scanner's immutable fields.
func (s *scanner) scanFile(t target) (res fileResult) {
	src, sum, size, err := readCapped(s.fsys, t.rel)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the PathError below names the file
		}
		return fileResult{err: &PathError{Path: t.rel, Err: fmt.Errorf("reading %s: %w", t.kind, err)}}
	}
	res.file = File{Path: t.rel, SHA256: "sha256:" + sum, Kind: t.kind}
	sf := &sourceFile{path: t.rel, kind: t.kind}
	switch {
	case size > MaxFileSize:
		sf.addProblem(pos{}, "file-too-large", fmt.Sprintf("file is %d bytes, over the %d-byte limit, so it was not parsed; split it into smaller files", size, MaxFileSize))
		s.run(sf, nil, &res.found)
		return res
	case !isText(src):
		sf.addProblem(pos{}, "not-text", "file is binary or not UTF-8 text, so GitHub cannot read it; save it as UTF-8 text or remove it")
		s.run(sf, nil, &res.found)
		return res
	}
	sf.src = src
	if bytes.Contains(src, []byte("hub:")) || s.keep && t.kind == KindWorkflow {
		res.src = src
	}
	switch t.kind {
	case KindWorkflow:
		wf := parseWorkflow(sf)
		res.calls, res.on = wf.localCalls(), wf.triggers()
		res.uses = usesRefs(t.rel, src, wf)
		s.run(sf, wf, &res.found)
	case KindAction:
		a := parseAction(sf)
		if t, ok := s.followDockerfile(a); ok {
			res.follow = append(res.follow, t)
		}
		res.uses = usesRefs(t.rel, src, a)
		s.run(sf, a, &res.found)
	case KindDockerfile:
		s.run(sf, parseDockerfile(sf), &res.found)
	case KindDependabot:
		df := parseDependabot(sf)
		res.bot = df
		s.run(sf, df, &res.found)
	case KindRenovate:
		rf := parseRenovate(sf)
		res.bot = rf
		s.run(sf, rf, &res.found)
	}
	return res
}

// followDockerfile returns the local Dockerfile a Docker action builds, so
// its FROM lines are checked even when Options.Paths did not name it. A
// missing or escaping Dockerfile is a problem of the action.
func (s *scanner) followDockerfile(a *actionFile) (target, bool) {
	if a.dockerfile == "" {
		return target{}, false
	}
	at := a.image.pos
	abs := filepath.Join(s.root, filepath.FromSlash(a.dockerfile))
	real, err := filepath.EvalSymlinks(abs)
	if err != nil && looksLikeImage(a.image.value) {
		a.dockerfile, a.registryImage = "", true
		return target{}, false
	}
	if err != nil {
		a.addProblem(at, "missing-dockerfile:"+a.image.value, fmt.Sprintf("runs.image %q names a local Dockerfile (%s) that does not exist; add it, or use \"docker://<image>@sha256:<digest>\"", a.image.value, a.dockerfile))
		return target{}, false
	}
	if !within(s.root, real) {
		a.addProblem(at, "escaping-dockerfile:"+a.image.value, fmt.Sprintf("runs.image %q resolves outside the repository; point it at a Dockerfile inside the repository", a.image.value))
		return target{}, false
	}
	if st, err := os.Stat(real); err != nil || !st.Mode().IsRegular() {
		a.addProblem(at, "missing-dockerfile:"+a.image.value, fmt.Sprintf("runs.image %q is not a regular file; point it at a Dockerfile, or use \"docker://<image>@sha256:<digest>\"", a.image.value))
		return target{}, false
	}
	return target{rel: a.dockerfile, abs: real, kind: KindDockerfile}, true
}

// run applies every rule that applies to the parsed model m (nil when the
// file could not be parsed at all).
func (s *scanner) run(sf *sourceFile, m any, out *[]finding.Finding) {
	for _, r := range ruleSet {
		rep := &reporter{rule: r.meta(), path: sf.path, ctx: s.check, out: out}
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
		case *dependabotFile:
			if c, ok := r.(dependabotChecker); ok {
				c.checkDependabot(m, rep)
			}
		case *renovateFile:
			if c, ok := r.(renovateChecker); ok {
				c.checkRenovate(m, rep)
			}
		}
	}
}

// refusedName is the finding for a file whose name cannot be printed
// safely (see unsafeName): it is reported at its folder, the name quoted
// with its control characters escaped, and not read.
func refusedName(rel string) finding.Finding {
	dir := safeParent(rel)
	name := rel
	if dir != "." {
		name = strings.TrimPrefix(rel, dir+"/")
	}
	q := strconv.QuoteToASCII(name)
	return finding.Finding{
		Rule:     RuleInvalidWorkflow,
		Severity: finding.High,
		Path:     dir,
		Message: fmt.Sprintf("file name %s holds a control character (a newline, carriage return or escape) or is not UTF-8, so it was not scanned: such a name can forge log lines and annotations; rename it to plain text",
			q),
		Fingerprint: "unsafe-name:" + q,
	}
}

// imageRefRe matches a registry image reference: an optional host
// (with a dot or a port, or localhost), path components, and a tag or a
// digest. A Dockerfile path has neither a tag nor a digest.
var imageRefRe = regexp.MustCompile(`^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-fA-F]+)?$`)

// looksLikeImage reports whether a runs.image value that names no file is
// an image reference: it has a tag or a digest, or a registry host.
func looksLikeImage(v string) bool {
	if !imageRefRe.MatchString(v) || strings.HasSuffix(strings.ToLower(v), "dockerfile") {
		return false
	}
	last := v[strings.LastIndexByte(v, '/')+1:]
	first, _, hasSlash := strings.Cut(v, "/")
	return strings.ContainsAny(last, ":@") || hasSlash && strings.ContainsAny(first, ".:")
}
