package sentinel

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FormatV1 names version 1 of the manifest format. A manifest carrying any
// other format string is refused: a reader never guesses at fields it does
// not know.
const FormatV1 = "https://github.com/hubgates/hub/actions/cache-sentinel/manifest/v1"

// The entry types of a manifest.
const (
	TypeFile    = "file"
	TypeDir     = "dir"
	TypeSymlink = "symlink"
)

// Manifest is the signed description of a cache: who sealed it, for which
// key, and every file, directory and symbolic link under its roots.
type Manifest struct {
	// Format is FormatV1.
	Format string `json:"format"`
	// CacheKey is the actions/cache key the cache was saved under.
	CacheKey string `json:"cacheKey"`
	// Repository, Ref, SHA and RunID say which run sealed the cache.
	Repository string `json:"repository"`
	Ref        string `json:"ref"`
	SHA        string `json:"sha"`
	RunID      string `json:"runId"`
	// TrustDomain is the trust domain of the sealing run (see [Domain]).
	TrustDomain Domain `json:"trustDomain"`
	// Created is when the manifest was written, UTC, to the second.
	Created time.Time `json:"created"`
	// Roots are the cache paths, relative to the workspace, sorted.
	Roots []string `json:"roots"`
	// Files and Bytes count the regular files and their total size.
	Files int64 `json:"files"`
	Bytes int64 `json:"bytes"`
	// Entries lists every entry under the roots (the roots included),
	// sorted by path byte by byte, without duplicates.
	Entries []Entry `json:"entries"`
}

// Entry is one file, directory or symbolic link. Path is relative to the
// workspace with forward slashes. A file has Size, Mode and BLAKE3; a
// directory has Mode; a symbolic link has Target, exactly as stored.
type Entry struct {
	Path   string
	Type   string
	Size   int64
	Mode   uint32 // permission bits plus setuid (04000), setgid (02000), sticky (01000)
	Target string
	BLAKE3 [32]byte
}

// Marshal renders m deterministically: the header fields in a fixed order,
// then one entry per line. The same tree always gives the same bytes
// (bar the header's run fields), so manifests diff cleanly.
func (m *Manifest) Marshal() ([]byte, error) {
	// Sized up front: a large cache's manifest is tens of megabytes, and
	// growing by doubling would copy it several times.
	size := 1024
	for _, e := range m.Entries {
		size += len(e.Path) + len(e.Target) + 140
	}
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString("{\n")
	field := func(name string, v any) error {
		j, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("marshaling manifest field %s: %w", name, err)
		}
		fmt.Fprintf(&b, "  %q: %s,\n", name, j)
		return nil
	}
	roots := m.Roots
	if roots == nil {
		roots = []string{}
	}
	for _, f := range []struct {
		name string
		v    any
	}{
		{"format", m.Format}, {"cacheKey", m.CacheKey}, {"repository", m.Repository}, {"ref", m.Ref},
		{"sha", m.SHA}, {"runId", m.RunID}, {"trustDomain", m.TrustDomain},
		{"created", m.Created.UTC().Truncate(time.Second).Format(time.RFC3339)},
		{"roots", roots}, {"files", m.Files}, {"bytes", m.Bytes},
	} {
		if err := field(f.name, f.v); err != nil {
			return nil, err
		}
	}
	b.WriteString("  \"entries\": [")
	for i, e := range m.Entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		if err := e.appendJSON(&b); err != nil {
			return nil, err
		}
	}
	if len(m.Entries) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	return b.Bytes(), nil
}

// appendJSON writes e as one JSON object. It is hand-written, not
// json.Marshal per entry, because a large cache has hundreds of thousands
// of entries and this runs after the hashing, on the critical path.
func (e Entry) appendJSON(b *bytes.Buffer) error {
	b.WriteString(`{"path":`)
	appendJSONString(b, e.Path)
	switch e.Type {
	case TypeFile:
		b.WriteString(`,"type":"file","size":`)
		b.WriteString(strconv.FormatInt(e.Size, 10))
		b.WriteString(`,"mode":"`)
		appendMode(b, e.Mode)
		b.WriteString(`","blake3":"`)
		var h [64]byte
		hex.Encode(h[:], e.BLAKE3[:])
		b.Write(h[:])
		b.WriteString(`"}`)
	case TypeDir:
		b.WriteString(`,"type":"dir","mode":"`)
		appendMode(b, e.Mode)
		b.WriteString(`"}`)
	case TypeSymlink:
		b.WriteString(`,"type":"symlink","target":`)
		appendJSONString(b, e.Target)
		b.WriteByte('}')
	default:
		return fmt.Errorf("marshaling manifest entry %q: unknown type %q", e.Path, e.Type)
	}
	return nil
}

// appendMode writes m as four octal digits.
func appendMode(b *bytes.Buffer, m uint32) {
	b.Write([]byte{'0' + byte(m>>9&7), '0' + byte(m>>6&7), '0' + byte(m>>3&7), '0' + byte(m&7)})
}

// appendJSONString writes s as a JSON string: plain ASCII is copied as it
// is, anything else goes through encoding/json so escaping (control
// characters, invalid UTF-8, HTML-sensitive characters) matches it exactly.
func appendJSONString(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s)
			b.Write(j)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// CheckRelPath accepts only a canonical relative slash path: not empty, not
// absolute, no backslash or NUL, and no empty, "." or ".." component.
// Manifest paths and roots must pass it, so a manifest can never name a
// place outside the workspace.
func CheckRelPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case strings.HasPrefix(p, "/"):
		return errors.New("absolute path")
	case strings.ContainsAny(p, "\\\x00"):
		return errors.New("backslash or NUL in path")
	}
	for rest := p; ; {
		c, tail, more := strings.Cut(rest, "/")
		switch c {
		case "":
			return errors.New("empty path component")
		case ".":
			return errors.New(`"." component`)
		case "..":
			return errors.New(`".." component (path traversal)`)
		}
		if !more {
			return nil
		}
		rest = tail
	}
}

// within reports whether the slash path p is root or lies under it.
func within(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+"/")
}

// rootOf returns the root p lies in, or "".
func rootOf(roots []string, p string) string {
	for _, r := range roots {
		if within(r, p) {
			return r
		}
	}
	return ""
}
