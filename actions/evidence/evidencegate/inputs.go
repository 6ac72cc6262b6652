package evidencegate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"regexp"
	"strings"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
)

var gateNameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func gateName(s string) bool { return gateNameRE.MatchString(s) }

// parseGateImages reads "gate=registry/repo@sha256:<hex>" lines.
func parseGateImages(lines []string) (map[string]string, error) {
	out := map[string]string{}
	for _, l := range lines {
		g, ref, ok := strings.Cut(l, "=")
		g, ref = strings.TrimSpace(g), strings.TrimSpace(ref)
		if !ok || !gateName(g) {
			return nil, gate.BadInputf(inputGateImages, l, "want gate=registry/repo@sha256:<hex>")
		}
		r, err := ociref.Parse(ref)
		if err != nil {
			return nil, gate.BadInputf(inputGateImages, l, "%v", err)
		}
		if !strings.Contains(r.Identifier(), "sha256:") || !imageDigestRE.MatchString(ref) {
			return nil, gate.BadInputf(inputGateImages, l, "want the image by digest (@sha256:<hex>), not a tag")
		}
		out[g] = ref
	}
	return out, nil
}

var imageDigestRE = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

// dashboardVars are the names a dashboard template may use.
var dashboardVars = []string{"repository", "sha", "ref", "run_id", "run_attempt", "subject"}

var placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)

// parseDashboards reads "name=template" lines and checks each template:
// known placeholders only, and an https URL once filled in.
func parseDashboards(lines []string) ([]Dashboard, error) {
	var out []Dashboard
	for _, l := range lines {
		n, tmpl, ok := strings.Cut(l, "=")
		n, tmpl = strings.TrimSpace(n), strings.TrimSpace(tmpl)
		if !ok || n == "" {
			return nil, gate.BadInputf(inputDashboards, l, "want name=https://... (canary=https://grafana.example/d/x?var-sha={sha})")
		}
		for _, m := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
			if !contains(dashboardVars, m[1]) {
				return nil, gate.BadInputf(inputDashboards, l, "unknown placeholder {%s}: want one of {%s}", m[1], strings.Join(dashboardVars, "}, {"))
			}
		}
		filled := placeholderRE.ReplaceAllString(tmpl, "x")
		if u, err := url.Parse(filled); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, gate.BadInputf(inputDashboards, l, "want an https:// URL")
		}
		out = append(out, Dashboard{Name: n, URL: tmpl})
	}
	return out, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// expandDashboards fills in the templates with the run's values,
// URL-escaped (a slash of owner/repo kept).
func expandDashboards(ds []Dashboard, run Run, subjects []Subject) []Dashboard {
	subject := ""
	if len(subjects) > 0 {
		subject = subjects[0].Digest["sha256"]
	}
	vals := map[string]string{"repository": run.Repository, "sha": run.SHA, "ref": run.Ref, "run_id": run.RunID,
		"run_attempt": run.RunAttempt, "subject": subject}
	out := make([]Dashboard, 0, len(ds))
	for _, d := range ds {
		u := placeholderRE.ReplaceAllStringFunc(d.URL, func(m string) string {
			return strings.ReplaceAll(url.QueryEscape(vals[m[1:len(m)-1]]), "%2F", "/")
		})
		out = append(out, Dashboard{Name: d.Name, URL: u})
	}
	return out
}

// fileSubjects hashes each release file, read through the workspace root.
func fileSubjects(in *gate.Inputs, files []string) ([]Subject, []evidence.Artifact, error) {
	var subjects []Subject
	var read []evidence.Artifact
	for _, f := range files {
		name := strings.TrimPrefix(strings.TrimSpace(f), "./")
		fh, fi, err := in.Workspace().OpenRegular(name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fsroot.ErrEscapes) || errors.Is(err, fsroot.ErrNotRegular) {
				return nil, nil, gate.FileInputError(inputArtifacts, f, err)
			}
			return nil, nil, err
		}
		h := sha256.New()
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return nil, nil, gate.FileInputError(inputArtifacts, f, err)
		}
		hx := hex.EncodeToString(h.Sum(nil))
		subjects = append(subjects, Subject{Name: name, Digest: map[string]string{"sha256": hx}})
		read = append(read, evidence.Artifact{Path: name, Digest: "sha256:" + hx, Size: fi.Size()})
	}
	return subjects, read, nil
}
