package audit

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// cachePoisoningRule reports cache restores in workflows that publish or
// that privileged triggers start. Every workflow run on the default branch
// shares one cache scope, so a cache entry written by any of them,
// including one running an outsider's code, is restored into the release.
type cachePoisoningRule struct{}

func (cachePoisoningRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleCachePoisoning,
		Severity: finding.High,
		Summary:  "Cache restored in a release, deploy or privileged workflow",
		Help: "GitHub Actions caches are shared by every workflow run on a branch: an entry written by a " +
			"low-privilege workflow (a pull_request_target job running fork code, a compromised test " +
			"dependency) is restored into any later run on the default branch. A release or deploy that " +
			"restores a cache can therefore ship an attacker's build. Build releases from a clean state: " +
			"\"cache: false\" on actions/setup-go (which caches by default since v4), no \"cache:\" input on " +
			"setup-node/setup-python/setup-java, no actions/cache or actions/cache/restore step, " +
			"\"lookup-only: true\" where a step must stay. Caching in CI on push and pull_request is fine.",
		HelpURI: helpBase + RuleCachePoisoning,
	}
}

// usesCache reports whether the step restores a cache, and how to stop
// it. Inputs written as expressions are decided at run time and never
// count as turning the cache on.
func usesCache(src []byte, st *step, a actionRef) (fix string, restores bool) {
	// enabledIf: on only when the input is literally onValue.
	enabledIf := func(name, onValue string) bool {
		v := withValue(st, name)
		return v != nil && !containsExpression(v.value) && strings.EqualFold(strings.TrimSpace(v.value), onValue)
	}
	// enabledUnless: on by default, off when the input is literally
	// offValue or an expression.
	enabledUnless := func(name, offValue string) bool {
		v := withValue(st, name)
		return v == nil || (!containsExpression(v.value) && !strings.EqualFold(strings.TrimSpace(v.value), offValue))
	}
	nonEmpty := func(name string) bool {
		v := withValue(st, name)
		return v != nil && strings.TrimSpace(v.value) != "" && !containsExpression(v.value)
	}
	switch a.name() {
	case "actions/cache", "actions/cache/restore", "swatinem/rust-cache":
		return "remove the step or set \"lookup-only: true\"", enabledUnless("lookup-only", "true")
	case "actions/setup-go":
		if withValue(st, "cache") != nil {
			return "set \"cache: false\"", enabledIf("cache", "true")
		}
		return "set \"cache: false\" (it caches by default since v4)", actionMajor(src, st, a) >= 4
	case "actions/setup-node", "actions/setup-python", "actions/setup-java", "graalvm/setup-graalvm":
		return "remove the \"cache:\" input", nonEmpty("cache")
	case "actions/setup-dotnet":
		return "remove \"cache: true\"", enabledIf("cache", "true")
	case "astral-sh/setup-uv":
		return "set \"enable-cache: false\"", enabledIf("enable-cache", "true")
	case "ruby/setup-ruby":
		return "remove \"bundler-cache: true\"", enabledIf("bundler-cache", "true")
	case "oven-sh/setup-bun":
		return "set \"no-cache: true\"", enabledUnless("no-cache", "true")
	case "gradle/actions/setup-gradle":
		return "set \"cache-disabled: true\"", enabledUnless("cache-disabled", "true")
	case "mlugg/setup-zig":
		return "set \"use-cache: false\"", enabledUnless("use-cache", "false")
	case "actions-rust-lang/setup-rust-toolchain", "jdx/mise-action":
		return "set \"cache: false\"", enabledUnless("cache", "false")
	case "determinatesystems/magic-nix-cache-action":
		return "set \"use-gha-cache: false\"", enabledUnless("use-gha-cache", "false")
	case "mozilla-actions/sccache-action", "nix-community/cache-nix-action", "awalsh128/cache-apt-pkgs-action":
		return "remove the step", true
	case "docker/build-push-action":
		v := withValue(st, "cache-from")
		return "drop \"type=gha\" from \"cache-from\"", v != nil && strings.Contains(v.value, "type=gha")
	}
	return "", false
}

var (
	majorTagRe     = regexp.MustCompile(`^v?(\d+)(\.|$)`)
	majorCommentRe = regexp.MustCompile(`#\s*v?(\d+)(\.|\s|$)`)
)

// actionMajor returns the major version a uses: names: from a "v5" style
// ref, or from the "# v5.4.0" comment after a commit SHA. Unknown versions
// count as current (a large number): SHA pins without a comment are
// almost always to a recent release.
func actionMajor(src []byte, st *step, a actionRef) int {
	if m := majorTagRe.FindStringSubmatch(a.ref); m != nil && !upperSHARe.MatchString(a.ref) {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	lines := bytes.Split(src, []byte("\n"))
	if l := st.uses.pos.line; l > 0 && l <= len(lines) {
		text := string(lines[l-1])
		if c := st.uses.pos.col - 1 + len(st.uses.value); c >= 0 && c <= len(text) {
			if m := majorCommentRe.FindStringSubmatch(text[c:]); m != nil {
				n, _ := strconv.Atoi(m[1])
				return n
			}
		}
	}
	return 1 << 16
}

func (cachePoisoningRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil {
		return
	}
	why := ""
	if r := wf.eventPublishReason(); r != "" {
		why = "a workflow that publishes (" + r + ")"
	} else if t := wf.privilegedTrigger(); t != "" {
		why = "a workflow that " + t + " starts, where people without write access choose the code or input"
	}
	for _, j := range wf.jobs {
		jobWhy := why
		if jobWhy == "" {
			r := j.publishReason()
			if r == "" {
				continue
			}
			jobWhy = "a job that " + r
		}
		for _, st := range j.steps {
			a, ok := stepAction(st)
			if !ok {
				continue
			}
			fix, restores := usesCache(wf.src, st, a)
			if !restores {
				continue
			}
			rep.report(finding.High, st.uses.pos, "cache:"+j.id.value+":"+st.uses.value, fmt.Sprintf("%s restores a GitHub Actions cache in %s; any workflow run on the branch can write that cache, so build from a clean state: %s", a.name(), jobWhy, fix))
		}
	}
}
