package audit

import (
	"bytes"
	"regexp"
	"strings"
)

// usesRef is one uses: of another repository's action or reusable
// workflow, as the online rules and fix mode need it.
type usesRef struct {
	path string // the file, repository-relative
	at   scalar // the value and its position
	ref  actionRef
	line string // the source line holding the value
	// comment is the version a trailing comment names ("v4.2.2" in
	// "# v4.2.2" or "# tag=v4.2.2"), or "".
	comment string
}

// commentVersionRe finds the version in a trailing comment: "# v4.2.2",
// "# tag=v4.2.2", "# pin @v4.2.2", "# v4".
var commentVersionRe = regexp.MustCompile(`#\s*(?:tag\s*[=:]\s*|pin\s*@?|ratchet:[^@\s]+@)?(v?\d+(?:\.\d+){0,3}(?:[-+][0-9A-Za-z.-]+)?)\b`)

// usesRefs returns the uses: of other repositories in a parsed workflow or
// action, in source order.
func usesRefs(path string, src []byte, m any) []usesRef {
	var vals []scalar
	switch m := m.(type) {
	case *workflowFile:
		for _, j := range m.jobs {
			if j.uses != nil {
				vals = append(vals, *j.uses)
			}
			for _, st := range j.steps {
				if st.uses != nil {
					vals = append(vals, *st.uses)
				}
			}
		}
	case *actionFile:
		for _, st := range m.steps {
			if st.uses != nil {
				vals = append(vals, *st.uses)
			}
		}
	}
	if len(vals) == 0 {
		return nil
	}
	lines := bytes.Split(src, []byte("\n"))
	var out []usesRef
	for _, v := range vals {
		a, ok := parseActionRef(v.value)
		if !ok || a.ref == "" {
			continue
		}
		u := usesRef{path: path, at: v, ref: a}
		if l := v.pos.line; l >= 1 && l <= len(lines) {
			u.line = strings.TrimRight(string(lines[l-1]), "\r")
			if i := strings.Index(u.line, v.value); i >= 0 {
				rest := u.line[i+len(v.value):]
				if m := commentVersionRe.FindStringSubmatch(rest); m != nil {
					u.comment = m[1]
				}
			}
		}
		out = append(out, u)
	}
	return out
}
