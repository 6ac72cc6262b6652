package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"
)

// encodeStreaming writes r as compact JSON to w, the bytes json.Encoder
// would write, but one result at a time: the report without its results
// (the skeleton) is encoded first, and each run's results are spliced in
// where the skeleton has "results":null. Encoding a large report in one
// piece built it in one growing buffer, and on hosts where first touching
// memory is dear that was most of the time spent writing it.
func encodeStreaming(w io.Writer, r *gosarif.Report) error {
	if slices.Contains(r.Runs, nil) {
		// A null run has no object to count; encode the report whole.
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	skeleton := *r
	if r.Runs != nil { // a nil slice stays null
		skeleton.Runs = make([]*gosarif.Run, len(r.Runs))
	}
	for i, run := range r.Runs {
		bare := *run
		bare.Results = nil
		skeleton.Runs[i] = &bare
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&skeleton); err != nil {
		return err
	}
	doc := bytes.Clone(buf.Bytes())
	holes := resultsHoles(doc, len(r.Runs))
	at := 0
	for i, run := range r.Runs {
		if run.Results == nil {
			continue // the skeleton's null is the report's
		}
		hole := holes[i]
		if hole < 0 {
			return fmt.Errorf("run %d: no results member in the encoded run", i)
		}
		if _, err := w.Write(doc[at:hole]); err != nil {
			return err
		}
		if _, err := io.WriteString(w, `"results":[`); err != nil {
			return err
		}
		for j, res := range run.Results {
			buf.Reset()
			if j > 0 {
				buf.WriteByte(',')
			}
			if err := enc.Encode(res); err != nil {
				return err
			}
			if _, err := w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil {
				return err
			}
		}
		if _, err := io.WriteString(w, "]"); err != nil {
			return err
		}
		at = hole + len(`"results":null`)
	}
	_, err := w.Write(doc[at:])
	return err
}

// resultsHoles returns, for each of the n runs in the compact report doc,
// the offset of its top-level "results":null member, or -1.
func resultsHoles(doc []byte, n int) []int {
	holes := make([]int, n)
	for i := range holes {
		holes[i] = -1
	}
	depth, run := 0, -1
	inRuns := false // inside the report's "runs" array
	for i := 0; i < len(doc); i++ {
		switch c := doc[i]; c {
		case '"':
			end := i + 1
			for doc[end] != '"' {
				if doc[end] == '\\' {
					end++
				}
				end++
			}
			key := end+1 < len(doc) && doc[end+1] == ':'
			switch {
			case key && depth == 1 && string(doc[i:end+1]) == `"runs"`:
				inRuns = true
			case key && depth == 3 && inRuns && run >= 0 && run < n && bytes.HasPrefix(doc[i:], []byte(`"results":null`)):
				holes[run] = i
			}
			i = end
		case '{', '[':
			depth++
			if depth == 3 && inRuns && c == '{' {
				run++
			}
		case '}', ']':
			depth--
			if depth == 1 {
				inRuns = false
			}
		}
	}
	return holes
}
