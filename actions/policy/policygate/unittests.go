package policygate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// testResult is one policy unit test's outcome.
type testResult struct {
	name    string // data.main.test_denies_tag
	file    string
	line    int
	failed  bool
	skipped bool
	err     string // the evaluation error of a test that errored
}

// testReport is the outcome of the policy's unit tests.
type testReport struct {
	results  []testResult
	coverage *cover.Report // over the policy files, not the tests
}

func (r *testReport) counts() (passed, failed, skipped int) {
	for _, t := range r.results {
		switch {
		case t.skipped:
			skipped++
		case t.failed:
			failed++
		default:
			passed++
		}
	}
	return
}

// runUnitTests runs the policy's test_ rules as "opa test" does, with
// coverage, against the same capabilities and data as the evaluation.
// A test that fails or errors is a failed test; a run that times out or is
// cancelled is an error (the run cannot decide).
func runUnitTests(ctx context.Context, ps *policySet, store storage.Store, caps *ast.Capabilities, strict bool, perTest time.Duration) (*testReport, error) {
	cov := cover.New()
	// The runner compiles the modules again with test rewriting; it gets
	// a fresh compiler configured as the evaluation's.
	mods := maps.Clone(ps.modules)
	rep := &testReport{}
	err := storage.Txn(ctx, store, storage.TransactionParams{}, func(txn storage.Transaction) error {
		ch, err := tester.NewRunner().
			SetCompiler(newCompiler(caps, strict)).
			SetStore(store).
			SetModules(mods).
			SetCoverageQueryTracer(cov).
			RaiseBuiltinErrors(true).
			SetRuntime(runtimeTerm).
			SetTimeout(perTest).
			SetParallel(1).
			RunTests(ctx, txn)
		if err != nil {
			return err
		}
		for r := range ch {
			tr := testResult{name: r.Package + "." + r.Name, failed: !r.Pass() && !r.Skip, skipped: r.Skip}
			if r.Location != nil {
				tr.file, tr.line = r.Location.File, r.Location.Row
			}
			if r.Error != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("policy test %s: %w", tr.name, ctx.Err())
				}
				var te *topdown.Error
				if errors.As(r.Error, &te) && te.Code == topdown.CancelErr {
					return fmt.Errorf("policy test %s timed out after %v", tr.name, perTest)
				}
				tr.err = excerptLong(r.Error.Error())
			}
			rep.results = append(rep.results, tr)
		}
		return nil
	})
	if err != nil {
		var errs ast.Errors
		if errors.As(err, &errs) {
			return nil, &compileError{errs: errs}
		}
		return nil, err
	}
	slices.SortFunc(rep.results, func(a, b testResult) int {
		if c := strings.Compare(a.file, b.file); c != 0 {
			return c
		}
		return a.line - b.line
	})
	policyMods := map[string]*ast.Module{}
	for _, f := range ps.policyFiles {
		policyMods[f] = ps.modules[f]
	}
	cr := cov.Report(policyMods)
	// The totals count the test files too; count the policies alone.
	cr.CoveredLines, cr.NotCoveredLines, cr.Coverage = 0, 0, 0
	for f, fr := range cr.Files {
		if _, ok := policyMods[f]; !ok {
			delete(cr.Files, f)
			continue
		}
		cr.CoveredLines += fr.CoveredLines
		cr.NotCoveredLines += fr.NotCoveredLines
	}
	if total := cr.CoveredLines + cr.NotCoveredLines; total > 0 {
		cr.Coverage = 100 * float64(cr.CoveredLines) / float64(total)
	}
	rep.coverage = &cr
	return rep, nil
}
