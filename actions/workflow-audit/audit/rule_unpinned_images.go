package audit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// unpinnedImagesRule reports container images not pinned by digest.
type unpinnedImagesRule struct{}

func (unpinnedImagesRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleUnpinnedImages,
		Severity: finding.High,
		Summary:  "Container image not pinned by sha256 digest",
		Help: "An image tag can be re-pushed with different content. Pin every image a workflow, action or " +
			"Dockerfile pulls by digest, keeping the tag for readability, e.g. " +
			"\"node:20@sha256:<64 hex digits>\" (find the digest with \"docker buildx imagetools inspect\" or " +
			"\"crane digest\"), and let Dependabot or Renovate update it. Images given by expressions or " +
			"build arguments cannot be checked: use literal, pinned values.",
		HelpURI: helpBase + RuleUnpinnedImages,
	}
}

var digestRe = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

// imagePinned reports whether an image reference ends in a full sha256
// digest; with a literal digest the registry and tag do not matter.
func imagePinned(ref string) bool { return digestRe.MatchString(ref) }

func (r unpinnedImagesRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	for _, j := range wf.jobs {
		for _, st := range j.steps {
			r.checkDockerUses(st.uses, "step image", rep)
		}
		if j.container != nil {
			r.check(rep, "container image", *j.container, j.container.value, "")
		}
		for _, s := range j.services {
			if s.image != nil {
				r.check(rep, fmt.Sprintf("service %q image", s.name), *s.image, s.image.value, "")
			}
		}
		if e := j.servicesExpr; e != nil {
			rep.report(finding.Medium, e.pos, e.value, fmt.Sprintf("services %q are an expression, so their image pins cannot be checked; list the services with literal images pinned by \"@sha256:<digest>\"", e.value))
		}
	}
}

func (r unpinnedImagesRule) checkAction(a *actionFile, rep *reporter) {
	if a.image != nil && a.dockerfile == "" {
		if ref, ok := strings.CutPrefix(a.image.value, "docker://"); ok {
			r.check(rep, "action image", *a.image, ref, "")
		} else if containsExpression(a.image.value) || a.registryImage {
			r.check(rep, "action image", *a.image, a.image.value, "")
		}
	}
	for _, st := range a.steps {
		r.checkDockerUses(st.uses, "step image", rep)
	}
}

func (r unpinnedImagesRule) checkDockerUses(u *scalar, what string, rep *reporter) {
	if u == nil {
		return
	}
	if ref, ok := strings.CutPrefix(u.value, "docker://"); ok {
		r.check(rep, what, *u, ref, "")
	}
}

func (r unpinnedImagesRule) checkDockerfile(df *dockerfileFile, rep *reporter) {
	for _, img := range df.images {
		if img.scratch || img.stageRef {
			continue
		}
		what := "base image"
		if img.instr != "FROM" {
			what = "image in " + img.instr
		}
		if img.onlyVariable {
			rep.report(finding.Medium, img.raw.pos, img.raw.value, fmt.Sprintf("%s %q is a build argument with no default, so its pin cannot be checked; give the ARG a default pinned by \"@sha256:<digest>\" or write the image literally", what, img.raw.value))
			continue
		}
		note := ""
		switch {
		case len(img.unresolved) > 0:
			note = fmt.Sprintf(" (build argument %q has no default)", img.unresolved[0])
		case img.resolved != img.raw.value:
			note = fmt.Sprintf(" (it resolves to %q from ARG defaults)", img.resolved)
		}
		r.check(rep, what, img.raw, img.resolved, note)
	}
}

// check reports the image ref (shown to the user as at.value) unless it is
// pinned or allowed. note adds detail after the quoted value.
func (r unpinnedImagesRule) check(rep *reporter, what string, at scalar, ref, note string) {
	if imagePinned(ref) {
		return
	}
	if containsExpression(ref) {
		rep.report(finding.Medium, at.pos, at.value, fmt.Sprintf("%s %q is an expression, so its digest pin cannot be checked; use a literal image pinned by \"@sha256:<digest>\" (a matrix can list pinned images)", what, at.value))
		return
	}
	if !strings.Contains(ref, "$") && rep.ctx.allow.allowsImage(ref) {
		return
	}
	if note == "" {
		last := ref[strings.LastIndexByte(ref, '/')+1:]
		switch {
		case strings.Contains(last, "@"):
			note = " (its digest is not a full sha256 digest)"
		case !strings.Contains(last, ":"):
			note = " (no tag means \"latest\")"
		}
	}
	suggest := ref
	if i := strings.IndexByte(suggest, '@'); i >= 0 {
		suggest = suggest[:i]
	}
	if strings.HasPrefix(at.value, "docker://") {
		suggest = "docker://" + suggest
	}
	rep.report(r.meta().Severity, at.pos, at.value, fmt.Sprintf("%s %q is not pinned by digest%s; pin it to an immutable digest, keeping the tag for readability, e.g. %q", what, at.value, note, suggest+"@sha256:<digest>"))
}
