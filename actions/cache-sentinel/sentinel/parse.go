package sentinel

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ErrMalformedManifest is wrapped by every error [ParseManifest] returns.
var ErrMalformedManifest = errors.New("malformed manifest")

// maxManifestBytes bounds what ParseManifest accepts: about five million
// entries, far beyond any cache actions/cache can store (10 GB per
// repository).
const maxManifestBytes = 1 << 30

// wireManifest and wireEntry are the JSON shapes the strict decoder reads:
// unknown fields are refused, and pointers tell a missing field from a
// zero one.
type wireManifest struct {
	Format      *string     `json:"format"`
	CacheKey    *string     `json:"cacheKey"`
	Repository  *string     `json:"repository"`
	Ref         *string     `json:"ref"`
	SHA         *string     `json:"sha"`
	RunID       *string     `json:"runId"`
	TrustDomain *string     `json:"trustDomain"`
	Created     *string     `json:"created"`
	Roots       []string    `json:"roots"`
	Files       *int64      `json:"files"`
	Bytes       *int64      `json:"bytes"`
	Entries     []wireEntry `json:"entries"`
}

type wireEntry struct {
	Path   *string `json:"path"`
	Type   *string `json:"type"`
	Size   *int64  `json:"size"`
	Mode   *string `json:"mode"`
	Target *string `json:"target"`
	BLAKE3 *string `json:"blake3"`
}

// rawEntry is an entry as read, before it is checked: both readers
// produce it, and one function checks it.
type rawEntry struct {
	path, typ, mode, target, digest string
	size                            int64
	has                             uint8
}

// The fields a rawEntry holds.
const (
	hasPath uint8 = 1 << iota
	hasType
	hasSize
	hasMode
	hasTarget
	hasDigest
)

func (w wireEntry) raw() rawEntry {
	var r rawEntry
	set := func(p *string, dst *string, bit uint8) {
		if p != nil {
			*dst = *p
			r.has |= bit
		}
	}
	set(w.Path, &r.path, hasPath)
	set(w.Type, &r.typ, hasType)
	set(w.Mode, &r.mode, hasMode)
	set(w.Target, &r.target, hasTarget)
	set(w.BLAKE3, &r.digest, hasDigest)
	if w.Size != nil {
		r.size = *w.Size
		r.has |= hasSize
	}
	return r
}

// ParseManifest decodes and checks a manifest: the format version, every
// header field present, every entry well formed for its type, paths
// canonical and inside one of the roots (no "..", no absolute path, no
// empty or "." component), entries strictly sorted, and the file and byte
// counts right. Every problem wraps [ErrMalformedManifest]; the first one
// found is returned.
//
// A manifest laid out exactly as [Manifest.Marshal] writes it is read by a
// reader made for that layout, several times faster than encoding/json
// (verify reads the manifest before it can start hashing); anything else
// goes through encoding/json. Both give the same result for the same bytes.
func ParseManifest(data []byte) (*Manifest, error) {
	return ParseManifestString(string(data))
}

// ParseManifestString is [ParseManifest] for a manifest held as a string:
// the entries' paths are slices of it, not a copy each, which halves the
// memory a large manifest takes.
func ParseManifestString(data string) (*Manifest, error) {
	if len(data) > maxManifestBytes {
		return nil, malformed("%d bytes is more than the %d a manifest may hold", len(data), maxManifestBytes)
	}
	w, entries, ok := readCanonical(data)
	if !ok {
		var err error
		if w, entries, err = decodeStrict(strings.NewReader(data)); err != nil {
			return nil, err
		}
	}
	return check(w, entries)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedManifest, fmt.Sprintf(format, args...))
}

// decodeStrict reads any JSON layout with encoding/json.
func decodeStrict(data io.Reader) (wireManifest, []rawEntry, error) {
	dec := json.NewDecoder(data)
	dec.DisallowUnknownFields()
	var w wireManifest
	if err := dec.Decode(&w); err != nil {
		return w, nil, malformed("%v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return w, nil, malformed("trailing data after the manifest object")
	}
	var entries []rawEntry
	if w.Entries != nil {
		entries = make([]rawEntry, len(w.Entries))
		for i, e := range w.Entries {
			entries[i] = e.raw()
		}
	}
	return w, entries, nil
}

// check validates a read manifest and builds it.
func check(w wireManifest, entries []rawEntry) (*Manifest, error) {
	switch {
	case w.Format == nil:
		return nil, malformed("no format field")
	case *w.Format != FormatV1:
		return nil, malformed("format %q is not supported; expected %q", *w.Format, FormatV1)
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"cacheKey", w.CacheKey}, {"repository", w.Repository}, {"ref", w.Ref}, {"sha", w.SHA},
		{"runId", w.RunID}, {"trustDomain", w.TrustDomain}, {"created", w.Created}} {
		if f.v == nil {
			return nil, malformed("no %s field", f.name)
		}
	}
	if w.Files == nil || w.Bytes == nil || w.Roots == nil || entries == nil {
		return nil, malformed("files, bytes, roots and entries are required")
	}
	m := &Manifest{Format: *w.Format, CacheKey: *w.CacheKey, Repository: *w.Repository, Ref: *w.Ref,
		SHA: *w.SHA, RunID: *w.RunID, Files: *w.Files, Bytes: *w.Bytes, Roots: w.Roots}
	d, err := ParseDomain(*w.TrustDomain)
	if err != nil {
		return nil, malformed("%v", err)
	}
	m.TrustDomain = d
	if m.Created, err = time.Parse(time.RFC3339, *w.Created); err != nil {
		return nil, malformed("created %q is not an RFC 3339 time", *w.Created)
	}
	if len(m.Roots) == 0 {
		return nil, malformed("no roots")
	}
	for i, r := range m.Roots {
		if err := CheckRelPath(r); err != nil {
			return nil, malformed("root %q: %v", r, err)
		}
		if i > 0 && m.Roots[i-1] >= r {
			return nil, malformed("roots are not sorted and unique at %q", r)
		}
		if i > 0 && within(m.Roots[i-1], r) {
			return nil, malformed("root %q lies inside root %q", r, m.Roots[i-1])
		}
	}
	m.Entries = make([]Entry, len(entries))
	var files, size int64
	for i, r := range entries {
		e, err := r.entry(m.Roots)
		if err != nil {
			return nil, malformed("entry %d: %v", i+1, err)
		}
		if i > 0 && m.Entries[i-1].Path >= e.Path {
			return nil, malformed("entry %d %q: entries are not sorted and unique", i+1, e.Path)
		}
		if e.Type == TypeFile {
			files++
			size += e.Size
		}
		m.Entries[i] = e
	}
	if files != m.Files || size != m.Bytes {
		return nil, malformed("header counts %d files and %d bytes, the entries %d and %d", m.Files, m.Bytes, files, size)
	}
	return m, nil
}

func (r rawEntry) entry(roots []string) (Entry, error) {
	if r.has&hasPath == 0 || r.has&hasType == 0 {
		return Entry{}, errors.New("path and type are required")
	}
	e := Entry{Path: r.path, Type: r.typ}
	if err := CheckRelPath(e.Path); err != nil {
		return e, fmt.Errorf("path %q: %w", e.Path, err)
	}
	if rootOf(roots, e.Path) == "" {
		return e, fmt.Errorf("path %q lies outside every root", e.Path)
	}
	mode := func() error {
		m, ok := parseMode(r.mode)
		if r.has&hasMode == 0 || !ok {
			return fmt.Errorf("%q: mode must be four octal digits", e.Path)
		}
		e.Mode = m
		return nil
	}
	only := func(bits uint8) bool { return r.has&^(hasPath|hasType) == bits }
	switch e.Type {
	case TypeFile:
		if !only(hasSize|hasMode|hasDigest) || r.size < 0 || !lowerHex(r.digest) {
			return e, fmt.Errorf("%q: a file has a size, a mode and a lower-case hex blake3, and no target", e.Path)
		}
		if err := mode(); err != nil {
			return e, err
		}
		e.Size = r.size
		_, _ = hex.Decode(e.BLAKE3[:], []byte(r.digest))
	case TypeDir:
		if r.has&(hasSize|hasDigest|hasTarget) != 0 {
			return e, fmt.Errorf("%q: a directory has only a mode", e.Path)
		}
		if err := mode(); err != nil {
			return e, err
		}
	case TypeSymlink:
		if !only(hasTarget) || r.target == "" {
			return e, fmt.Errorf("%q: a symbolic link has only a target", e.Path)
		}
		e.Target = r.target
	default:
		return e, fmt.Errorf("%q: type %q is not file, dir or symlink", e.Path, e.Type)
	}
	return e, nil
}

// parseMode reads exactly four octal digits.
func parseMode(s string) (uint32, bool) {
	if len(s) != 4 {
		return 0, false
	}
	var m uint32
	for i := range 4 {
		c := s[i]
		if c < '0' || c > '7' {
			return 0, false
		}
		m = m<<3 | uint32(c-'0')
	}
	return m, true
}

// lowerHex reports whether s is 64 lower-case hex digits.
func lowerHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// The fixed parts of the layout Marshal writes.
const (
	entriesOpen  = "\n  \"entries\": ["
	entriesClose = "\n  ]\n}\n"
	emptyClose   = "]\n}\n"
	entryStart   = "\n    {\"path\":"
)

// readCanonical reads the layout Marshal writes: the header with
// encoding/json (it is small), then one entry per line by matching the
// exact bytes Marshal produces. It returns ok false as soon as anything
// differs, a JSON escape in a string included, leaving the bytes to the
// strict decoder: it may decline valid manifests, never accept what the
// strict decoder would refuse or read differently.
func readCanonical(s string) (wireManifest, []rawEntry, bool) {
	var w wireManifest
	i := strings.Index(s, entriesOpen)
	if i < 0 {
		return w, nil, false
	}
	dec := json.NewDecoder(strings.NewReader(s[:i] + "\n  \"entries\": null\n}"))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return w, nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return w, nil, false
	}
	rest := s[i+len(entriesOpen):]
	entries := make([]rawEntry, 0, strings.Count(rest, "\n")) // one line per entry, bar the last two
	if rest == emptyClose {
		return w, entries, true
	}
	for {
		var e rawEntry
		var ok bool
		if !strings.HasPrefix(rest, entryStart) {
			return w, nil, false
		}
		rest = rest[len(entryStart):]
		if e.path, rest, ok = plainString(rest); !ok {
			return w, nil, false
		}
		e.has = hasPath | hasType
		switch {
		case strings.HasPrefix(rest, `,"type":"file","size":`):
			rest = rest[len(`,"type":"file","size":`):]
			e.typ = TypeFile
			if e.size, rest, ok = plainInt(rest); !ok || !strings.HasPrefix(rest, `,"mode":"`) || len(rest) < len(`,"mode":"0000","blake3":"`)+64+2 {
				return w, nil, false
			}
			e.mode = rest[len(`,"mode":"`) : len(`,"mode":"`)+4]
			rest = rest[len(`,"mode":"`)+4:]
			if !strings.HasPrefix(rest, `","blake3":"`) {
				return w, nil, false
			}
			e.digest = rest[len(`","blake3":"`) : len(`","blake3":"`)+64]
			rest = rest[len(`","blake3":"`)+64:]
			if !strings.HasPrefix(rest, `"}`) {
				return w, nil, false
			}
			rest = rest[2:]
			e.has |= hasSize | hasMode | hasDigest
		case strings.HasPrefix(rest, `,"type":"dir","mode":"`):
			rest = rest[len(`,"type":"dir","mode":"`):]
			e.typ = TypeDir
			if len(rest) < 6 || rest[4:6] != `"}` {
				return w, nil, false
			}
			e.mode, rest = rest[:4], rest[6:]
			e.has |= hasMode
		case strings.HasPrefix(rest, `,"type":"symlink","target":`):
			rest = rest[len(`,"type":"symlink","target":`):]
			e.typ = TypeSymlink
			if e.target, rest, ok = plainString(rest); !ok || !strings.HasPrefix(rest, "}") {
				return w, nil, false
			}
			rest = rest[1:]
			e.has |= hasTarget
		default:
			return w, nil, false
		}
		entries = append(entries, e)
		switch {
		case rest == entriesClose:
			return w, entries, true
		case strings.HasPrefix(rest, ","):
			rest = rest[1:]
		default:
			return w, nil, false
		}
	}
}

// plainString reads a JSON string without escapes, control characters or
// non-ASCII bytes (anything else declines), and returns it and the rest.
func plainString(s string) (string, string, bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[1:i], s[i+1:], true
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return "", s, false
		}
	}
	return "", s, false
}

// plainInt reads a JSON integer as Marshal writes one: digits, no sign, no
// leading zero.
func plainInt(s string) (int64, string, bool) {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	if n == 0 || n > 1 && s[0] == '0' {
		return 0, s, false
	}
	v, err := strconv.ParseInt(s[:n], 10, 64)
	if err != nil {
		return 0, s, false
	}
	return v, s[n:], true
}
