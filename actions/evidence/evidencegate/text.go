package evidencegate

import (
	"strings"

	"github.com/hubgates/hub/shared/evidence"
)

type evidenceArtifact = evidence.Artifact

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// subjectDigests lists the subjects' digests for a message.
func subjectDigests(ss []Subject) string {
	var out []string
	for _, s := range ss {
		out = append(out, "sha256:"+s.Digest["sha256"])
	}
	return "[" + strings.Join(out, " ") + "]"
}

// readDigests lists, at most five, the digests a record says its gate
// read, for a message.
func readDigests(r evidence.Record) string {
	var out []string
	for i, a := range r.Read {
		if i == 5 {
			out = append(out, "...")
			break
		}
		out = append(out, a.Digest)
	}
	if len(out) == 0 {
		return "nothing"
	}
	return "[" + strings.Join(out, " ") + "]"
}
