package orgguard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// field is one desired value of an endpoint's JSON object.
type field struct {
	key    string // JSON key; dots walk into nested objects
	want   any    // bool, string or []string (compared as a set)
	config string // the configuration key that asks for it
	line   int
}

// endpoint is one settings resource of the REST API: read with GET,
// written with PUT or PATCH.
type endpoint struct {
	path   string // API path, no leading slash
	method string // PUT or PATCH
	// keep are fields of the current answer a PUT body carries as they
	// are: PUT replaces the whole resource.
	keep   []string
	fields []field
	// conflict, when set, is what a 409 answer to the GET means: the
	// resource does not apply in the current state (selected actions
	// while allowed_actions is not "selected").
	conflict string
	// notFound, when set, is the answer a 404 stands for: GitHub answers
	// 404 where a repository's immutable releases are off.
	notFound map[string]any
	// write, when set, replaces the PUT or PATCH of the body.
	write func(ctx context.Context, c *client, s Scope, body map[string]any) error
}

// Difference is one setting that is not as desired.
type Difference struct {
	// API is the resource, "GET /orgs/acme/actions/permissions".
	API string `json:"api"`
	// Field is the JSON field within it.
	Field string `json:"field"`
	// Expected and Actual are the values, as JSON.
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	// Config is the configuration key that asks for it, Line its line.
	Config string `json:"config"`
	Line   int    `json:"line"`
}

// Unreadable is a setting the token may not read (or write).
type Unreadable struct {
	API    string `json:"api"`
	Status int    `json:"status,omitempty"`
	Needs  string `json:"needs"`
	Config string `json:"config"`
	Line   int    `json:"line"`
	// Detail says what was refused when it is more than the request.
	Detail string `json:"detail,omitempty"`
}

// Change is one request apply makes.
type Change struct {
	Method string         `json:"method"`
	Path   string         `json:"path"`
	Body   map[string]any `json:"body,omitempty"`
	// Fixes are the differences the change fixes.
	Fixes []Difference `json:"-"`
}

// String renders the request as plan prints it.
func (c Change) String() string {
	s := c.Method + " /" + c.Path
	if c.Body != nil {
		b, _ := json.Marshal(c.Body)
		s += " " + string(b)
	}
	return s
}

// endpoints lists the simple settings resources d asks about, in the
// order apply must write them (allowed_actions before the selected list).
func endpoints(s Scope, d *Desired) []*endpoint {
	a := d.Actions
	base := s.base()
	var eps []*endpoint
	add := func(ep *endpoint, fs ...field) {
		for _, f := range fs {
			if f.config != "" {
				ep.fields = append(ep.fields, f)
			}
		}
		if len(ep.fields) > 0 {
			eps = append(eps, ep)
		}
	}
	enabledKey := "enabled"
	if s.IsOrg() {
		enabledKey = "enabled_repositories"
	}
	add(&endpoint{path: base + "/actions/permissions", method: http.MethodPut, keep: []string{enabledKey, "allowed_actions", "sha_pinning_required"}},
		wantString("allowed_actions", "actions.allowed-actions", a.AllowedActions),
		wantBool("sha_pinning_required", "actions.sha-pinning-required", a.SHAPinningRequired))
	add(&endpoint{path: base + "/actions/permissions/selected-actions", method: http.MethodPut, keep: []string{"github_owned_allowed", "verified_allowed", "patterns_allowed"},
		conflict: "(none: allowed_actions is not \"selected\")"},
		wantBool("github_owned_allowed", "actions.github-owned-allowed", a.GitHubOwnedAllowed),
		wantBool("verified_allowed", "actions.verified-allowed", a.VerifiedAllowed),
		wantList("patterns_allowed", "actions.patterns-allowed", a.PatternsAllowed))
	add(&endpoint{path: base + "/actions/permissions/workflow", method: http.MethodPut, keep: []string{"default_workflow_permissions", "can_approve_pull_request_reviews"}},
		wantString("default_workflow_permissions", "actions.default-workflow-permissions", a.DefaultWorkflowPermissions),
		wantBool("can_approve_pull_request_reviews", "actions.can-approve-pull-request-reviews", a.CanApprovePullRequests))
	add(&endpoint{path: base + "/actions/permissions/fork-pr-contributor-approval", method: http.MethodPut},
		wantString("approval_policy", "actions.fork-pr-approval", a.ForkPRApproval))
	if d.ImmutableReleases != nil {
		if s.IsOrg() {
			want := "none"
			if d.ImmutableReleases.Value {
				want = "all"
			}
			add(&endpoint{path: base + "/settings/immutable-releases", method: http.MethodPut},
				field{key: "enforced_repositories", want: want, config: "immutable-releases", line: d.ImmutableReleases.Line})
		} else {
			add(&endpoint{path: base + "/immutable-releases", notFound: map[string]any{"enabled": false}, write: writeRepoImmutable},
				field{key: "enabled", want: d.ImmutableReleases.Value, config: "immutable-releases", line: d.ImmutableReleases.Line})
		}
	}
	if d.PushProtection != nil {
		if s.IsOrg() {
			add(&endpoint{path: base, method: http.MethodPatch},
				wantBool("secret_scanning_push_protection_enabled_for_new_repositories", "secret-scanning-push-protection", d.PushProtection))
		} else {
			want := "disabled"
			if d.PushProtection.Value {
				want = "enabled"
			}
			add(&endpoint{path: base, method: http.MethodPatch},
				field{key: "security_and_analysis.secret_scanning_push_protection.status", want: want, config: "secret-scanning-push-protection", line: d.PushProtection.Line})
		}
	}
	return eps
}

func wantBool(key, config string, w *Want[bool]) field {
	if w == nil {
		return field{}
	}
	return field{key: key, want: w.Value, config: config, line: w.Line}
}

func wantString(key, config string, w *Want[string]) field {
	if w == nil {
		return field{}
	}
	return field{key: key, want: w.Value, config: config, line: w.Line}
}

func wantList(key, config string, w *Want[[]string]) field {
	if w == nil {
		return field{}
	}
	return field{key: key, want: w.Value, config: config, line: w.Line}
}

// writeRepoImmutable turns a repository's immutable releases on (PUT) or
// off (DELETE); neither takes a body.
func writeRepoImmutable(ctx context.Context, c *client, s Scope, body map[string]any) error {
	method := http.MethodDelete
	if body["enabled"] == true {
		method = http.MethodPut
	}
	_, err := c.do(ctx, method, s.base()+"/immutable-releases", nil, nil, s.needs(true))
	return err
}

// state is an endpoint's current answer, or why there is none.
type state struct {
	obj      map[string]any
	conflict bool
	err      error
}

func (ep *endpoint) read(ctx context.Context, c *client, s Scope) state {
	var obj map[string]any
	_, err := c.do(ctx, http.MethodGet, ep.path, nil, &obj, s.needs(false))
	switch {
	case err == nil:
		return state{obj: obj}
	case ep.conflict != "" && status(err) == http.StatusConflict:
		return state{conflict: true}
	case ep.notFound != nil && status(err) == http.StatusNotFound:
		return state{obj: ep.notFound}
	}
	return state{err: err}
}

// compare lists the fields not as desired, and the ones the answer does
// not hold (a token that may not see them, or a server without them).
func (ep *endpoint) compare(st state, s Scope) ([]Difference, []Unreadable) {
	var diffs []Difference
	var unread []Unreadable
	api := "GET /" + ep.path
	for _, f := range ep.fields {
		exp := jsonText(f.want)
		if st.conflict {
			diffs = append(diffs, Difference{API: api, Field: f.key, Expected: exp, Actual: ep.conflict, Config: f.config, Line: f.line})
			continue
		}
		got, ok := lookup(st.obj, f.key)
		if !ok {
			unread = append(unread, Unreadable{API: api, Needs: s.needs(false), Config: f.config, Line: f.line,
				Detail: fmt.Sprintf("the answer holds no %s: the token may not see it, or the server does not have the setting", f.key)})
			continue
		}
		if !same(f.want, got) {
			diffs = append(diffs, Difference{API: api, Field: f.key, Expected: exp, Actual: jsonText(got), Config: f.config, Line: f.line})
		}
	}
	return diffs, unread
}

// change builds the request that makes the endpoint as desired.
func (ep *endpoint) change(st state, diffs []Difference) Change {
	body := map[string]any{}
	if st.obj != nil {
		for _, k := range ep.keep {
			if v, ok := st.obj[k]; ok {
				body[k] = v
			}
		}
	}
	for _, f := range ep.fields {
		set(body, f.key, f.want)
	}
	method := ep.method
	if ep.write != nil {
		method = http.MethodPut
		if body["enabled"] == false {
			method = http.MethodDelete
		}
		return Change{Method: method, Path: ep.path, Fixes: diffs}
	}
	return Change{Method: method, Path: ep.path, Body: body, Fixes: diffs}
}

func (ep *endpoint) apply(ctx context.Context, c *client, s Scope, ch Change) error {
	if ep.write != nil {
		return ep.write(ctx, c, s, map[string]any{"enabled": ch.Method == http.MethodPut})
	}
	_, err := c.do(ctx, ch.Method, ch.Path, ch.Body, nil, s.needs(true))
	return err
}

func lookup(obj map[string]any, key string) (any, bool) {
	var cur any = obj
	for _, part := range strings.Split(key, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func set(obj map[string]any, key string, v any) {
	parts := strings.Split(key, ".")
	for _, part := range parts[:len(parts)-1] {
		next, ok := obj[part].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[part] = next
		}
		obj = next
	}
	obj[parts[len(parts)-1]] = v
}

// same compares a desired value with a decoded JSON one; lists compare as
// sets, since GitHub does not promise their order.
func same(want, got any) bool {
	switch w := want.(type) {
	case []string:
		g, ok := got.([]any)
		if !ok {
			return false
		}
		var gs []string
		for _, x := range g {
			s, ok := x.(string)
			if !ok {
				return false
			}
			gs = append(gs, s)
		}
		a, b := slices.Clone(w), gs
		slices.Sort(a)
		slices.Sort(b)
		return slices.Equal(slices.Compact(a), slices.Compact(b))
	default:
		return want == got
	}
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// unreadable turns a permission error into its record; other errors are
// returned as they are (the run cannot decide).
func unreadable(err error, config string, line int, detail string) (Unreadable, error) {
	var pe *PermissionError
	if errors.As(err, &pe) {
		return Unreadable{API: pe.Method + " /" + pe.Path, Status: pe.Status, Needs: pe.Needs, Config: config, Line: line, Detail: detail}, nil
	}
	return Unreadable{}, err
}

func jsonMarshal(v any) ([]byte, error)   { return json.Marshal(v) }
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
