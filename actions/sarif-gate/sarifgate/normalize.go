package sarifgate

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hubgates/hub/shared/finding"
)

// DefaultCategory prefixes the code scanning category of a run whose input
// had none: "sarif-gate/<tool>/".
const DefaultCategory = "sarif-gate"

// Options say how Normalize reads results.
type Options struct {
	// Workspace is the repository checkout; absolute paths under it become
	// repository-relative.
	Workspace string
	// Repository is "owner/name": checkout paths of this repository on a
	// runner (/home/runner/work/name/name/...) become repository-relative.
	Repository string
	// DefaultSeverity is the severity of a result that carries no severity
	// information at all.
	DefaultSeverity finding.Severity
	// Category prefixes the category of runs that have none; empty means
	// DefaultCategory.
	Category string
}

// Source is one SARIF log and the workspace-relative name it is reported
// under.
type Source struct {
	Name string
	Log  *Log
}

// Report is every result of a set of logs, normalized: one run per tool
// and category, duplicates removed, each result with a severity, a
// repository-relative location and a fingerprint.
type Report struct {
	// Runs are the tools in the order they were first seen.
	Runs []*ToolRun
	// Read counts results read, duplicates included; Duplicates those
	// removed as repeats of another.
	Read, Duplicates int
	// LocationsCut counts results that had more locations than code
	// scanning takes (the first 1,000 are kept), FlowsCut results whose
	// data flow paths were dropped for the same reason.
	LocationsCut, FlowsCut int

	// err is set when a stored result could not be read back (a bug in
	// hub, never the input's fault); Write reports it.
	err error
}

// Items returns every result of every run.
func (r *Report) Items() []*Item {
	var out []*Item
	for _, t := range r.Runs {
		out = append(out, t.Items...)
	}
	return out
}

// ToolRun is what one tool reported under one category, merged across the
// runs and files it came from; it becomes one run of the output.
type ToolRun struct {
	// Tool is tool.driver.name and Version its version as first seen.
	Tool, Version string
	// Category is the run's automationDetails.id, ending in "/".
	Category string
	// Sources are the files the tool's results came from.
	Sources []string
	// Items are its results, in the order read, and Duplicates how many
	// repeats were removed.
	Items      []*Item
	Duplicates int

	driver     toolComponent
	rules      []rule
	ruleIndex  map[string]int
	extensions []*extension
	columnKind string
	seen       map[dedupeKey]bool
	tagsCut    int
}

// extension is an output tool.extensions entry, rules merged by id.
type extension struct {
	component toolComponent
	rules     []rule
	index     map[string]int
}

// Item is one result, normalized.
type Item struct {
	// Tool is the driver name; RuleID the rule ("" when the tool gave none).
	Tool, RuleID string
	// Severity is the normalized severity and SeverityFrom where it came
	// from (one of the From constants).
	Severity     finding.Severity
	SeverityFrom string
	// Path is repository-relative ("" when the result is outside the
	// repository); Line and Col are 1-based, 0 when unknown.
	Path      string
	Line, Col int
	// Message is the result's message on one line.
	Message string
	// Fingerprint identifies the result across runs and line shifts: from
	// partialFingerprints when the tool wrote them, else from rule, file,
	// columns, snippet and message, with "#n" for the n-th repeat.
	Fingerprint string
	// NotAProblem is set for results of kind pass or notApplicable: they
	// are written through but never counted.
	NotAProblem bool
	// Baseline is set when the same result is in the baseline.
	Baseline bool
	// Suppression is set when the tool itself marked the result suppressed
	// (an accepted inSource or external suppression) or a waiver waives it.
	Suppression *finding.Suppression
	// Waived is set when the suppression comes from a waiver.
	Waived bool
	// Source is the file the result was first read from.
	Source string
	// Trimmed is set when the result was left out of the output to stay
	// within code scanning's limits.
	Trimmed bool

	run      *ToolRun
	chunk    *chunk // where the result is stored, and its index there
	idx      int
	full     string // "<tool>: <message>", the finding's message; Message is its tail
	key      string // fingerprint before the repeat number
	driver   int    // output driver rule index, -1 for none
	ext      int    // output extension index, -1 for none
	extRule  int    // rule index inside that extension, -1 for none
	sequence int    // order read, for stable sorting
}

// Counted reports whether the item counts toward a budget: a problem, not
// suppressed or waived, and new when a baseline was given (baseline says
// whether one was).
func (it *Item) Counted(baseline bool) bool {
	return !it.NotAProblem && it.Suppression == nil && !(baseline && it.Baseline)
}

// Finding returns the item as a hub finding: rule the tool's rule id,
// message prefixed with the tool's name.
func (it *Item) Finding() finding.Finding {
	return finding.Finding{
		Rule:        cmp.Or(it.RuleID, "(no rule)"),
		Severity:    it.Severity,
		Message:     it.findingMessage(),
		Path:        it.Path,
		Line:        it.Line,
		Col:         it.Col,
		Fingerprint: it.Fingerprint,
		Suppression: it.Suppression,
	}
}

// findingMessage is "<tool>: <message>", shared with Message when neither
// changed since Normalize, so that a finding per result costs no copy of
// its message.
func (it *Item) findingMessage() string {
	if n := len(it.Tool); len(it.full) == n+2+len(it.Message) && it.full[:n] == it.Tool && it.full[n+2:] == it.Message {
		return it.full
	}
	return it.Tool + ": " + it.Message
}

// Normalize merges the logs into one report. Results of runs with the same
// tool name and category join one ToolRun; a result with the same rule,
// location and fingerprint as one already seen is counted as a duplicate
// and dropped.
func Normalize(sources []Source, opts Options) *Report {
	n := &normalizer{
		opts:   opts,
		loc:    newLocator(opts.Workspace, opts.Repository),
		report: &Report{},
		runs:   map[string]*ToolRun{},
	}
	if n.opts.Category == "" {
		n.opts.Category = DefaultCategory
	}
	// Runs are grouped and their rules merged in order; the work on each
	// result (rule, severity, paths, fingerprint) is independent and is
	// spread over the cores in chunks; repeats are then removed in order,
	// so the outcome does not depend on scheduling.
	var chunks []*chunk
	for _, s := range sources {
		for _, r := range s.Log.Runs {
			t := n.toolRun(r)
			if !slices.Contains(t.Sources, s.Name) {
				t.Sources = append(t.Sources, s.Name)
			}
			rules := t.mapRules(r)
			if r.results == nil {
				continue
			}
			for _, b := range r.results.blocks {
				chunks = append(chunks, &chunk{src: s.Name, t: t, rules: rules, in: b,
					c: &cleaner{loc: n.loc, run: r, places: map[placeKey]place{}}})
			}
		}
	}
	next := make(chan *chunk)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for c := range next {
				n.prepare(c)
			}
		})
	}
	for _, c := range chunks {
		next <- c
	}
	close(next)
	wg.Wait()
	for _, c := range chunks {
		if c.err != nil && n.report.err == nil {
			n.report.err = c.err
		}
		n.merge(c)
		// Items keep the chunk, for Write to read their results back;
		// the rest can go.
		c.items, c.dedupe, c.c.places = nil, nil, nil
	}
	for _, t := range n.report.Runs {
		assignFingerprints(t.Items)
	}
	return n.report
}

type normalizer struct {
	opts     Options
	loc      *locator
	report   *Report
	runs     map[string]*ToolRun
	sequence int
}

// category returns the output category of an input run: its own, cut to
// the part code scanning treats as the category (up to the last "/"), or
// "<Options.Category>/<tool>/".
func (n *normalizer) category(r *Run) string {
	id := strings.TrimSpace(r.category)
	if id != "" && !strings.ContainsFunc(id, func(c rune) bool { return c <= ' ' }) {
		if i := strings.LastIndex(id, "/"); i > 0 {
			return id[:i+1]
		}
		if id = strings.Trim(id, "/"); id != "" {
			return id + "/"
		}
	}
	return strings.TrimRight(n.opts.Category, "/") + "/" + slug(r.tool.Driver.Name) + "/"
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns a tool name into a category segment: "Semgrep OSS" is
// "semgrep-oss".
func slug(name string) string {
	s := strings.Trim(slugRE.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		return "tool"
	}
	return s
}

func (n *normalizer) toolRun(r *Run) *ToolRun {
	name := strings.TrimSpace(r.tool.Driver.Name)
	cat := n.category(r)
	key := name + "\x00" + cat
	t, ok := n.runs[key]
	if !ok {
		t = &ToolRun{
			Tool: name, Version: cmp.Or(r.tool.Driver.Version, r.tool.Driver.SemanticVersion), Category: cat,
			driver: cleanComponent(r.tool.Driver), ruleIndex: map[string]int{}, columnKind: r.columnKind, seen: map[dedupeKey]bool{},
		}
		if t.columnKind != "utf16CodeUnits" && t.columnKind != "unicodeCodePoints" {
			t.columnKind = ""
		}
		n.runs[key] = t
		n.report.Runs = append(n.report.Runs, t)
	}
	return t
}

// addRule adds an input rule to the output driver (once per id) and
// returns its index there.
func (t *ToolRun) addRule(ru rule) int {
	if i, ok := t.ruleIndex[ru.ID]; ok {
		return i
	}
	out, cut := cleanRule(ru)
	if cut {
		t.tagsCut++
	}
	t.ruleIndex[ru.ID] = len(t.rules)
	t.rules = append(t.rules, out)
	return len(t.rules) - 1
}

// addExtension adds an input extension (merged by name) and returns its
// output index.
func (t *ToolRun) addExtension(tc toolComponent) int {
	name := strings.TrimSpace(tc.Name)
	for i, e := range t.extensions {
		if e.component.Name == name {
			return i
		}
	}
	t.extensions = append(t.extensions, &extension{component: cleanComponent(tc), index: map[string]int{}})
	return len(t.extensions) - 1
}

func (e *extension) addRule(ru rule, t *ToolRun) int {
	if i, ok := e.index[ru.ID]; ok {
		return i
	}
	out, cut := cleanRule(ru)
	if cut {
		t.tagsCut++
	}
	e.index[ru.ID] = len(e.rules)
	e.rules = append(e.rules, out)
	return len(e.rules) - 1
}

// inputRules maps one input run's rule positions to the output's.
type inputRules struct {
	run      *Run
	driver   []int          // input driver rule index -> output index
	driverID map[string]int // rule id -> input driver rule index
	ext      []int          // input extension index -> output index
	extRules [][]int        // input extension, rule index -> output index
	extIDs   []map[string]int
}

func (t *ToolRun) mapRules(r *Run) *inputRules {
	m := &inputRules{run: r, driverID: map[string]int{}}
	for i, ru := range r.tool.Driver.Rules {
		if strings.TrimSpace(ru.ID) == "" {
			m.driver = append(m.driver, -1)
			continue
		}
		m.driver = append(m.driver, t.addRule(ru))
		if _, dup := m.driverID[ru.ID]; !dup {
			m.driverID[ru.ID] = i
		}
	}
	for _, ext := range r.tool.Extensions {
		if strings.TrimSpace(ext.Name) == "" {
			m.ext = append(m.ext, -1)
			m.extRules = append(m.extRules, nil)
			m.extIDs = append(m.extIDs, nil)
			continue
		}
		k := t.addExtension(ext)
		ids := map[string]int{}
		var idx []int
		for i, ru := range ext.Rules {
			if strings.TrimSpace(ru.ID) == "" {
				idx = append(idx, -1)
				continue
			}
			idx = append(idx, t.extensions[k].addRule(ru, t))
			if _, dup := ids[ru.ID]; !dup {
				ids[ru.ID] = i
			}
		}
		m.ext = append(m.ext, k)
		m.extRules = append(m.extRules, idx)
		m.extIDs = append(m.extIDs, ids)
	}
	return m
}

func valid(p *int, n int) (int, bool) {
	if p == nil || *p < 0 || *p >= n {
		return -1, false
	}
	return *p, true
}

// resolveRule finds the rule a result names (by index or id, in the driver
// or in an extension) and sets the item's output references.
func (m *inputRules) resolveRule(res *result, it *Item) *rule {
	it.driver, it.ext, it.extRule = -1, -1, -1
	id := res.RuleID
	if id == "" && res.Rule != nil {
		id = res.Rule.ID
	}
	drv := &m.run.tool.Driver
	exts := m.run.tool.Extensions
	var found *rule
	if ref := res.Rule; ref != nil && ref.ToolComponent != nil {
		k, ok := valid(ref.ToolComponent.Index, len(exts))
		if !ok && ref.ToolComponent.Name != "" {
			k = slices.IndexFunc(exts, func(e toolComponent) bool { return e.Name == ref.ToolComponent.Name })
			ok = k >= 0
		}
		if ok && m.ext[k] >= 0 {
			ri, has := valid(ref.Index, len(exts[k].Rules))
			if !has && id != "" {
				ri, has = m.extIDs[k][id]
			}
			if has && m.extRules[k][ri] >= 0 {
				found = &exts[k].Rules[ri]
				it.ext, it.extRule = m.ext[k], m.extRules[k][ri]
			}
		}
	}
	if found == nil {
		ri, has := valid(res.RuleIndex, len(drv.Rules))
		if !has && res.Rule != nil && res.Rule.ToolComponent == nil {
			ri, has = valid(res.Rule.Index, len(drv.Rules))
		}
		if !has && id != "" {
			ri, has = m.driverID[id]
		}
		if has && m.driver[ri] >= 0 {
			found = &drv.Rules[ri]
			it.driver = m.driver[ri]
		}
	}
	if found == nil && id != "" {
		for k := range exts {
			if ri, has := m.extIDs[k][id]; has && m.ext[k] >= 0 && m.extRules[k][ri] >= 0 {
				found = &exts[k].Rules[ri]
				it.ext, it.extRule = m.ext[k], m.extRules[k][ri]
				break
			}
		}
	}
	if id == "" && found != nil {
		id = found.ID
	}
	it.RuleID = id
	return found
}

// chunk is one stored block of consecutive results of one input run.
type chunk struct {
	src    string
	t      *ToolRun
	rules  *inputRules
	in     *block
	c      *cleaner
	items  []*Item
	dedupe []dedupeKey
	err    error
}

// dedupeKey identifies a result for removing repeats: a hash of its
// identity, line, column and message rather than the text itself, which
// would keep every message in memory twice. A collision of 128 bits of
// SHA-256 is not a concern.
type dedupeKey [16]byte

// prepare normalizes a chunk's results and stores them cleaned; it touches
// nothing shared.
func (n *normalizer) prepare(ch *chunk) {
	recs, err := ch.in.records()
	if err != nil {
		ch.err = err
		return
	}
	t, c, src := ch.t, ch.c, ch.src
	ch.items = make([]*Item, 0, len(recs))
	ch.dedupe = make([]dedupeKey, 0, len(recs))
	bySeverity := map[*rule]ruleSeverity{}
	// Rule ids repeat from result to result: keep one copy of each.
	ruleIDs := map[string]string{}
	for _, rec := range recs {
		res, err := decodeRecord(rec)
		if err != nil {
			ch.err = err
			return
		}
		it := &Item{Tool: t.Tool, Source: src, run: t, chunk: ch, idx: len(ch.items)}
		ru := ch.rules.resolveRule(res, it)
		if id, ok := ruleIDs[it.RuleID]; ok {
			it.RuleID = id
		} else {
			ruleIDs[it.RuleID] = it.RuleID
		}
		rs, ok := bySeverity[ru]
		if !ok {
			rs = ruleSeverities(ru)
			bySeverity[ru] = rs
		}
		it.Severity, it.SeverityFrom = judgeWith(res, rs, n.opts.DefaultSeverity)
		p := ch.clean(res, ru, it.RuleID, c)
		it.full = t.Tool + ": " + oneLine(res.Message.Text)
		it.Message = it.full[len(t.Tool)+2:]
		it.Path = p.rel
		var reg *region
		if pl := primaryPhysical(res); pl != nil && pl.Region != nil {
			reg = pl.Region
			it.Line, it.Col = reg.StartLine, reg.StartColumn
		}
		it.NotAProblem = res.Kind == "pass" || res.Kind == "notApplicable"
		for _, s := range res.Suppressions {
			if s.Status == "" || s.Status == "accepted" {
				it.Suppression = &finding.Suppression{Kind: s.Kind, Justification: cmp.Or(s.Justification, "suppressed by "+t.Tool), Source: src}
				break
			}
		}
		it.key = identity(t.Tool, it.RuleID, p.uri, res, reg)
		// A repeat is the same identity at the same place saying the same
		// thing; the message counts even where partialFingerprints decide
		// the identity, since some tools (FxCop) reuse one fingerprint for
		// results about different symbols.
		sum := sha256.Sum256([]byte(it.key + "\x00" + strconv.Itoa(it.Line) + "\x00" + strconv.Itoa(it.Col) + "\x00" + strings.Join(strings.Fields(res.Message.Text), " ")))
		ch.dedupe = append(ch.dedupe, dedupeKey(sum[:16]))
		ch.items = append(ch.items, it)
	}
}

// clean turns a decoded input result of the chunk, whose rule resolveRule
// found, into the result the output carries: its message rendered, its
// locations resolved and sanitized by c, and a location at the source file
// when it had none. It returns where the result points. Normalize and
// Write both call it, so the stored input is all that is kept of a result
// between them.
func (ch *chunk) clean(res *result, ru *rule, ruleID string, c *cleaner) place {
	res.Message = renderMessage(res.Message, ru, ruleID)
	p := c.result(res)
	if p.uri == "" {
		// Code scanning rejects a whole upload in which one result has
		// no file location, so a result without one is placed at the
		// file it was read from.
		p = inRepo(ch.src)
		res.Locations = append([]location{{PhysicalLocation: &physicalLocation{
			ArtifactLocation: &artifactLocation{URI: p.uri, URIBaseID: p.base}}}}, res.Locations...)
	}
	return p
}

// output decodes result i of the chunk and cleans it as Normalize did,
// with c, a cleaner of the chunk's run that the caller owns.
func (ch *chunk) output(recs [][]byte, i int, c *cleaner) (*result, error) {
	if i < 0 || i >= len(recs) {
		return nil, fmt.Errorf("stored result %d of %d: out of range", i, len(recs))
	}
	res, err := decodeRecord(recs[i])
	if err != nil {
		return nil, err
	}
	var it Item
	ru := ch.rules.resolveRule(res, &it)
	ch.clean(res, ru, it.RuleID, c)
	return res, nil
}

// merge adds a prepared chunk to its tool run, in order, dropping repeats.
func (n *normalizer) merge(ch *chunk) {
	t := ch.t
	for i, it := range ch.items {
		n.report.Read++
		it.sequence = n.sequence
		n.sequence++
		if t.seen[ch.dedupe[i]] {
			n.report.Duplicates++
			t.Duplicates++
			continue
		}
		t.seen[ch.dedupe[i]] = true
		t.Items = append(t.Items, it)
	}
	n.report.LocationsCut += ch.c.locationsCut
	n.report.FlowsCut += ch.c.flowsCut
}

func primaryPhysical(res *result) *physicalLocation {
	for _, l := range res.Locations {
		if l.PhysicalLocation != nil {
			return l.PhysicalLocation
		}
	}
	return nil
}

var argRE = regexp.MustCompile(`\{(\d+)\}`)

// renderMessage returns a message with text: the text as written, else the
// rule's message string for its id with the arguments filled in, else its
// markdown, the rule's short description, or the rule id.
func renderMessage(m message, ru *rule, ruleID string) message {
	if m.Text != "" {
		return message{Text: m.Text, Markdown: m.Markdown}
	}
	if ru != nil && m.ID != "" {
		if ms, ok := ru.MessageStrings[m.ID]; ok && ms.Text != "" {
			text := argRE.ReplaceAllStringFunc(ms.Text, func(s string) string {
				i, _ := strconv.Atoi(s[1 : len(s)-1])
				if i < len(m.Arguments) {
					return m.Arguments[i]
				}
				return s
			})
			return message{Text: text}
		}
	}
	switch {
	case m.Markdown != "":
		return message{Text: m.Markdown, Markdown: m.Markdown}
	case ru != nil && ru.ShortDescription != nil && ru.ShortDescription.Text != "":
		return message{Text: ru.ShortDescription.Text}
	}
	return message{Text: cmp.Or(ruleID, "(no message)")}
}

// oneLine folds a message onto one line of at most 300 characters for
// logs, annotations and the summary; the output SARIF keeps it whole.
func oneLine(s string) string {
	var parts []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	out := strings.Join(parts, "; ")
	if r := []rune(out); len(r) > 300 {
		out = string(r[:299]) + "…"
	}
	return out
}

// identity is the line-independent part of a result's identity: the
// logical location (function, class, job) when the tool names one, and
// with partialFingerprints (CodeQL's primaryLocationLineHash, Bandit's,
// Semgrep's) those; otherwise the columns, the number of lines spanned,
// the snippet with white space folded and the message, so it survives
// edits that move the result up or down the file.
func identity(tool, ruleID, uri string, res *result, reg *region) string {
	var key strings.Builder
	for _, l := range res.Locations {
		for _, ll := range l.LogicalLocations {
			key.WriteString(cmp.Or(ll.FullyQualifiedName, ll.Name, ll.DecoratedName) + "\x00")
		}
		if len(l.LogicalLocations) > 0 {
			break
		}
	}
	if len(res.PartialFingerprints) > 0 {
		keys := make([]string, 0, len(res.PartialFingerprints))
		for k := range res.PartialFingerprints {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		key.WriteString("pf")
		for _, k := range keys {
			key.WriteString("\x00" + k + "=" + res.PartialFingerprints[k])
		}
	} else {
		key.WriteString("computed")
		if reg != nil {
			span := 0
			if reg.EndLine > reg.StartLine {
				span = reg.EndLine - reg.StartLine
			}
			key.WriteString("\x00" + strconv.Itoa(reg.StartColumn) + "\x00" + strconv.Itoa(reg.EndColumn) + "\x00" + strconv.Itoa(span))
			if reg.Snippet != nil {
				key.WriteString("\x00" + strings.Join(strings.Fields(reg.Snippet.Text), " "))
			}
		}
		key.WriteString("\x00" + strings.Join(strings.Fields(res.Message.Text), " "))
	}
	return finding.Fingerprint(slug(tool)+"/"+ruleID, uri, key.String())
}

// assignFingerprints gives every item its fingerprint: its identity, and
// for the n-th item (n >= 2, in file and line order) with the same
// identity, the identity of "<identity>#n", as workflow-audit does.
func assignFingerprints(items []*Item) {
	order := slices.Clone(items)
	slices.SortStableFunc(order, func(a, b *Item) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), cmp.Compare(a.sequence, b.sequence))
	})
	n := 0
	for i, it := range order {
		if i > 0 && order[i-1].key == it.key {
			n++
			it.Fingerprint = finding.Fingerprint("repeat", it.key, strconv.Itoa(n))
			continue
		}
		n = 1
		it.Fingerprint = it.key
	}
}
