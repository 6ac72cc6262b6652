package orgguard

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/waiver"
)

// Desired is the state org-guard holds an organization or a repository to,
// read from the org-guard section of hub's configuration file. Every field
// is optional: a setting left out is neither checked nor changed.
type Desired struct {
	// Actions is the Actions policy.
	Actions ActionsPolicy
	// Rulesets are the branch and tag rulesets, matched by name.
	Rulesets []Ruleset
	// ImmutableReleases, when set, is whether releases must be immutable.
	ImmutableReleases *Want[bool]
	// PushProtection, when set, is whether secret scanning push protection
	// must be on.
	PushProtection *Want[bool]
	// CodeOwners are the paths whose changes must need a code owner's
	// review: the repository's CODEOWNERS must name an owner for each, and
	// a branch ruleset must require code owner review.
	CodeOwners []Want[string]
}

// Want is one desired value and where it is written, so a finding about it
// points at the line that asks for it.
type Want[T any] struct {
	Value T
	Line  int
}

// ActionsPolicy is the Actions settings of the organization or repository.
type ActionsPolicy struct {
	AllowedActions             *Want[string] // all, local_only or selected
	GitHubOwnedAllowed         *Want[bool]
	VerifiedAllowed            *Want[bool]
	PatternsAllowed            *Want[[]string]
	SHAPinningRequired         *Want[bool]
	DefaultWorkflowPermissions *Want[string] // read or write
	CanApprovePullRequests     *Want[bool]
	ForkPRApproval             *Want[string] // approval policy for fork pull requests
}

// Ruleset is a desired branch or tag ruleset. Rules left unset are not
// checked; a ruleset that exists keeps the rules org-guard does not manage.
type Ruleset struct {
	Name         string
	Line         int
	Target       string   // branch or tag
	Include      []string // ref_name conditions: ~DEFAULT_BRANCH, refs/tags/v*
	Repositories []string // repository_name conditions (organization rulesets only)

	PullRequest          *PullRequestRule
	RequiredStatusChecks *Want[[]string]
	LinearHistory        *Want[bool]
	SignedCommits        *Want[bool]
	NoForcePush          *Want[bool]
	NoDeletion           *Want[bool]
	NoUpdate             *Want[bool]
	RestrictCreation     *Want[bool]
}

// PullRequestRule is the pull_request rule's parameters.
type PullRequestRule struct {
	Line                int
	Approvals           int
	CodeOwnerReview     bool
	DismissStaleReviews bool
	LastPushApproval    bool
	ThreadResolution    bool
	// Lines are where each parameter is written, by the API's name.
	Lines map[string]int
}

// lineOf is the line of the parameter key, or of the rule.
func (pr *PullRequestRule) lineOf(key string) int {
	if l, ok := pr.Lines[key]; ok {
		return l
	}
	return pr.Line
}

// prParams maps the pull-request keys to the API's parameter names.
var prParams = map[string]string{
	"code-owner-review":     "require_code_owner_review",
	"dismiss-stale-reviews": "dismiss_stale_reviews_on_push",
	"last-push-approval":    "require_last_push_approval",
	"thread-resolution":     "required_review_thread_resolution",
}

var (
	allowedActionsValues = []string{"all", "local_only", "selected"}
	workflowPermValues   = []string{"read", "write"}
	forkApprovalValues   = []string{"first_time_contributors_new_to_github", "first_time_contributors", "all_external_contributors"}
	targetValues         = []string{"branch", "tag"}
)

// ParseDesired reads the org-guard section's settings. file names the
// configuration file in messages; every problem is reported at once, each
// a *waiver.ParseError naming the file and line.
func ParseDesired(file string, settings map[string]*yaml.Node) (*Desired, error) {
	p := &parser{file: file}
	d := &Desired{}
	if n, ok := settings["actions"]; ok {
		p.actions(n, &d.Actions)
	}
	if n, ok := settings["rulesets"]; ok {
		p.rulesets(n, d)
	}
	if n, ok := settings["immutable-releases"]; ok {
		d.ImmutableReleases = p.boolean(n, "immutable-releases")
	}
	if n, ok := settings["secret-scanning-push-protection"]; ok {
		d.PushProtection = p.boolean(n, "secret-scanning-push-protection")
	}
	if n, ok := settings["code-owners"]; ok {
		if l := p.list(n, "code-owners"); l != nil {
			for _, s := range l.Value {
				d.CodeOwners = append(d.CodeOwners, Want[string]{Value: s, Line: l.Line})
			}
		}
	}
	if n, ok := settings["tokens"]; ok {
		// Asked for but impossible to check: refusing it says so, where
		// ignoring it would read as compliance.
		p.fail(n.Line, waiver.ErrBadValue, "org-guard.tokens: personal access token policies (approval of fine-grained tokens, restricting classic tokens, their maximum lifetime) have no REST API, so org-guard can neither read nor set them; set them in the organization's settings and remove this key")
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return d, nil
}

// Empty reports whether d asks for nothing.
func (d *Desired) Empty() bool {
	a := d.Actions
	return a == (ActionsPolicy{}) && len(d.Rulesets) == 0 && d.ImmutableReleases == nil && d.PushProtection == nil && len(d.CodeOwners) == 0
}

type parser struct {
	file string
	errs []error
}

func (p *parser) fail(line int, err error, format string, args ...any) {
	p.errs = append(p.errs, &waiver.ParseError{Path: p.file, Line: line, Err: fmt.Errorf("%w: "+format, append([]any{err}, args...)...)})
}

// fields checks that n is a mapping of known keys, each once, and returns
// the values by key in file order.
func (p *parser) fields(n *yaml.Node, where string, known ...string) ([]string, map[string]*yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.fail(n.Line, waiver.ErrSyntax, "%s: expected a mapping", where)
		return nil, nil
	}
	var order []string
	vals := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			p.fail(k.Line, waiver.ErrSyntax, "%s: expected a plain key", where)
		case vals[k.Value] != nil:
			p.fail(k.Line, waiver.ErrSyntax, "%s: key %q is given twice", where, k.Value)
		case !slices.Contains(known, k.Value):
			p.fail(k.Line, waiver.ErrUnknownKey, "%q in %s: expected one of %s", k.Value, where, strings.Join(known, ", "))
		default:
			vals[k.Value] = v
			order = append(order, k.Value)
		}
	}
	return order, vals
}

func (p *parser) boolean(n *yaml.Node, where string) *Want[bool] {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		switch n.Value {
		case "true":
			return &Want[bool]{Value: true, Line: n.Line}
		case "false":
			return &Want[bool]{Value: false, Line: n.Line}
		}
	}
	p.fail(n.Line, waiver.ErrBadValue, "%s: expected true or false, got %s", where, show(n))
	return nil
}

func (p *parser) enum(n *yaml.Node, where string, values []string) *Want[string] {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && slices.Contains(values, n.Value) {
		return &Want[string]{Value: n.Value, Line: n.Line}
	}
	p.fail(n.Line, waiver.ErrBadValue, "%s: expected one of %s, got %s", where, strings.Join(values, ", "), show(n))
	return nil
}

func (p *parser) text(n *yaml.Node, where string) (string, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.TrimSpace(n.Value) != "" {
		return n.Value, true
	}
	p.fail(n.Line, waiver.ErrBadValue, "%s: expected text, got %s", where, show(n))
	return "", false
}

func (p *parser) list(n *yaml.Node, where string) *Want[[]string] {
	if n.Kind != yaml.SequenceNode {
		p.fail(n.Line, waiver.ErrSyntax, "%s: expected a list, got %s", where, show(n))
		return nil
	}
	out := &Want[[]string]{Value: []string{}, Line: n.Line}
	for i, item := range n.Content {
		if s, ok := p.text(item, fmt.Sprintf("%s[%d]", where, i)); ok {
			out.Value = append(out.Value, s)
		}
	}
	return out
}

func (p *parser) count(n *yaml.Node, where string) (int, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.Atoi(n.Value); err == nil && v >= 0 && v <= 10 {
			return v, true
		}
	}
	p.fail(n.Line, waiver.ErrBadValue, "%s: expected a number from 0 to 10, got %s", where, show(n))
	return 0, false
}

func show(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "an alias"
}

func (p *parser) actions(n *yaml.Node, a *ActionsPolicy) {
	const w = "org-guard.actions"
	_, f := p.fields(n, w, "allowed-actions", "github-owned-allowed", "verified-allowed", "patterns-allowed",
		"sha-pinning-required", "default-workflow-permissions", "can-approve-pull-request-reviews", "fork-pr-approval")
	for k, v := range f {
		where := w + "." + k
		switch k {
		case "allowed-actions":
			a.AllowedActions = p.enum(v, where, allowedActionsValues)
		case "github-owned-allowed":
			a.GitHubOwnedAllowed = p.boolean(v, where)
		case "verified-allowed":
			a.VerifiedAllowed = p.boolean(v, where)
		case "patterns-allowed":
			a.PatternsAllowed = p.list(v, where)
		case "sha-pinning-required":
			a.SHAPinningRequired = p.boolean(v, where)
		case "default-workflow-permissions":
			a.DefaultWorkflowPermissions = p.enum(v, where, workflowPermValues)
		case "can-approve-pull-request-reviews":
			a.CanApprovePullRequests = p.boolean(v, where)
		case "fork-pr-approval":
			a.ForkPRApproval = p.enum(v, where, forkApprovalValues)
		}
	}
	selectedOnly := a.GitHubOwnedAllowed != nil || a.VerifiedAllowed != nil || a.PatternsAllowed != nil
	if selectedOnly && (a.AllowedActions == nil || a.AllowedActions.Value != "selected") {
		p.fail(n.Line, waiver.ErrBadValue, "%s: github-owned-allowed, verified-allowed and patterns-allowed apply only with allowed-actions: selected", w)
	}
}

func (p *parser) rulesets(n *yaml.Node, d *Desired) {
	if n.Kind != yaml.SequenceNode {
		p.fail(n.Line, waiver.ErrSyntax, "org-guard.rulesets: expected a list, got %s", show(n))
		return
	}
	seen := map[string]int{}
	for i, item := range n.Content {
		where := fmt.Sprintf("org-guard.rulesets[%d]", i)
		_, f := p.fields(item, where, "name", "target", "include", "repositories", "pull-request", "required-status-checks",
			"linear-history", "signed-commits", "no-force-push", "no-deletion", "no-update", "restrict-creation")
		if f == nil {
			continue
		}
		rs := Ruleset{Line: item.Line}
		if v, ok := f["name"]; !ok {
			p.fail(item.Line, waiver.ErrMissing, "%s: name: a ruleset is found by its name", where)
		} else if s, ok := p.text(v, where+".name"); ok {
			rs.Name = s
			if first, dup := seen[s]; dup {
				p.fail(v.Line, waiver.ErrBadValue, "%s.name: %q is also the name of the ruleset on line %d", where, s, first)
			}
			seen[s] = v.Line
		}
		if v, ok := f["target"]; !ok {
			p.fail(item.Line, waiver.ErrMissing, "%s: target: branch or tag", where)
		} else if t := p.enum(v, where+".target", targetValues); t != nil {
			rs.Target = t.Value
		}
		if v, ok := f["include"]; !ok {
			p.fail(item.Line, waiver.ErrMissing, "%s: include: the refs the ruleset covers (~DEFAULT_BRANCH, refs/tags/v*)", where)
		} else if l := p.list(v, where+".include"); l != nil {
			rs.Include = l.Value
		}
		if v, ok := f["repositories"]; ok {
			if l := p.list(v, where+".repositories"); l != nil {
				rs.Repositories = l.Value
			}
		}
		if v, ok := f["pull-request"]; ok {
			rs.PullRequest = p.pullRequest(v, where+".pull-request")
		}
		if v, ok := f["required-status-checks"]; ok {
			rs.RequiredStatusChecks = p.list(v, where+".required-status-checks")
		}
		for key, dst := range map[string]**Want[bool]{
			"linear-history": &rs.LinearHistory, "signed-commits": &rs.SignedCommits, "no-force-push": &rs.NoForcePush,
			"no-deletion": &rs.NoDeletion, "no-update": &rs.NoUpdate, "restrict-creation": &rs.RestrictCreation,
		} {
			if v, ok := f[key]; ok {
				*dst = p.boolean(v, where+"."+key)
			}
		}
		d.Rulesets = append(d.Rulesets, rs)
	}
}

func (p *parser) pullRequest(n *yaml.Node, where string) *PullRequestRule {
	_, f := p.fields(n, where, "approvals", "code-owner-review", "dismiss-stale-reviews", "last-push-approval", "thread-resolution")
	if f == nil {
		return nil
	}
	pr := &PullRequestRule{Line: n.Line, Lines: map[string]int{}}
	if v, ok := f["approvals"]; ok {
		pr.Approvals, _ = p.count(v, where+".approvals")
		pr.Lines["required_approving_review_count"] = v.Line
	}
	for key, dst := range map[string]*bool{
		"code-owner-review": &pr.CodeOwnerReview, "dismiss-stale-reviews": &pr.DismissStaleReviews,
		"last-push-approval": &pr.LastPushApproval, "thread-resolution": &pr.ThreadResolution,
	} {
		if v, ok := f[key]; ok {
			pr.Lines[prParams[key]] = v.Line
			if b := p.boolean(v, where+"."+key); b != nil {
				*dst = b.Value
			}
		}
	}
	return pr
}
