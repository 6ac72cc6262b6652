package repro

import (
	"fmt"
	"strconv"
)

// diff is one difference between the two builds.
type diff struct {
	rule string
	// subject is what noise options match: an entry's path inside its
	// tree, a config field's name, a platform.
	subject string
	// where says where in the walk it was found ("linux/amd64 layer 2"),
	// empty at the top.
	where   string
	message string
}

// text renders the difference as a finding's message.
func (d diff) text() string {
	if d.where == "" {
		return d.message
	}
	return d.where + ": " + d.message
}

// recorder collects differences up to a limit, so a rebuild that differs
// everywhere stays a readable report; the rest are counted.
type recorder struct {
	diffs   []diff
	limit   int
	dropped int
}

func (r *recorder) add(rule, where, subject, format string, args ...any) {
	if len(r.diffs) >= r.limit {
		r.dropped++
		return
	}
	r.diffs = append(r.diffs, diff{rule: rule, where: where, subject: subject, message: fmt.Sprintf(format, args...)})
}

// count is the number of differences seen, listed or not.
func (r *recorder) count() int { return len(r.diffs) + r.dropped }

// excerptLen is the most bytes of each side an excerpt shows.
const excerptLen = 24

// quote renders bytes as an escaped excerpt: printable ASCII as text,
// everything else as \xNN, so a binary excerpt prints safely.
func quote(b []byte) string { return strconv.QuoteToASCII(string(b)) }

// within joins the place of a walk step to a deeper one.
func within(where, more string) string {
	if where == "" {
		return more
	}
	return where + " " + more
}
