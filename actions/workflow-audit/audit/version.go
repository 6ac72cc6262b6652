package audit

import (
	"strconv"
	"strings"
)

// version is a dotted release number such as v4.2.2 or 0.34; missing
// components compare as 0 and pre-release suffixes are ignored.
type version [4]int

// parseRelease reads "v4", "4.2.2", "v0.34.2-rc1"; false for anything
// else (a branch, a SHA).
func parseRelease(s string) (version, bool) {
	var v version
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "v"), "V")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > len(v) {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func (a version) compare(b version) int {
	for i := range a {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}

// inRange reports whether v satisfies an advisory's vulnerable version
// range: comma-separated constraints ("< 4.0.1", ">= 1.0, < 2.3",
// "= 1.2.3", "<= 0.34.2"), all of which must hold. known is false when
// the range cannot be read.
func inRange(v version, rng string) (in, known bool) {
	for _, c := range strings.Split(rng, ",") {
		c = strings.TrimSpace(c)
		op := ""
		for _, o := range []string{">=", "<=", "!=", ">", "<", "="} {
			if strings.HasPrefix(c, o) {
				op = o
				break
			}
		}
		b, ok := parseRelease(strings.TrimSpace(c[len(op):]))
		if !ok {
			return false, false
		}
		cmp := v.compare(b)
		var holds bool
		switch op {
		case ">=":
			holds = cmp >= 0
		case "<=":
			holds = cmp <= 0
		case ">":
			holds = cmp > 0
		case "<":
			holds = cmp < 0
		case "!=":
			holds = cmp != 0
		default:
			holds = cmp == 0
		}
		if !holds {
			return false, true
		}
	}
	return true, true
}
