package audit

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rhysd/actionlint"
)

// This file is the expression analysis the security rules share: finding
// the ${{ }} expressions in a string with actionlint's own expression
// parser, working out which contexts can flow into an expression's value,
// how far outsiders control each context, and where an expression sits in
// the source file.

// taint says how far a context's value can be chosen by someone without
// write access to the repository. Higher is worse.
type taint int

const (
	// taintNone: fixed by GitHub or by the repository's writers (SHAs,
	// numbers, ids, base refs, secrets, vars, runner and job data).
	taintNone taint = iota
	// taintOutput: a step or job output whose origin this audit does not
	// follow; on privileged triggers it is often data read from a pull
	// request or an artifact.
	taintOutput
	// taintInput: a workflow_dispatch, workflow_call, repository_dispatch
	// or composite action input, chosen by whoever starts or calls the
	// workflow.
	taintInput
	// taintUnknown: a github.event field this audit does not classify;
	// it may carry free text.
	taintUnknown
	// taintAttacker: free text anyone who can open an issue, pull request,
	// comment or discussion, or push a branch to a fork, chooses.
	taintAttacker
)

// exprUse is one ${{ }} expression in a string.
type exprUse struct {
	off, end int    // byte offsets of "${{" and just past "}}"
	text     string // the expression as written, "${{ ... }}"
	node     actionlint.ExprNode
}

// maxExprs bounds how many expressions one string is searched for, so a
// pathological value cannot make a scan slow.
const maxExprs = 4096

// findExprs returns the expressions in s that actionlint's expression
// parser accepts, in order. An expression that does not parse is skipped:
// GitHub rejects the workflow before such an expression could run.
func findExprs(s string) []exprUse {
	var out []exprUse
	from := 0
	for len(out) < maxExprs {
		i := strings.Index(s[from:], "${{")
		if i < 0 {
			break
		}
		off := from + i
		start := off + 3
		node, n := parseExprAt(s[start:])
		if node == nil {
			from = start
			continue
		}
		end := start + n
		out = append(out, exprUse{off: off, end: end, text: s[off:end], node: node})
		from = end
	}
	return out
}

// parseExprAt parses the expression at the start of s (the text after
// "${{") and returns it with the number of bytes it spans through "}}".
// The lexer and parser are actionlint's; a panic in them is treated as a
// parse error.
func parseExprAt(s string) (node actionlint.ExprNode, n int) {
	defer func() {
		if recover() != nil {
			node, n = nil, 0
		}
	}()
	l := actionlint.NewExprLexer(s)
	node, err := actionlint.NewExprParser().Parse(l)
	if err != nil || node == nil {
		return nil, 0
	}
	n = l.Offset()
	if n <= 0 || n > len(s) || !strings.HasSuffix(s[:n], "}}") {
		return nil, 0
	}
	return node, n
}

// parseCondition parses an "if:" value, which may be a bare expression or
// one wrapped in ${{ }}.
func parseCondition(s string) actionlint.ExprNode {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "${{") {
		if es := findExprs(t); len(es) == 1 && strings.TrimSpace(t[es[0].end:]) == "" {
			return es[0].node
		}
		return nil
	}
	node, _ := parseExprAt(t + "}}")
	return node
}

// exprPath returns the context path a property access denotes: lower case,
// dot-separated, with "*" for array filters and computed indexes, e.g.
// "github.event.commits.*.message". It is "" when n is not a property
// access rooted at a context (a literal, a function call's result).
func exprPath(n actionlint.ExprNode) string {
	switch n := n.(type) {
	case *actionlint.VariableNode:
		return n.Name
	case *actionlint.ObjectDerefNode:
		if p := exprPath(n.Receiver); p != "" {
			return p + "." + strings.ToLower(n.Property)
		}
	case *actionlint.ArrayDerefNode:
		if p := exprPath(n.Receiver); p != "" {
			return p + ".*"
		}
	case *actionlint.IndexAccessNode:
		if p := exprPath(n.Operand); p != "" {
			if s, ok := n.Index.(*actionlint.StringNode); ok && s.Value != "" && !strings.ContainsAny(s.Value, ".*") {
				return p + "." + strings.ToLower(s.Value)
			}
			return p + ".*"
		}
	}
	return ""
}

// valueFlows appends the context paths whose data can become the value of
// n. Comparisons, "!", contains/startsWith/endsWith, status functions and
// hashFiles yield booleans or digests and carry nothing; "a && b" yields a
// only when a is falsy (empty), so only b flows; format, join, toJSON and
// fromJSON pass their arguments through.
func valueFlows(n actionlint.ExprNode, out *[]string) {
	switch n := n.(type) {
	case *actionlint.VariableNode, *actionlint.ObjectDerefNode, *actionlint.ArrayDerefNode, *actionlint.IndexAccessNode:
		if p := exprPath(n); p != "" {
			*out = append(*out, p)
			return
		}
		// A property of a computed value (fromJSON(x).y) carries x's data.
		switch n := n.(type) {
		case *actionlint.ObjectDerefNode:
			valueFlows(n.Receiver, out)
		case *actionlint.ArrayDerefNode:
			valueFlows(n.Receiver, out)
		case *actionlint.IndexAccessNode:
			valueFlows(n.Operand, out)
		}
	case *actionlint.FuncCallNode:
		switch strings.ToLower(n.Callee) {
		case "contains", "startswith", "endswith", "success", "always", "failure", "cancelled", "hashfiles":
			return
		}
		for _, a := range n.Args {
			valueFlows(a, out)
		}
	case *actionlint.LogicalOpNode:
		if n.Kind == actionlint.LogicalOpNodeKindOr {
			valueFlows(n.Left, out)
		}
		valueFlows(n.Right, out)
	}
}

// allPaths appends every context path n reads, wherever it appears
// (conditions and indexes included).
func allPaths(n actionlint.ExprNode, out *[]string) {
	switch n := n.(type) {
	case *actionlint.VariableNode:
		*out = append(*out, n.Name)
	case *actionlint.ObjectDerefNode:
		if p := exprPath(n); p != "" {
			*out = append(*out, p)
		} else {
			allPaths(n.Receiver, out)
		}
	case *actionlint.ArrayDerefNode:
		if p := exprPath(n); p != "" {
			*out = append(*out, p)
		} else {
			allPaths(n.Receiver, out)
		}
	case *actionlint.IndexAccessNode:
		if p := exprPath(n); p != "" {
			*out = append(*out, p)
		} else {
			allPaths(n.Operand, out)
		}
		allPaths(n.Index, out)
	case *actionlint.NotOpNode:
		allPaths(n.Operand, out)
	case *actionlint.CompareOpNode:
		allPaths(n.Left, out)
		allPaths(n.Right, out)
	case *actionlint.LogicalOpNode:
		allPaths(n.Left, out)
		allPaths(n.Right, out)
	case *actionlint.FuncCallNode:
		for _, a := range n.Args {
			allPaths(a, out)
		}
	}
}

// attackerEventFields are github.event fields (below "github.event.")
// that carry free text chosen by someone without write access: titles and
// bodies of issues, pull requests, comments, reviews and discussions, wiki
// page names, commit messages and author names and e-mails (a fork sets
// them), and branch names and descriptions of a fork's head. The list
// follows actionlint's and CodeQL's untrusted inputs and zizmor's
// "arbitrary" capabilities for the events that reach workflows. "*" stands
// for any one segment. Accessing an object that contains one of them
// (github.event.pull_request, toJSON(github.event)) counts too.
var attackerEventFields = splitPatterns(
	"issue.title", "issue.body",
	"pull_request.title", "pull_request.body",
	"pull_request.head.ref", "pull_request.head.label",
	"pull_request.head.repo.default_branch", "pull_request.head.repo.description", "pull_request.head.repo.homepage",
	"comment.body", "review.body", "review_comment.body", "answer.body",
	"discussion.title", "discussion.body",
	"changes.title.from", "changes.body.from",
	"pages.*.page_name", "pages.*.title", "pages.*.summary",
	"commits.*.message", "commits.*.author.name", "commits.*.author.email",
	"commits.*.committer.name", "commits.*.committer.email",
	"head_commit.message", "head_commit.author.name", "head_commit.author.email",
	"head_commit.committer.name", "head_commit.committer.email",
	"workflow_run.head_branch", "workflow_run.display_title",
	"workflow_run.head_commit.message", "workflow_run.head_commit.author.name", "workflow_run.head_commit.author.email",
	"workflow_run.head_commit.committer.name", "workflow_run.head_commit.committer.email",
	"workflow_run.pull_requests.*.head.ref", "workflow_run.head_repository.description",
	"check_suite.head_branch", "check_suite.head_commit.message",
	"check_suite.head_commit.author.name", "check_suite.head_commit.author.email",
	"check_run.check_suite.head_branch",
	"merge_group.head_commit.message", "merge_group.head_commit.author.name", "merge_group.head_commit.author.email",
	"forkee.description",
)

// inputEventFields are github.event objects holding values chosen by
// whoever starts the workflow: workflow_dispatch inputs and a
// repository_dispatch client_payload (both need write access or a token).
var inputEventFields = []string{"inputs", "client_payload"}

// writerEventFields are github.event objects set by GitHub or by people
// with write or triage access: the base repository and its owner,
// releases, deployments, labels and milestones, push refs and the
// dispatch workflow. (The sender is whoever set the event off; its login
// and ids are fixed leaves, anything else is not trusted.)
var writerEventFields = map[string]bool{
	"repository": true, "organization": true, "enterprise": true, "installation": true,
	"release": true, "deployment": true, "deployment_status": true,
	"label": true, "milestone": true, "schedule": true, "workflow": true, "ref": true,
	"ref_type": true, "base_ref": true, "master_branch": true, "pusher": true,
	"action": true, "before": true, "after": true, "number": true, "forced": true,
	"created": true, "deleted": true, "compare": true,
}

// fixedLeaves are field names whose values are numbers, booleans, SHAs,
// ids, timestamps, URLs, logins or fixed enumerations wherever they appear
// in an event: none can carry shell syntax. Names (repository, label and
// user names) are here too: the free-text names (commit authors) are in
// attackerEventFields, which is consulted first.
var fixedLeaves = map[string]bool{
	"number": true, "id": true, "node_id": true, "sha": true, "before": true, "after": true,
	"url": true, "login": true, "type": true, "state": true, "state_reason": true,
	"draft": true, "merged": true, "locked": true, "fork": true, "private": true,
	"site_admin": true, "author_association": true, "size": true, "additions": true,
	"deletions": true, "changed_files": true, "commits": true, "comments": true,
	"review_comments": true, "full_name": true, "name": true, "default": true,
	"conclusion": true, "status": true, "event": true, "run_number": true,
	"run_attempt": true, "head_sha": true, "merge_commit_sha": true,
	"maintainer_can_modify": true, "mergeable": true, "rebaseable": true,
	"mergeable_state": true, "visibility": true, "active_lock_reason": true,
	"action": true, "ref": true, "base_ref": true,
}

func splitPatterns(ps ...string) [][]string {
	out := make([][]string, len(ps))
	for i, p := range ps {
		out[i] = strings.Split(p, ".")
	}
	return out
}

// overlaps reports whether path and pattern denote the same field or one
// contains the other; "*" on either side matches any one segment.
func overlaps(path, pattern []string) bool {
	n := min(len(path), len(pattern))
	for i := 0; i < n; i++ {
		if path[i] != pattern[i] && path[i] != "*" && pattern[i] != "*" {
			return false
		}
	}
	return true
}

// fixedLeaf reports whether a field name always holds a fixed-shape value.
func fixedLeaf(name string) bool {
	if fixedLeaves[name] {
		return true
	}
	for _, suf := range []string{"_id", "_sha", "_at", "_count", "_url", "_number"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

// classifyEvent classifies a path below github.event (segments after
// "event"). An empty path is the whole event.
func classifyEvent(segs []string) taint {
	if len(segs) == 0 {
		return taintAttacker
	}
	for _, p := range attackerEventFields {
		if overlaps(segs, p) {
			return taintAttacker
		}
	}
	if segs[len(segs)-1] == "email" {
		return taintAttacker // commit and profile e-mails are free-form
	}
	for _, f := range inputEventFields {
		if segs[0] == f {
			return taintInput
		}
	}
	if writerEventFields[segs[0]] {
		return taintNone
	}
	if fixedLeaf(segs[len(segs)-1]) {
		return taintNone
	}
	return taintUnknown
}

// exprScope resolves the contexts whose meaning depends on where an
// expression is: env.* (step, then job, then workflow env), matrix.* (the
// job's matrix) and typed inputs. Nil funcs resolve nothing.
type exprScope struct {
	// env returns the value env.<name> was given in YAML, if any.
	env func(name string) (string, bool)
	// envNames lists the names env resolves, for toJSON(env).
	envNames func() []string
	// matrix returns every value the matrix key may take, as written.
	matrix func(key string) []string
	// fixedInput reports an input whose declared type (boolean, number,
	// choice, environment) cannot carry free text.
	fixedInput func(name string) bool
}

// flow is a context whose data can reach an expression's value.
type flow struct {
	path  string // as the expression names it, e.g. "env.title"
	via   string // for env/matrix indirection, the context it was set from
	taint taint
}

// maxIndirection bounds env/matrix resolution (env values can name env).
const maxIndirection = 4

// flows returns the contexts whose data can reach n's value, worst first.
func (sc *exprScope) flows(n actionlint.ExprNode) []flow {
	return sc.flowsDepth(n, 0)
}

func (sc *exprScope) flowsDepth(n actionlint.ExprNode, depth int) []flow {
	var paths []string
	valueFlows(n, &paths)
	var out []flow
	for _, p := range paths {
		out = append(out, sc.classify(p, depth)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].taint > out[j].taint })
	return out
}

// classify returns the flows a context path contributes.
func (sc *exprScope) classify(path string, depth int) []flow {
	segs := strings.Split(path, ".")
	one := func(t taint) []flow { return []flow{{path: path, taint: t}} }
	switch segs[0] {
	case "github":
		switch {
		case len(segs) == 1:
			return one(taintAttacker) // toJSON(github) includes the event
		case segs[1] == "head_ref":
			return one(taintAttacker)
		case segs[1] == "event":
			if len(segs) > 3 && segs[2] == "inputs" && sc.fixedInput != nil && sc.fixedInput(segs[3]) {
				return nil
			}
			return one(classifyEvent(segs[2:]))
		case segs[1] == "*":
			return one(taintAttacker)
		}
		return nil
	case "inputs":
		if len(segs) > 1 && sc.fixedInput != nil && sc.fixedInput(segs[1]) {
			return nil
		}
		return one(taintInput)
	case "steps", "needs", "jobs":
		if len(segs) >= 3 && segs[2] != "outputs" && segs[2] != "*" {
			return nil // outcome, conclusion, result
		}
		return one(taintOutput)
	case "env":
		if sc.env == nil || depth >= maxIndirection {
			return nil
		}
		if len(segs) < 2 || segs[1] == "*" {
			// toJSON(env): every variable in scope, and any a step set
			// at run time through $GITHUB_ENV.
			var out []flow
			if sc.envNames != nil {
				for _, name := range sc.envNames() {
					if v, ok := sc.env(name); ok {
						out = append(out, sc.indirect(path, []string{v}, depth)...)
					}
				}
			}
			return append(out, flow{path: path, via: "variables set at run time through $GITHUB_ENV", taint: taintOutput})
		}
		v, ok := sc.env(segs[1])
		if !ok {
			// Not set in any env: block, so a step wrote it to
			// $GITHUB_ENV at run time, from data this audit does not
			// follow.
			return []flow{{path: path, via: "a value written to $GITHUB_ENV at run time", taint: taintOutput}}
		}
		return sc.indirect(path, []string{v}, depth)
	case "matrix":
		if len(segs) < 2 || sc.matrix == nil || depth >= maxIndirection {
			return nil
		}
		return sc.indirect(path, sc.matrix(segs[1]), depth)
	}
	return nil // secrets, vars, runner, job, strategy
}

// indirect classifies the expressions inside values an env or matrix
// entry was given, attributing them to path.
func (sc *exprScope) indirect(path string, values []string, depth int) []flow {
	var out []flow
	for _, v := range values {
		for _, e := range findExprs(v) {
			for _, f := range sc.flowsDepth(e.node, depth+1) {
				via := f.path
				if f.via != "" {
					via = f.via
				}
				out = append(out, flow{path: path, via: via, taint: f.taint})
			}
		}
	}
	return out
}

// worst returns the highest taint among fs (taintNone when empty).
func worst(fs []flow) taint {
	t := taintNone
	for _, f := range fs {
		t = max(t, f.taint)
	}
	return t
}

// describe names a flow for a message: "github.event.issue.title", or
// "env.title (set from github.event.issue.title)".
func (f flow) describe() string {
	if f.via != "" {
		return f.path + " (set from " + f.via + ")"
	}
	return f.path
}

// scriptVal is a string value from a file (a run: script, a with: input,
// an env value) with where its YAML scalar starts.
type scriptVal struct {
	value string
	pos   pos
	// block is set for literal (|) and folded (>) block scalars, whose
	// position is the indicator and whose text starts on the next line.
	block bool
}

// srcIndex maps between byte offsets and 1-based line/column positions
// (columns count characters, as the YAML parsers do) of one file.
type srcIndex struct {
	src        string
	lineStarts []int
	// cursors remember how far locate got for one scalar and needle, so
	// locating every command or expression of a long script, in order,
	// costs one pass over it rather than one per call.
	cursors map[locKey]*locCursor
}

type locKey struct {
	v      *scriptVal
	needle string
}

// locCursor: the value holds vk occurrences of the needle before vi;
// the source holds sk occurrences from the scalar's start before si, the
// last of them at last.
type locCursor struct {
	off          int // the offset of the previous call
	vi, vk       int
	si, sk, last int
}

func newSrcIndex(src []byte) *srcIndex {
	ix := &srcIndex{src: string(src), lineStarts: []int{0}, cursors: map[locKey]*locCursor{}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			ix.lineStarts = append(ix.lineStarts, i+1)
		}
	}
	return ix
}

// offset returns the byte offset of p, or -1 when p is not in the file.
func (ix *srcIndex) offset(p pos) int {
	if p.line < 1 || p.line > len(ix.lineStarts) || p.col < 1 {
		return -1
	}
	off := ix.lineStarts[p.line-1]
	for c := 1; c < p.col; c++ {
		if off >= len(ix.src) || ix.src[off] == '\n' {
			return -1
		}
		_, n := utf8.DecodeRuneInString(ix.src[off:])
		off += n
	}
	return off
}

// posOf returns the position of byte offset off.
func (ix *srcIndex) posOf(off int) pos {
	line := sort.Search(len(ix.lineStarts), func(i int) bool { return ix.lineStarts[i] > off })
	start := ix.lineStarts[line-1]
	return pos{line, utf8.RuneCountInString(ix.src[start:off]) + 1}
}

// isBlock reports whether the scalar starting at p is a block scalar.
func (ix *srcIndex) isBlock(p pos) bool {
	off := ix.offset(p)
	return off >= 0 && off < len(ix.src) && (ix.src[off] == '|' || ix.src[off] == '>')
}

// maxNeedle caps the text searched for when locating an offset.
const maxNeedle = 64

// locate returns the source position of byte offset off of v's value.
// YAML folding, indentation and quoting change only whitespace and
// quotes, so the run of non-space text starting at off appears in the
// source in the same order as in the value: the position is that of its
// n-th occurrence in the source from the scalar's start, where n counts
// the occurrences before off in the value. For block scalars the search
// starts on the line after the indicator, past any comment there. When the
// text cannot be found (escape sequences in double-quoted scalars), the
// scalar's own position is returned.
func (ix *srcIndex) locate(v *scriptVal, off int) pos {
	if off < 0 || off >= len(v.value) {
		return v.pos
	}
	end := off
	for end < len(v.value) && end-off < maxNeedle && !isScriptSpace(v.value[end]) {
		end++
	}
	for end < len(v.value) && !utf8.RuneStart(v.value[end]) {
		end++
	}
	needle := v.value[off:end]
	if needle == "" {
		return v.pos
	}
	from := ix.offset(v.pos)
	if from < 0 {
		return v.pos
	}
	if v.block {
		nl := strings.IndexByte(ix.src[from:], '\n')
		if nl < 0 {
			return v.pos
		}
		from += nl + 1
	}
	key := locKey{v, needle}
	c := ix.cursors[key]
	if c == nil || off < c.off {
		c = &locCursor{si: from, last: -1}
		ix.cursors[key] = c
	}
	c.off = off
	for {
		j := strings.Index(v.value[c.vi:], needle)
		if j < 0 || c.vi+j >= off {
			break
		}
		c.vk++
		c.vi += j + 1
	}
	for c.sk < c.vk+1 {
		j := strings.Index(ix.src[c.si:], needle)
		if j < 0 {
			return v.pos
		}
		c.last = c.si + j
		c.sk++
		c.si = c.last + 1
	}
	return ix.posOf(c.last)
}

func isScriptSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }
