package audit

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/rhysd/actionlint"

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

// cacheToggle is how an input turns a caching action's cache on or off.
type cacheToggle int

const (
	optIn  cacheToggle = iota // the input turns caching on
	optOut                    // the input turns caching off
)

// cacheControl describes one caching action: the input that controls its
// cache, and what the cache does when the input is absent.
type cacheControl struct {
	input  string
	toggle cacheToggle
	// on lists the values that turn the input's toggle on ("true" for a
	// boolean); nil means any non-empty value does (setup-node's
	// "cache: npm").
	on []string
	// byDefault is whether the cache runs when the input is absent; from
	// is the first major version that does so (0: every version).
	byDefault bool
	from      int
	// also is a second input that caches (setup-node's
	// package-manager-cache, on by default from v5).
	also *cacheControl
	// always: the action always caches and has no switch.
	always bool
	fix    string
}

// cacheActions are the actions known to restore a GitHub Actions cache,
// with the inputs that control it (after each action's action.yml, as
// zizmor's list of cache-aware actions).
var cacheActions = map[string]cacheControl{
	"actions/cache":         {input: "lookup-only", toggle: optOut, on: []string{"true"}, byDefault: true, fix: "remove the step or set \"lookup-only: true\""},
	"actions/cache/restore": {input: "lookup-only", toggle: optOut, on: []string{"true"}, byDefault: true, fix: "remove the step or set \"lookup-only: true\""},
	"swatinem/rust-cache":   {input: "lookup-only", toggle: optOut, on: []string{"true"}, byDefault: true, fix: "remove the step or set \"lookup-only: true\""},
	"actions/setup-go":      {input: "cache", toggle: optIn, on: []string{"true"}, byDefault: true, from: 4, fix: "set \"cache: false\" (it caches by default since v4)"},
	"actions/setup-node": {input: "cache", toggle: optIn, fix: "remove the \"cache:\" input and set \"package-manager-cache: false\" (v5 caches by default when package.json names a package manager)",
		also: &cacheControl{input: "package-manager-cache", toggle: optIn, on: []string{"true"}, byDefault: true, from: 5}},
	"actions/setup-python":                      {input: "cache", toggle: optIn, fix: "remove the \"cache:\" input"},
	"actions/setup-java":                        {input: "cache", toggle: optIn, fix: "remove the \"cache:\" input"},
	"graalvm/setup-graalvm":                     {input: "cache", toggle: optIn, fix: "remove the \"cache:\" input"},
	"actions/setup-dotnet":                      {input: "cache", toggle: optIn, on: []string{"true"}, fix: "remove \"cache: true\""},
	"astral-sh/setup-uv":                        {input: "enable-cache", toggle: optIn, on: []string{"true", "auto"}, byDefault: true, fix: "set \"enable-cache: false\" (\"auto\", the default before v10, caches on GitHub-hosted runners)"},
	"ruby/setup-ruby":                           {input: "bundler-cache", toggle: optIn, on: []string{"true"}, fix: "remove \"bundler-cache: true\""},
	"pyo3/maturin-action":                       {input: "sccache", toggle: optIn, on: []string{"true"}, fix: "remove \"sccache: true\""},
	"oven-sh/setup-bun":                         {input: "no-cache", toggle: optOut, on: []string{"true"}, byDefault: true, fix: "set \"no-cache: true\""},
	"gradle/actions/setup-gradle":               {input: "cache-disabled", toggle: optOut, on: []string{"true"}, byDefault: true, fix: "set \"cache-disabled: true\""},
	"mlugg/setup-zig":                           {input: "use-cache", toggle: optIn, on: []string{"true"}, byDefault: true, fix: "set \"use-cache: false\""},
	"actions-rust-lang/setup-rust-toolchain":    {input: "cache", toggle: optIn, on: []string{"true"}, byDefault: true, fix: "set \"cache: false\""},
	"jdx/mise-action":                           {input: "cache", toggle: optIn, on: []string{"true"}, byDefault: true, fix: "set \"cache: false\""},
	"determinatesystems/magic-nix-cache-action": {input: "use-gha-cache", toggle: optIn, on: []string{"true"}, byDefault: true, fix: "set \"use-gha-cache: false\""},
	"ramsey/composer-install":                   {input: "ignore-cache", toggle: optOut, on: []string{"yes", "true", "1"}, byDefault: true, fix: "set \"ignore-cache: true\""},
	"mozilla-actions/sccache-action":            {always: true, fix: "remove the step"},
	"nix-community/cache-nix-action":            {always: true, fix: "remove the step"},
	"awalsh128/cache-apt-pkgs-action":           {always: true, fix: "remove the step"},
}

// cacheState is what a step does with the cache.
type cacheState int

const (
	cacheOff cacheState = iota
	cacheOn
	// cacheMaybe: an input decides at run time (an expression that is
	// not a literal or a tag guard).
	cacheMaybe
)

// usesCache reports whether the step restores a cache, and how to stop
// it. tagOnly is set when the workflow runs only on tag pushes and
// releases, where guards such as startsWith(github.ref, 'refs/tags/')
// are known to be true.
func usesCache(src []byte, st *step, a actionRef, tagOnly bool) (fix string, state cacheState) {
	if a.is("docker/build-push-action") {
		v := withValue(st, "cache-from")
		if v != nil && strings.Contains(v.value, "type=gha") {
			return "drop \"type=gha\" from \"cache-from\"", cacheOn
		}
		return "", cacheOff
	}
	if a.is("docker/setup-buildx-action") {
		// It caches the buildx binary it downloads when a version is set.
		if v := withValue(st, "version"); v != nil && strings.TrimSpace(v.value) != "" {
			if c := withValue(st, "cache-binary"); c == nil || !strings.EqualFold(strings.TrimSpace(c.value), "false") {
				return "set \"cache-binary: false\"", cacheOn
			}
		}
		return "", cacheOff
	}
	c, ok := cacheActions[a.name()]
	if !ok {
		return "", cacheOff
	}
	if c.always {
		return c.fix, cacheOn
	}
	state = c.state(src, st, a, tagOnly)
	if c.also != nil {
		state = max(state, c.also.state(src, st, a, tagOnly))
	}
	return c.fix, state
}

// state evaluates one control input of a step.
func (c cacheControl) state(src []byte, st *step, a actionRef, tagOnly bool) cacheState {
	v := withValue(st, c.input)
	if v == nil {
		if c.byDefault && (c.from == 0 || actionMajor(src, st, a) >= c.from) {
			return cacheOn
		}
		return cacheOff
	}
	val := strings.TrimSpace(v.value)
	set := false // the toggle is on
	if containsExpression(val) {
		b, known := evalCacheGuard(val, tagOnly)
		if !known {
			return cacheMaybe
		}
		set = b
	} else if c.on == nil {
		set = val != ""
	} else {
		for _, on := range c.on {
			set = set || strings.EqualFold(val, on)
		}
	}
	if set == (c.toggle == optIn) {
		return cacheOn
	}
	return cacheOff
}

// evalCacheGuard evaluates an input written as one expression: a literal
// true or false, or (in a workflow that runs only on tags and releases)
// a guard on the ref being a tag, possibly negated. known is false for
// anything else.
func evalCacheGuard(val string, tagOnly bool) (value, known bool) {
	es := findExprs(val)
	if len(es) != 1 || strings.TrimSpace(val[:es[0].off]+val[es[0].end:]) != "" {
		return false, false
	}
	var eval func(n actionlint.ExprNode) (bool, bool)
	eval = func(n actionlint.ExprNode) (bool, bool) {
		switch n := n.(type) {
		case *actionlint.BoolNode:
			return n.Value, true
		case *actionlint.NotOpNode:
			b, ok := eval(n.Operand)
			return !b, ok
		}
		if tagOnly && isTagGuard(n) {
			return true, true
		}
		return false, false
	}
	return eval(es[0].node)
}

// isTagGuard reports startsWith(github.ref, 'refs/tags/'),
// github.ref_type == 'tag', and a conjunction holding one of them.
func isTagGuard(n actionlint.ExprNode) bool {
	switch n := n.(type) {
	case *actionlint.FuncCallNode:
		if strings.EqualFold(n.Callee, "startswith") && len(n.Args) == 2 && exprPath(n.Args[0]) == "github.ref" {
			s, ok := n.Args[1].(*actionlint.StringNode)
			return ok && strings.EqualFold(s.Value, "refs/tags/")
		}
	case *actionlint.CompareOpNode:
		if n.Kind == actionlint.CompareOpNodeKindEq {
			for _, sides := range [][2]actionlint.ExprNode{{n.Left, n.Right}, {n.Right, n.Left}} {
				s, ok := sides[1].(*actionlint.StringNode)
				if ok && exprPath(sides[0]) == "github.ref_type" && strings.EqualFold(s.Value, "tag") {
					return true
				}
			}
		}
	case *actionlint.LogicalOpNode:
		return n.Kind == actionlint.LogicalOpNodeKindAnd && (isTagGuard(n.Left) || isTagGuard(n.Right))
	}
	return false
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
	r := wf.eventPublishReason()
	if r == "" && rep.wants(PersonaPedantic) {
		r = wf.releaseBranchReason()
	}
	if r != "" {
		why = "a workflow that publishes (" + r + ")"
	} else if t := wf.privilegedTrigger(); t != "" {
		why = "a workflow that " + t + " starts, where people without write access choose the code or input"
	}
	tagOnly := wf.tagOnly()
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
			fix, state := usesCache(wf.src, st, a, tagOnly)
			switch state {
			case cacheOn:
				rep.report(finding.High, st.uses.pos, "cache:"+j.id.value+":"+st.uses.value, fmt.Sprintf("%s restores a GitHub Actions cache in %s; any workflow run on the branch can write that cache, so build from a clean state: %s", a.name(), jobWhy, fix))
			case cacheMaybe:
				rep.report(finding.Medium, st.uses.pos, "cache:"+j.id.value+":"+st.uses.value, fmt.Sprintf("%s may restore a GitHub Actions cache in %s: an expression decides whether it caches; any workflow run on the branch can write that cache, so build from a clean state: %s", a.name(), jobWhy, fix))
			}
		}
	}
}
