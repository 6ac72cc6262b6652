package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// This file is fix mode: with a token, every uses: of another repository
// that is not pinned to a full commit SHA is rewritten to the commit its
// tag or branch names, the tag kept as a comment, touching nothing else of
// the line or the file (as pinact and ratchet do).

// FixChange is one rewritten uses:.
type FixChange struct {
	Path string // repository-relative
	Line int
	From string // the uses: value before
	To   string // after: owner/repo@<sha>
	Ref  string // the tag or branch kept in the comment
}

// FixResult is what fix mode did.
type FixResult struct {
	Changes []FixChange
	// Skipped says, one line each, which unpinned uses: were left and why.
	Skipped []string
	// Patch is a unified diff of the rewrite ("" when nothing changed).
	Patch string
	// Failures are lookups the API could not answer.
	Failures []string
	Calls    int
}

// PinUses rewrites, under root, every unpinned uses: the scan found to
// the full commit SHA of its ref, asking the GitHub API. Files are
// replaced atomically through an os.Root at root, so no write leaves the
// workspace. allow entries (allow-unpinned) are left as they are.
func PinUses(ctx context.Context, root string, rep *Report, allow []string, opts OnlineOptions) (*FixResult, error) {
	if opts.Token == "" {
		return nil, errors.New("fix: pin needs a github-token to resolve tags to commits")
	}
	c, err := newGHClient(opts.Token, opts.APIURL, opts.HTTPClient)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	al := newAllowList(allow)
	res := &FixResult{}
	byFile := map[string][]FixChange{}
	for _, u := range rep.uses {
		if u.ref.pinned() || al.allows(u.ref.owner, u.ref.repo) {
			continue
		}
		sha, err := resolveRef(ctx, c, u.ref)
		switch {
		case errors.Is(err, errNotFound):
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s:%d: %s: %s/%s has no tag or branch %q", u.path, u.at.pos.line, u.at.value, u.ref.owner, u.ref.repo, u.ref.ref))
			continue
		case err != nil:
			res.Failures = append(res.Failures, fmt.Sprintf("%s:%d: %s: %s", u.path, u.at.pos.line, u.at.value, lookupError(err)))
			continue
		}
		name, _, _ := strings.Cut(u.at.value, "@")
		byFile[u.path] = append(byFile[u.path], FixChange{Path: u.path, Line: u.at.pos.line, From: u.at.value, To: name + "@" + sha, Ref: u.ref.ref})
	}
	res.Calls = c.calls
	if len(byFile) == 0 {
		return res, nil
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("opening the workspace: %w", err)
	}
	defer r.Close()
	files := make([]string, 0, len(byFile))
	for p := range byFile {
		files = append(files, p)
	}
	sort.Strings(files)
	var patch strings.Builder
	for _, p := range files {
		done, diff, skipped, err := rewriteFile(r, p, byFile[p])
		if err != nil {
			return nil, err
		}
		res.Changes = append(res.Changes, done...)
		res.Skipped = append(res.Skipped, skipped...)
		patch.WriteString(diff)
	}
	res.Patch = patch.String()
	return res, nil
}

// resolveRef returns the commit a tag (preferred, as GitHub resolves) or
// branch of the action's repository names.
func resolveRef(ctx context.Context, c *ghClient, a actionRef) (string, error) {
	sha, err := c.tagCommit(ctx, a.owner, a.repo, a.ref)
	if err == nil || !errors.Is(err, errNotFound) {
		return sha, err
	}
	bs, err := c.branches(ctx, a.owner, a.repo)
	if err != nil {
		return "", err
	}
	if sha, ok := bs[a.ref]; ok {
		return sha, nil
	}
	return "", errNotFound
}

// rewriteFile applies the changes to one file and returns those made, the
// file's unified diff and the changes it could not make.
func rewriteFile(r *os.Root, p string, changes []FixChange) (done []FixChange, diff string, skipped []string, err error) {
	st, err := r.Lstat(p)
	if err != nil {
		return nil, "", nil, fmt.Errorf("fix: reading %q: %w", p, err)
	}
	if !st.Mode().IsRegular() {
		for _, ch := range changes {
			skipped = append(skipped, fmt.Sprintf("%s:%d: %s: the file is a symbolic link; pin it where it points", p, ch.Line, ch.From))
		}
		return nil, "", skipped, nil
	}
	src, err := r.ReadFile(p)
	if err != nil {
		return nil, "", nil, fmt.Errorf("fix: reading %q: %w", p, err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	before := append([]string(nil), lines...)
	for _, ch := range changes {
		i := ch.Line - 1
		if i < 0 || i >= len(lines) {
			continue
		}
		nl, ok := pinLine(lines[i], ch)
		if !ok {
			skipped = append(skipped, fmt.Sprintf("%s:%d: %s: the value is not written on one line as read", p, ch.Line, ch.From))
			continue
		}
		lines[i] = nl
		done = append(done, ch)
	}
	if len(done) == 0 {
		return nil, "", skipped, nil
	}
	out := strings.Join(lines, "")
	if err := writeInRoot(r, p, []byte(out), st.Mode().Perm()); err != nil {
		return nil, "", nil, err
	}
	return done, unifiedDiff(p, before, lines), skipped, nil
}

// pinLine rewrites one line: the value's "@ref" becomes "@sha" and the
// ref is kept in a trailing comment. An existing version comment is
// replaced; any other comment is kept after the ref. Quotes, spacing and
// line endings stay as they were.
func pinLine(line string, ch FixChange) (string, bool) {
	i := strings.Index(line, ch.From)
	if i < 0 {
		return "", false
	}
	end := i + len(ch.From)
	// Keep a closing quote with the value.
	if end < len(line) && (line[end] == '"' || line[end] == '\'') && i > 0 && line[i-1] == line[end] {
		end++
	}
	body, eol := line, ""
	for _, e := range []string{"\r\n", "\n"} {
		if strings.HasSuffix(body, e) {
			body, eol = strings.TrimSuffix(body, e), e
			break
		}
	}
	head := line[:i] + ch.To + line[i+len(ch.From):end]
	rest := body[end:]
	comment := ""
	if j := strings.Index(rest, "#"); j >= 0 {
		comment = strings.TrimSpace(rest[j+1:])
		rest = rest[:j]
	}
	if commentVersionRe.MatchString("# "+comment) && len(strings.Fields(comment)) == 1 {
		comment = "" // an old version comment: the ref replaces it
	}
	newComment := "# " + ch.Ref
	if comment != "" {
		newComment += " " + comment
	}
	pad := rest
	if strings.TrimSpace(pad) != "" {
		return "", false // something other than a comment follows the value
	}
	if pad == "" {
		pad = " "
	}
	return head + pad + newComment + eol, true
}

// writeInRoot replaces name under r with data: a temporary file beside it,
// then a rename, so a failure leaves the old file whole.
func writeInRoot(r *os.Root, name string, data []byte, perm fs.FileMode) error {
	tmp := path.Join(path.Dir(name), "."+path.Base(name)+".hub-fix.tmp")
	if err := r.WriteFile(tmp, data, perm); err != nil {
		return fmt.Errorf("fix: writing %q: %w", name, err)
	}
	if err := r.Rename(tmp, name); err != nil {
		_ = r.Remove(tmp)
		return fmt.Errorf("fix: replacing %q: %w", name, err)
	}
	return nil
}

// unifiedDiff returns the unified diff of a file whose lines changed in
// place (same number of lines), with three lines of context, as
// "git apply" and "patch -p1" read it.
func unifiedDiff(p string, a, b []string) string {
	if n := len(a); n > 0 && a[n-1] == "" && b[n-1] == "" {
		a, b = a[:n-1], b[:n-1] // the empty rest after a final newline
	}
	var changed []int
	for i := range a {
		if a[i] != b[i] {
			changed = append(changed, i)
		}
	}
	if len(changed) == 0 {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", p, p)
	const ctx = 3
	for k := 0; k < len(changed); {
		start := max(changed[k]-ctx, 0)
		end := min(changed[k]+ctx+1, len(a))
		j := k + 1
		for j < len(changed) && changed[j]-ctx <= end {
			end = min(changed[j]+ctx+1, len(a))
			j++
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", start+1, end-start, start+1, end-start)
		for i := start; i < end; i++ {
			if a[i] == b[i] {
				out.WriteString(" " + withNewline(a[i]))
				continue
			}
			out.WriteString("-" + withNewline(a[i]))
			out.WriteString("+" + withNewline(b[i]))
		}
		k = j
	}
	return out.String()
}

func withNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n\\ No newline at end of file\n"
}
