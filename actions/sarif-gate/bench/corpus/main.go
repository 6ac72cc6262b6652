// Command corpus checks sarif-gate's reader against a corpus of real SARIF
// files described by an oracle: for every file the oracle lists, it reads
// the file as the gate does and compares the verdict (usable or not), the
// number of results and the number left after duplicates are removed with
// what the oracle says.
//
//	go run ./actions/sarif-gate/bench/corpus <corpus-dir>
//
// The corpus directory holds the files and ORACLE.json, a list of
// {"file", "version", "schema_valid_2_1_0", "first_error", "results",
// "duplicate_results", "parse"} objects (parse is "invalid-json" for files
// that are not JSON; duplicate_results counts repeated (ruleId, uri,
// startLine, startColumn, message) tuples in a run).
//
// The checks: a file the gate refuses must be one the oracle calls not
// JSON, not SARIF 2.1.0 or schema-invalid; a file it reads must have the
// oracle's number of results; and the duplicates it removes must lie
// between the results that are byte-for-byte repeats (a floor: every such
// repeat must go) and the oracle's tuple repeats (a ceiling: the tuple
// ignores partialFingerprints, snippets and logical locations, which tell
// results apart). Rows where the gate and the oracle's tuple count differ
// are printed with both. It is not part of the test suite: the corpus
// lives outside the repository.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/hubgates/hub/actions/sarif-gate/sarifgate"
	"github.com/hubgates/hub/shared/finding"
)

type entry struct {
	File        string  `json:"file"`
	Parse       string  `json:"parse"`
	Version     *string `json:"version"`
	SchemaValid *bool   `json:"schema_valid_2_1_0"`
	FirstError  string  `json:"first_error"`
	Results     int     `json:"results"`
	Duplicates  int     `json:"duplicate_results"`
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: corpus <corpus-dir>")
		return 2
	}
	dir := args[0]
	b, err := os.ReadFile(filepath.Join(dir, "ORACLE.json"))
	if err != nil {
		fmt.Fprintf(stderr, "corpus: %v\n", err)
		return 2
	}
	var oracle []entry
	if err := json.Unmarshal(b, &oracle); err != nil {
		fmt.Fprintf(stderr, "corpus: ORACLE.json: %v\n", err)
		return 2
	}
	sort.Slice(oracle, func(i, j int) bool { return oracle[i].File < oracle[j].File })
	var missing, agree, differ, tupleDiffers int
	rejected := map[string]int{}
	for _, e := range oracle {
		path := filepath.Join(dir, filepath.FromSlash(e.File))
		if _, err := os.Stat(path); err != nil {
			missing++
			continue
		}
		log, err := sarifgate.ReadFile(context.Background(), path, 256<<20)
		sarif210 := e.Parse == "" && e.Version != nil && *e.Version == sarifgate.Version
		if err != nil {
			rejected[classify(err)]++
			if sarif210 && e.SchemaValid != nil && *e.SchemaValid {
				differ++
				fmt.Fprintf(stdout, "DIFFER %s: schema-valid SARIF 2.1.0 with %d results, refused: %v\n", e.File, e.Results, err)
				continue
			}
			agree++
			if sarif210 {
				fmt.Fprintf(stdout, "refused %s (schema-invalid per the oracle: %s): %v\n", e.File, e.FirstError, err)
			}
			continue
		}
		if !sarif210 {
			differ++
			fmt.Fprintf(stdout, "DIFFER %s: read, but the oracle says version %v, parse %q\n", e.File, deref(e.Version), e.Parse)
			continue
		}
		if log.Results() != e.Results {
			differ++
			fmt.Fprintf(stdout, "DIFFER %s: %d results read, the oracle counts %d\n", e.File, log.Results(), e.Results)
			continue
		}
		rep := sarifgate.Normalize([]sarifgate.Source{{Name: e.File, Log: log}}, sarifgate.Options{Workspace: dir, DefaultSeverity: finding.High})
		exact, err := exactRepeats(path)
		if err != nil {
			fmt.Fprintf(stderr, "corpus: %s: %v\n", e.File, err)
			return 2
		}
		switch {
		case rep.Duplicates < exact || rep.Duplicates > e.Duplicates:
			differ++
			fmt.Fprintf(stdout, "DIFFER %s: %d duplicates removed, want between %d (exact repeats) and %d (oracle tuples)\n", e.File, rep.Duplicates, exact, e.Duplicates)
		default:
			agree++
			if rep.Duplicates != e.Duplicates {
				tupleDiffers++
				fmt.Fprintf(stdout, "fewer %s: %d results, %d kept after removing %d duplicates; oracle tuples: %d repeats; exact repeats: %d\n",
					e.File, e.Results, len(rep.Items()), rep.Duplicates, e.Duplicates, exact)
			}
		}
	}
	fmt.Fprintf(stdout, "files in the oracle: %d; present: %d; agree: %d (of which %d keep results the oracle's tuple calls repeats); differ: %d; missing: %d\n",
		len(oracle), len(oracle)-missing, agree, tupleDiffers, differ, missing)
	kinds := make([]string, 0, len(rejected))
	for k := range rejected {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(stdout, "refused (%s): %d\n", k, rejected[k])
	}
	if differ > 0 {
		return 1
	}
	return 0
}

// exactRepeats counts results that repeat another result of the same run
// byte for byte (as canonical JSON).
func exactRepeats(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // as the gate reads past a byte order mark
	var log struct {
		Runs []struct {
			Results []any `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range log.Runs {
		seen := map[string]bool{}
		for _, res := range r.Results {
			c, _ := json.Marshal(res) // maps marshal with sorted keys
			if seen[string(c)] {
				n++
			}
			seen[string(c)] = true
		}
	}
	return n, nil
}

func classify(err error) string {
	for _, s := range []error{sarifgate.ErrEmpty, sarifgate.ErrNotJSON, sarifgate.ErrNotSARIF, sarifgate.ErrVersion, sarifgate.ErrMalformed, sarifgate.ErrTooLarge, sarifgate.ErrCrash} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "i/o"
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}
