package repro

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"runtime/debug"
	"sort"
)

// buildinfoDiff compares the Go build information of two executables:
// the Go version, the main module, every dependency (version, sum,
// replacement) and every build setting (-trimpath, -ldflags, CGO_ENABLED,
// vcs.revision, vcs.time, vcs.modified ...). It returns nothing when
// either is not a Go binary.
func buildinfoDiff(a, b []byte) []string {
	ia, errA := buildinfo.Read(bytes.NewReader(a))
	ib, errB := buildinfo.Read(bytes.NewReader(b))
	switch {
	case errA != nil && errB != nil:
		return nil
	case errA != nil:
		return []string{"only the actual file is a Go binary"}
	case errB != nil:
		return []string{"only the expected file is a Go binary"}
	}
	var out []string
	cmp := func(what, x, y string) {
		if x != y {
			out = append(out, fmt.Sprintf("%s: expected %s, got %s", what, show(x), show(y)))
		}
	}
	cmp("go version", ia.GoVersion, ib.GoVersion)
	cmp("package path", ia.Path, ib.Path)
	cmp("main module", mod(&ia.Main), mod(&ib.Main))
	da, db := deps(ia.Deps), deps(ib.Deps)
	for _, k := range keys(da, db) {
		cmp("module "+k, da[k], db[k])
	}
	sa, sb := settings(ia.Settings), settings(ib.Settings)
	for _, k := range keys(sa, sb) {
		cmp("setting "+k, sa[k], sb[k])
	}
	return out
}

// show quotes a value, naming an absent one.
func show(s string) string {
	if s == "" {
		return "(absent)"
	}
	return fmt.Sprintf("%q", s)
}

func mod(m *debug.Module) string {
	if m == nil || m.Path == "" {
		return ""
	}
	s := m.Path + "@" + m.Version
	if m.Sum != "" {
		s += " " + m.Sum
	}
	if m.Replace != nil {
		s += " => " + mod(m.Replace)
	}
	return s
}

func deps(ms []*debug.Module) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		out[m.Path] = mod(m)
	}
	return out
}

func settings(ss []debug.BuildSetting) map[string]string {
	out := map[string]string{}
	for _, s := range ss {
		out[s.Key] = s.Value
	}
	return out
}

// keys returns the keys of both maps, sorted.
func keys(a, b map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]string{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
