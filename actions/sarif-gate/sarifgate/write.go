package sarifgate

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hubgates/hub/shared/finding"
)

// The limits code scanning puts on one SARIF upload, from GitHub's "SARIF
// support for code scanning" and "SARIF results exceed limits" pages: a
// file over one of them is rejected whole.
const (
	MaxRuns          = 20
	MaxResultsPerRun = 25_000
	MaxRulesPerRun   = 25_000
	MaxExtensions    = 100
	// MaxGzipBytes is the 10 MB cap on the gzip-compressed file. The gate
	// keeps its output's compressed size at or under GzipTarget, three
	// quarters of it, so that even the base64 text the upload API
	// receives fits in 10 MB.
	MaxGzipBytes = 10_000_000
	GzipTarget   = MaxGzipBytes * 3 / 4
)

// SchemaURI is the $schema the output names.
const SchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// FingerprintKey is the partialFingerprints key under which a result that
// came without partialFingerprints carries the gate's fingerprint.
const FingerprintKey = "hubFingerprint/v1"

// Output is the SARIF log Write produced and what it left out.
type Output struct {
	// Data is the log: SARIF 2.1.0, one run per tool and category.
	Data []byte
	// Runs names the tool runs written ("Bandit", "Trivy" ...); RunCount
	// counts every run, the extra ones included.
	Runs     []string
	RunCount int
	// Results is how many results were written, Trimmed how many were left
	// out to stay within code scanning's limits (TrimmedBySeverity splits
	// them), and Notes say why, one line each.
	Results, Trimmed  int
	TrimmedBySeverity map[finding.Severity]int
	Notes             []string
	// Gzip is the compressed size when it had to be measured, else 0.
	Gzip int

	w *writer // what WriteTo renders
}

// WriteOptions adjust Write.
type WriteOptions struct {
	// Baseline is set when results were compared with a baseline: each
	// result then carries baselineState new or unchanged.
	Baseline bool
	// Extra are runs appended as they are (the gate's own findings);
	// they count toward MaxRuns and are never trimmed.
	Extra []json.RawMessage
	// GzipTarget overrides the compressed size to stay under; 0 means
	// GzipTarget. Tests use a small one.
	GzipTarget int
}

// outRun is an output run without its results, which are appended as
// pre-encoded JSON.
type outRun struct {
	Tool              outTool           `json:"tool"`
	AutomationDetails automationDetails `json:"automationDetails"`
	ColumnKind        string            `json:"columnKind,omitempty"`
	Properties        map[string]any    `json:"properties,omitempty"`
}

type outTool struct {
	Driver     toolComponent   `json:"driver"`
	Extensions []toolComponent `json:"extensions,omitempty"`
}

// writer holds the state of one Write.
type writer struct {
	rep     *Report
	opts    WriteOptions
	out     *Output
	runs    []*ToolRun
	encoded map[*Item][]byte
	lean    bool // emit only the rules results reference
	cache   blockCache
}

// Write renders the report as a SARIF log code scanning accepts in one
// upload: at most MaxRuns runs, each named by its tool and its own category
// (automationDetails.id) so that no two share a category, at most
// MaxResultsPerRun results and MaxRulesPerRun rules per run, and a
// gzip-compressed size within GzipTarget. What does not fit is left out,
// least severe first, and counted in the Output; the items left out are
// marked Trimmed. Results keep the order they were read in.
func Write(rep *Report, opts WriteOptions) (*Output, error) {
	out, err := Render(rep, opts)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := out.WriteTo(&b); err != nil {
		return nil, err
	}
	out.Data = b.Bytes()
	return out, nil
}

// Render decides what Write writes, without building the log in memory:
// the Output's Data is nil, and WriteTo streams the log. The log (tens of
// megabytes for a large report) is only ever written to its destination
// or, while checking its compressed size, through a compressor that
// counts bytes.
func Render(rep *Report, opts WriteOptions) (*Output, error) {
	if rep.err != nil {
		return nil, rep.err
	}
	if opts.GzipTarget <= 0 {
		opts.GzipTarget = GzipTarget
	}
	w := &writer{rep: rep, opts: opts, out: &Output{TrimmedBySeverity: map[finding.Severity]int{}}, encoded: map[*Item][]byte{}}
	for _, it := range rep.Items() {
		it.Trimmed = false
	}
	w.pickRuns()
	for _, t := range w.runs {
		w.capResults(t)
	}
	if err := w.encodeAll(); err != nil {
		return nil, err
	}
	if err := w.fitSize(); err != nil {
		return nil, err
	}
	w.out.w = w
	return w.out, nil
}

// WriteTo writes the log Render decided on to dst.
func (o *Output) WriteTo(dst io.Writer) (int64, error) {
	if o.w == nil {
		return 0, errors.New("writing SARIF: the output was already released")
	}
	c := &countingWriter{w: dst}
	err := o.w.assemble(c)
	return c.n, err
}

// release drops what WriteTo needs (every result encoded), once written.
func (o *Output) release() { o.w = nil }

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// encodeAll encodes every result that is not trimmed, on every core.
func (w *writer) encodeAll() error {
	var items []*Item
	for _, t := range w.runs {
		for _, it := range t.Items {
			if !it.Trimmed {
				items = append(items, it)
			}
		}
	}
	enc := make([][]byte, len(items))
	errs := make([]error, len(items))
	// Each core takes a contiguous share, so that it decompresses each
	// stored block once.
	workers := runtime.GOMAXPROCS(0)
	share := (len(items) + workers - 1) / workers
	var wg sync.WaitGroup
	for start := 0; start < len(items); start += share {
		wg.Go(func() {
			var cache blockCache
			for i := start; i < min(start+share, len(items)); i++ {
				enc[i], errs[i] = encodeResult(&cache, items[i], w.opts.Baseline)
			}
		})
	}
	wg.Wait()
	for i, it := range items {
		if errs[i] != nil {
			return errs[i]
		}
		w.encoded[it] = enc[i]
	}
	return nil
}

// trim leaves an item out and counts it.
func (w *writer) trim(it *Item) {
	if it.Trimmed {
		return
	}
	it.Trimmed = true
	delete(w.encoded, it)
	w.out.Trimmed++
	w.out.TrimmedBySeverity[it.Severity]++
}

// worst returns a run's worst severity, for ranking runs.
func worst(t *ToolRun) finding.Severity {
	s := finding.Info
	for _, it := range t.Items {
		if !it.NotAProblem && it.Severity > s {
			s = it.Severity
		}
	}
	return s
}

// pickRuns keeps at most MaxRuns runs, extras included: the runs with the
// worst results, then the most results, stay.
func (w *writer) pickRuns() {
	room := MaxRuns - len(w.opts.Extra)
	w.runs = slices.Clone(w.rep.Runs)
	if len(w.runs) <= room {
		return
	}
	ranked := slices.Clone(w.runs)
	slices.SortStableFunc(ranked, func(a, b *ToolRun) int {
		return cmp.Or(cmp.Compare(worst(b), worst(a)), cmp.Compare(len(b.Items), len(a.Items)))
	})
	keep := map[*ToolRun]bool{}
	for _, t := range ranked[:max(room, 0)] {
		keep[t] = true
	}
	var dropped []string
	w.runs = slices.DeleteFunc(w.runs, func(t *ToolRun) bool {
		if keep[t] {
			return false
		}
		dropped = append(dropped, t.Tool)
		for _, it := range t.Items {
			w.trim(it)
		}
		return true
	})
	w.out.Notes = append(w.out.Notes, fmt.Sprintf("code scanning takes at most %d runs in one file: the runs of %s were left out", MaxRuns, joinNames(dropped)))
}

// capResults keeps at most MaxResultsPerRun results of a run, the most
// severe.
func (w *writer) capResults(t *ToolRun) {
	if len(t.Items) <= MaxResultsPerRun {
		return
	}
	ranked := slices.Clone(t.Items)
	slices.SortStableFunc(ranked, func(a, b *Item) int { return cmp.Compare(b.Severity, a.Severity) })
	n := 0
	for _, it := range ranked[MaxResultsPerRun:] {
		w.trim(it)
		n++
	}
	w.out.Notes = append(w.out.Notes, fmt.Sprintf("code scanning takes at most %d results per run: %d of %s's least severe results were left out", MaxResultsPerRun, n, t.Tool))
}

// fitSize assembles the log and, while its compressed size is over the
// target, leaves out the least severe results (then rules nothing refers
// to) and tries again.
func (w *writer) fitSize() error {
	var candidates []*Item
	for _, t := range w.runs {
		for _, it := range t.Items {
			if !it.Trimmed {
				candidates = append(candidates, it)
			}
		}
	}
	// Least severe first; among equals, the last read goes first.
	slices.SortStableFunc(candidates, func(a, b *Item) int {
		return cmp.Or(cmp.Compare(a.Severity, b.Severity), cmp.Compare(b.sequence, a.sequence))
	})
	before := w.out.Trimmed
	for attempt := 0; ; attempt++ {
		var n counter
		if err := w.assemble(&n); err != nil {
			return err
		}
		// A deflate stream never grows data by more than a few bytes per
		// 16 KiB block, so a small enough file needs no measuring.
		if int(n)+int(n)/1000+64 <= w.opts.GzipTarget {
			break
		}
		// Fast compression first: when even its larger output fits, the
		// default level upload-sarif uses fits too.
		gz, err := w.gzipSize(gzip.BestSpeed)
		if err == nil && gz > w.opts.GzipTarget {
			gz, err = w.gzipSize(gzip.DefaultCompression)
		}
		if err != nil {
			return err
		}
		w.out.Gzip = gz
		if gz <= w.opts.GzipTarget || attempt == 12 {
			break
		}
		w.lean = true
		want := int(float64(n) * float64(w.opts.GzipTarget) / float64(gz) * 0.9)
		size := int(n)
		for len(candidates) > 0 && size > want {
			it := candidates[0]
			candidates = candidates[1:]
			size -= len(w.encoded[it]) + 2
			w.trim(it)
		}
	}
	if n := w.out.Trimmed - before; n > 0 {
		w.out.Notes = append(w.out.Notes, fmt.Sprintf("code scanning takes at most %d MB of gzip-compressed SARIF: %d of the least severe results were left out to stay under %d bytes compressed", MaxGzipBytes/1_000_000, n, w.opts.GzipTarget))
	}
	return nil
}

// gzipSize is the compressed size of the log as it stands, measured
// without holding it.
func (w *writer) gzipSize(level int) (int, error) {
	var c counter
	zw, _ := gzip.NewWriterLevel(&c, level)
	if err := w.assemble(zw); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int(c), nil
}

type counter int

func (c *counter) Write(p []byte) (int, error) {
	*c += counter(len(p))
	return len(p), nil
}

// assemble writes the log from the encoded results to dst, one result a
// line.
func (w *writer) assemble(dst io.Writer) error {
	b := bufio.NewWriterSize(dst, 64<<10)
	b.WriteString(`{"$schema":"` + SchemaURI + `","version":"` + Version + `","runs":[`)
	w.out.Runs = w.out.Runs[:0]
	w.out.Results = 0
	first := true
	sep := func() {
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteByte('\n')
	}
	for _, t := range w.runs {
		head, err := w.runHeader(t)
		if err != nil {
			return err
		}
		sep()
		b.Write(head[:len(head)-1]) // without its closing brace
		b.WriteString(`,"results":[`)
		n := 0
		for _, it := range t.Items {
			enc, ok := w.encoded[it]
			if !ok {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
			b.Write(enc)
			n++
		}
		b.WriteString("]}")
		w.out.Runs = append(w.out.Runs, t.Tool)
		w.out.Results += n
	}
	for _, x := range w.opts.Extra {
		sep()
		b.Write(x)
	}
	w.out.RunCount = len(w.out.Runs) + len(w.opts.Extra)
	b.WriteString("\n]}\n")
	if err := b.Flush(); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	return nil
}

// runHeader encodes a run's tool, category and properties, with its rules
// and extensions renumbered to what is written, and sets the rule
// references of its written results to match.
func (w *writer) runHeader(t *ToolRun) ([]byte, error) {
	used := map[int]bool{}
	usedExt := map[int]map[int]bool{}
	for _, it := range t.Items {
		if _, ok := w.encoded[it]; !ok {
			continue
		}
		if it.driver >= 0 {
			used[it.driver] = true
		}
		if it.ext >= 0 {
			if usedExt[it.ext] == nil {
				usedExt[it.ext] = map[int]bool{}
			}
			usedExt[it.ext][it.extRule] = true
		}
	}
	total := len(t.rules)
	for _, e := range t.extensions {
		total += len(e.rules)
	}
	lean := w.lean || total > MaxRulesPerRun
	driver := t.driver
	driverMap := make([]int, len(t.rules))
	for i, ru := range t.rules {
		driverMap[i] = -1
		if !lean || used[i] {
			driverMap[i] = len(driver.Rules)
			driver.Rules = append(driver.Rules, ru)
		}
	}
	// Extensions: all of them, or when over the limit those results use,
	// the most used first.
	extOrder := make([]int, 0, len(t.extensions))
	for k := range t.extensions {
		if !lean || len(usedExt[k]) > 0 {
			extOrder = append(extOrder, k)
		}
	}
	if len(extOrder) > MaxExtensions {
		slices.SortStableFunc(extOrder, func(a, b int) int { return cmp.Compare(len(usedExt[b]), len(usedExt[a])) })
		extOrder = extOrder[:MaxExtensions]
		slices.Sort(extOrder)
	}
	extMap := make([]int, len(t.extensions))
	extRuleMap := make([][]int, len(t.extensions))
	for k := range extMap {
		extMap[k] = -1
	}
	var exts []toolComponent
	for _, k := range extOrder {
		e := t.extensions[k]
		c := e.component
		extRuleMap[k] = make([]int, len(e.rules))
		for i, ru := range e.rules {
			extRuleMap[k][i] = -1
			if !lean || usedExt[k][i] {
				extRuleMap[k][i] = len(c.Rules)
				c.Rules = append(c.Rules, ru)
			}
		}
		extMap[k] = len(exts)
		exts = append(exts, c)
	}
	// Re-encode the results whose rule references moved.
	for _, it := range t.Items {
		enc, ok := w.encoded[it]
		if !ok {
			continue
		}
		d, e, r := -1, -1, -1
		if it.driver >= 0 {
			d = driverMap[it.driver]
		}
		if it.ext >= 0 && extMap[it.ext] >= 0 {
			e, r = extMap[it.ext], extRuleMap[it.ext][it.extRule]
		}
		if d != it.driver || e != it.ext || r != it.extRule {
			fixed, err := encodeResultRefs(&w.cache, it, w.opts.Baseline, d, e, r)
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(fixed, enc) {
				w.encoded[it] = fixed
			}
		}
	}
	props := map[string]any{"sources": t.Sources}
	if t.Duplicates > 0 {
		props["duplicatesRemoved"] = t.Duplicates
	}
	run := outRun{
		Tool:              outTool{Driver: driver, Extensions: exts},
		AutomationDetails: automationDetails{ID: t.Category},
		ColumnKind:        t.columnKind,
		Properties:        map[string]any{"hub/sarif-gate": props},
	}
	return marshal(run)
}

// encodeResult encodes an item as an output result with its own rule
// references.
func encodeResult(c *blockCache, it *Item, baseline bool) ([]byte, error) {
	return encodeResultRefs(c, it, baseline, it.driver, it.ext, it.extRule)
}

// encodeResultRefs encodes an item as an output result: rule references
// (driver index d, or extension e and its rule r), the level matching the
// normalized severity, the gate's severity and fingerprint as properties,
// a waiver as an external suppression, the baseline state. The result is
// read back from where Normalize stored it, through c.
func encodeResultRefs(c *blockCache, it *Item, baseline bool, d, e, r int) ([]byte, error) {
	stored, err := c.result(it)
	if err != nil {
		return nil, err
	}
	res := *stored
	res.RuleID = it.RuleID
	res.RuleIndex, res.Rule = nil, nil
	switch {
	case e >= 0 && r >= 0:
		res.Rule = &ruleRef{ID: it.RuleID, Index: &r, ToolComponent: &toolComponentRef{Index: &e}}
	case d >= 0:
		res.RuleIndex = &d
	}
	if !it.NotAProblem {
		res.Level = it.Severity.SARIFLevel()
	}
	props := make(propertyBag, len(res.Properties)+2)
	maps.Copy(props, res.Properties)
	props["hub/severity"] = json.RawMessage(`"` + it.Severity.String() + `"`)
	props["hub/fingerprint"] = json.RawMessage(`"` + it.Fingerprint + `"`)
	res.Properties = props
	if len(res.PartialFingerprints) == 0 {
		res.PartialFingerprints = stringMap{FingerprintKey: it.Fingerprint}
	}
	if it.Waived && it.Suppression != nil {
		res.Suppressions = append(slices.Clip(res.Suppressions), waiverSuppression(it.Suppression))
	}
	if baseline {
		res.BaselineState = "new"
		if it.Baseline {
			res.BaselineState = "unchanged"
		}
	}
	return marshal(res)
}

// waiverSuppression is the SARIF suppression of a waived result, as hub's
// other gates write it: external, accepted, the waiver's reason as the
// justification, where the waiver is written as the location and its
// expiry as the "expires" property.
func waiverSuppression(s *finding.Suppression) suppression {
	out := suppression{Kind: cmp.Or(s.Kind, "external"), Status: "accepted", Justification: s.Justification}
	if s.Expires != "" {
		b, _ := json.Marshal(s.Expires)
		out.Properties = propertyBag{"expires": b}
	}
	if s.Source != "" {
		file, line := s.Source, 0
		if i := strings.LastIndexByte(file, ':'); i > 0 {
			if n, err := strconv.Atoi(file[i+1:]); err == nil && n > 0 {
				file, line = file[:i], n
			}
		}
		pl := &physicalLocation{ArtifactLocation: &artifactLocation{URI: escape(file), URIBaseID: SourceRootID}}
		if line > 0 {
			pl.Region = &region{StartLine: line}
		}
		out.Location = &location{PhysicalLocation: pl}
	}
	return out
}

// marshal encodes v compactly without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding SARIF: %w", err)
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return fmt.Sprintf("%s and %s", joinList(names[:len(names)-1]), names[len(names)-1])
}

func joinList(names []string) string {
	var b bytes.Buffer
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String()
}
