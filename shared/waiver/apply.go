package waiver

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// JobSpan places a workflow job in its file: the lines from its key
// ("build:") to its last line. A waiver with a Job selector matches the
// findings whose line lies inside the span of that job in that file.
type JobSpan struct {
	Path  string // the workflow, repository-relative
	Job   string // the job id as written
	Start int    // the line of the job's key
	End   int    // the job's last line, Start or more
}

// inJob reports whether f lies inside the job called id in f's file. Job
// ids are compared case-insensitively, as GitHub does.
func inJob(f finding.Finding, id string, jobs []JobSpan) bool {
	if f.Line < 1 {
		return false
	}
	for _, s := range jobs {
		if s.Path == f.Path && strings.EqualFold(s.Job, id) && s.Start <= f.Line && f.Line <= s.End {
			return true
		}
	}
	return false
}

// Apply waives findings and reports on the waivers. It returns out, a copy
// of fs in the same order in which each finding a live waiver matches
// carries a Suppression (kept, not dropped: it is still reported, but
// finding.CountAtLeast no longer counts it), and meta, the findings about
// the waivers themselves, in waiver order:
//
//   - an expired waiver ([Policy.Expired]) waives nothing and is reported
//     as expired-waiver at the place it is written, with how many findings
//     it would have matched;
//   - a live waiver that matches no finding is reported as unused-waiver.
//
// When several live waivers match a finding, all count as used and the
// first in ws is the one recorded, so gates pass inline waivers (the more
// precise) before the configuration file's. A finding that arrives already
// suppressed (a tool's own in-source suppression) keeps its suppression
// and is not matched against ws. jobs places workflow jobs for waivers
// with a Job selector; nil is fine for gates without workflows. Apply
// trusts ws: waivers come from Parse, Load or ParseInline, which check
// them.
func (p *Policy) Apply(fs []finding.Finding, ws []Waiver, jobs []JobSpan) (out, meta []finding.Finding) {
	out = make([]finding.Finding, len(fs))
	copy(out, fs)
	matched := make([]int, len(ws))
	expired := make([]bool, len(ws))
	for i, w := range ws {
		expired[i] = p.Expired(w)
	}
	for i := range out {
		f := &out[i]
		if f.Suppressed() {
			continue
		}
		for j, w := range ws {
			if !w.Matches(*f, jobs) {
				continue
			}
			matched[j]++
			if !expired[j] && f.Suppression == nil {
				f.Suppression = w.suppression()
			}
		}
	}
	for j, w := range ws {
		switch {
		case expired[j]:
			meta = append(meta, metaFinding(ExpiredRule, w, expiredMessage(w, matched[j])))
		case matched[j] == 0:
			meta = append(meta, metaFinding(UnusedRule, w, fmt.Sprintf(
				"%s matches no finding; delete it if the finding was fixed, or correct its selectors (it expires %s)", w.Describe(), w.ExpiresOn())))
		}
	}
	return out, meta
}

func expiredMessage(w Waiver, n int) string {
	msg := fmt.Sprintf("%s expired on %s (reason: %q) and no longer waives anything", w.Describe(), w.ExpiresOn(), w.Reason)
	switch n {
	case 0:
		return msg + "; it matches no finding either, so delete it"
	case 1:
		return msg + "; the 1 finding it matches is reported again"
	default:
		return msg + fmt.Sprintf("; the %d findings it matches are reported again", n)
	}
}

// metaFinding is a finding of one of the waiver rules, placed where the
// waiver is written.
func metaFinding(r finding.Rule, w Waiver, msg string) finding.Finding {
	return finding.Finding{
		Rule:        r.ID,
		Severity:    r.Severity,
		Message:     msg,
		Path:        w.Source.Path,
		Line:        w.Source.Line,
		Col:         w.Source.Col,
		Fingerprint: finding.Fingerprint(r.ID, w.Source.Path, w.identity()),
	}
}
