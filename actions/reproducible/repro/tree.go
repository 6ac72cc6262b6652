package repro

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hubgates/hub/shared/digest"
)

// maxExplained is how many entries whose content differs after the two
// trees went out of step are read again to find the first differing byte;
// the others are reported by digest.
const maxExplained = 10

// record is what pass one keeps of an entry: its header and its content's
// digest, never the content.
type record struct {
	e   *entry
	pos int
	dig digest.Digest
	// done: compared in step with its twin already.
	done bool
}

// treeCmp compares two trees entry by entry.
type treeCmp struct {
	ctx   context.Context
	rec   *recorder
	where string
	// counted entries and bytes, for telemetry.
	entries, bytes int64

	// what pass one kept
	recA, recB     map[string]*record
	orderA, orderB []string
	stepped        bool
	// single: the tree is one plain file.
	single bool
}

// compareTrees walks both trees in step. Entries of the same name at the
// same step are compared as they stream (header and content, constant
// memory). Entries out of step are hashed and compared by header and
// digest afterwards; the first differing byte of their content is found by
// reading both trees again, for the first maxExplained of them. Finally the
// order of the entries both trees hold is compared.
func (t *treeCmp) compareTrees(openA, openB opener) error {
	a, err := openA()
	if err != nil {
		return fmt.Errorf("reading the expected %s: %w", t.whereOr("tree"), err)
	}
	b, err := openB()
	if err != nil {
		a.close()
		return fmt.Errorf("reading the actual %s: %w", t.whereOr("tree"), err)
	}
	if err := t.pass(a, b); err != nil {
		a.close()
		b.close()
		return err
	}
	// Closing reads what is left of each tree, so its digest is checked.
	if err := a.close(); err != nil {
		b.close()
		return fmt.Errorf("reading the expected %s: %w", t.whereOr("tree"), err)
	}
	if err := b.close(); err != nil {
		return fmt.Errorf("reading the actual %s: %w", t.whereOr("tree"), err)
	}
	return t.conclude(openA, openB)
}

// pass reads both trees once, comparing in step what lines up and keeping
// a record of every entry.
func (t *treeCmp) pass(a, b stream) error {
	t.recA, t.recB = map[string]*record{}, map[string]*record{}
	t.orderA, t.orderB, t.stepped = nil, nil, true
	recA, recB := t.recA, t.recB
	for i := 0; ; i++ {
		if err := t.ctx.Err(); err != nil {
			return err
		}
		ea, ra, err := nextEntry(a, recA)
		if err != nil {
			return fmt.Errorf("reading the expected %s: %w", t.whereOr("tree"), err)
		}
		eb, rb, err := nextEntry(b, recB)
		if err != nil {
			return fmt.Errorf("reading the actual %s: %w", t.whereOr("tree"), err)
		}
		if ea == nil && eb == nil {
			break
		}
		if ea != nil && eb != nil && ea.name == eb.name {
			t.entries++
			t.compareHeaders(ea, eb)
			ra2, rb2 := &record{e: ea, pos: i, done: true}, &record{e: eb, pos: i, done: true}
			if ea.regular() && eb.regular() {
				res, err := compareContent(ra, rb)
				if err != nil {
					return fmt.Errorf("reading %s: %w", within(t.where, ea.name), err)
				}
				t.bytes += res.sizeA + res.sizeB
				ra2.dig, rb2.dig = res.digA, res.digB
				t.reportContent(ea.name, res)
			}
			recA[ea.name], recB[eb.name] = ra2, rb2
			t.orderA, t.orderB = append(t.orderA, ea.name), append(t.orderB, eb.name)
			continue
		}
		t.stepped = false
		for _, side := range []struct {
			e     *entry
			r     io.Reader
			recs  map[string]*record
			order *[]string
		}{{ea, ra, recA, &t.orderA}, {eb, rb, recB, &t.orderB}} {
			if side.e == nil {
				continue
			}
			rc := &record{e: side.e, pos: i}
			if side.e.regular() {
				d, n, err := digest.FromReader(digest.SHA256, side.r)
				if err != nil {
					return fmt.Errorf("reading %s: %w", within(t.where, side.e.name), err)
				}
				rc.dig = d
				t.bytes += n
			}
			side.recs[side.e.name] = rc
			*side.order = append(*side.order, side.e.name)
		}
	}
	return nil
}

// conclude compares the entries that were out of step, reports what only
// one side has and the order, and explains content differences.
func (t *treeCmp) conclude(openA, openB opener) error {
	recA, recB, orderA, orderB := t.recA, t.recB, t.orderA, t.orderB
	var explain []string
	for _, name := range orderA {
		ra, rb := recA[name], recB[name]
		if rb == nil {
			t.rec.add(RuleEntryMissing, t.where, name, "%s: %s only in expected", name, typeName(ra.e.typ))
			continue
		}
		if ra.done {
			continue
		}
		t.entries++
		t.compareHeaders(ra.e, rb.e)
		if ra.e.regular() && rb.e.regular() && ra.dig != rb.dig {
			explain = append(explain, name)
		}
	}
	for _, name := range orderB {
		if recA[name] == nil {
			t.rec.add(RuleEntryExtra, t.where, name, "%s: %s only in actual", name, typeName(recB[name].e.typ))
		}
	}
	if !t.stepped {
		t.compareOrder(orderA, orderB, recA, recB)
	}
	for i, name := range explain {
		if i >= maxExplained {
			ra, rb := recA[name], recB[name]
			t.rec.add(RuleEntryContent, t.where, name, "%s: content differs (size %d expected, %d actual; %s, %s)", name, ra.e.size, rb.e.size, ra.dig, rb.dig)
			continue
		}
		if err := t.explain(openA, openB, name); err != nil {
			return err
		}
	}
	return nil
}

func (t *treeCmp) whereOr(s string) string {
	if t.where == "" {
		return s
	}
	return t.where
}

// nextEntry reads the next entry, naming a repeated path name#2, #3 ...
// (a tar may hold a path twice; the last one wins on extraction).
func nextEntry(s stream, seen map[string]*record) (*entry, io.Reader, error) {
	e, r, err := s.next()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if _, dup := seen[e.name]; dup {
		base := e.name
		for n := 2; ; n++ {
			e.name = fmt.Sprintf("%s#%d", base, n)
			if _, dup := seen[e.name]; !dup {
				break
			}
		}
	}
	return e, r, nil
}

// compareHeaders reports each header field that differs, each under its
// own rule.
func (t *treeCmp) compareHeaders(a, b *entry) {
	n := a.name
	if a.typ != b.typ {
		t.rec.add(RuleEntryType, t.where, n, "%s: type differs: expected %s, got %s", n, typeName(a.typ), typeName(b.typ))
		return
	}
	if a.mode != b.mode {
		t.rec.add(RuleEntryMode, t.where, n, "%s: mode differs: expected %04o, got %04o", n, a.mode, b.mode)
	}
	if a.hasOwner && b.hasOwner {
		if a.uid != b.uid {
			t.rec.add(RuleEntryOwner, t.where, n, "%s: uid differs: expected %d, got %d", n, a.uid, b.uid)
		}
		if a.gid != b.gid {
			t.rec.add(RuleEntryOwner, t.where, n, "%s: gid differs: expected %d, got %d", n, a.gid, b.gid)
		}
		if a.uname != b.uname {
			t.rec.add(RuleEntryOwner, t.where, n, "%s: user name differs: expected %q, got %q", n, a.uname, b.uname)
		}
		if a.gname != b.gname {
			t.rec.add(RuleEntryOwner, t.where, n, "%s: group name differs: expected %q, got %q", n, a.gname, b.gname)
		}
	}
	if a.hasTime && b.hasTime && !a.mtime.Equal(b.mtime) {
		t.rec.add(RuleEntryMtime, t.where, n, "%s: mtime differs: expected %s, got %s", n, a.mtime.Format(time.RFC3339Nano), b.mtime.Format(time.RFC3339Nano))
	}
	for _, k := range keys(a.xattrs, b.xattrs) {
		x, okA := a.xattrs[k]
		y, okB := b.xattrs[k]
		switch {
		case !okB:
			t.rec.add(RuleEntryXattrs, t.where, n, "%s: xattr %s only in expected", n, k)
		case !okA:
			t.rec.add(RuleEntryXattrs, t.where, n, "%s: xattr %s only in actual", n, k)
		case x != y:
			t.rec.add(RuleEntryXattrs, t.where, n, "%s: xattr %s differs: expected %s, got %s", n, k, quote([]byte(x)), quote([]byte(y)))
		}
	}
	if a.link != b.link {
		t.rec.add(RuleEntryLink, t.where, n, "%s: link target differs: expected %q, got %q", n, a.link, b.link)
	}
}

// reportContent reports a content difference and, for Go binaries, what
// differs in their build information.
func (t *treeCmp) reportContent(name string, res contentResult) {
	if res.equal {
		return
	}
	prefix := name + ": "
	if t.single {
		prefix = "" // the finding's path names the file
	}
	t.rec.add(RuleEntryContent, t.where, name, "%s%s", prefix, res.describe())
	for _, d := range res.buildinfo {
		t.rec.add(RuleGoBuildinfo, t.where, name, "%sGo build information: %s", prefix, d)
	}
}

// compareOrder reports the first position where the entries both trees
// hold come in another order; extra and missing entries do not count.
func (t *treeCmp) compareOrder(orderA, orderB []string, recA, recB map[string]*record) {
	shared := func(order []string, other map[string]*record) []string {
		var out []string
		for _, n := range order {
			if other[n] != nil {
				out = append(out, n)
			}
		}
		return out
	}
	sa, sb := shared(orderA, recB), shared(orderB, recA)
	for i := range sa {
		if sa[i] != sb[i] {
			t.rec.add(RuleEntryOrder, t.where, sa[i], "entries in another order: from shared entry %d on, expected %q, got %q", i+1, sa[i], sb[i])
			return
		}
	}
}

// explain reads both trees again up to the named entry and finds its first
// differing byte: the expected side's content is held (bounded by that
// file's size), the actual side's is streamed against it.
func (t *treeCmp) explain(openA, openB opener, name string) error {
	contentOf := func(open opener, side string) ([]byte, error) {
		s, err := open()
		if err != nil {
			return nil, fmt.Errorf("reading the %s %s again: %w", side, t.whereOr("tree"), err)
		}
		defer s.close()
		seen := map[string]*record{}
		for {
			e, r, err := nextEntry(s, seen)
			if err != nil {
				return nil, fmt.Errorf("reading the %s %s again: %w", side, t.whereOr("tree"), err)
			}
			if e == nil {
				return nil, fmt.Errorf("reading the %s %s again: %s is gone", side, t.whereOr("tree"), name)
			}
			seen[e.name] = &record{}
			if e.name == name {
				return io.ReadAll(r)
			}
		}
	}
	a, err := contentOf(openA, "expected")
	if err != nil {
		return err
	}
	b, err := contentOf(openB, "actual")
	if err != nil {
		return err
	}
	res := compareBytes(a, b)
	if isExecutable(a) && isExecutable(b) && !res.equal {
		res.buildinfo = buildinfoDiff(a, b)
	}
	t.reportContent(name, res)
	return nil
}
