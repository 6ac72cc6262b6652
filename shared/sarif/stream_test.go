package sarif

import (
	"bytes"
	"encoding/json"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"
)

// Marshal streams results one by one; its output must stay exactly what
// encoding/json and json.Indent give for the whole report, whatever the
// report holds, including text that looks like the member it splices.
func TestMarshalMatchesEncodingJSON(t *testing.T) {
	tricky := `"results":null, {"runs":[{"results":null}]} \"results\":null \\`
	result := func(rule, text string) *gosarif.Result {
		r := gosarif.NewRuleResult(rule).WithMessage(gosarif.NewTextMessage(text)).WithLevel("error")
		r.Properties = map[string]interface{}{"results": nil, "runs": []any{map[string]any{"results": nil}}}
		return r
	}
	run := func(results []*gosarif.Result) *gosarif.Run {
		r := gosarif.NewRunWithInformationURI("tool", "https://example.com")
		r.Results = results
		r.Properties = map[string]interface{}{"results": nil}
		return r
	}
	reports := map[string]*gosarif.Report{
		"no runs":  {Version: "2.1.0", Runs: []*gosarif.Run{}},
		"nil runs": {Version: "2.1.0"},
		"nil, empty and full results": {Version: "2.1.0", Runs: []*gosarif.Run{
			run(nil), run([]*gosarif.Result{}), run([]*gosarif.Result{result("a", tricky), result("b", "<&>"), nil}),
		}},
		"a null run": {Version: "2.1.0", Runs: []*gosarif.Run{run([]*gosarif.Result{result("a", "x")}), nil}},
		"report properties": {Version: "2.1.0", PropertyBag: gosarif.PropertyBag{Properties: map[string]interface{}{"runs": nil, "results": nil}},
			Runs: []*gosarif.Run{run([]*gosarif.Result{result("a", tricky)})}},
	}
	for name, r := range reports {
		var compact bytes.Buffer
		enc := json.NewEncoder(&compact)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Indent(&want, bytes.TrimSuffix(compact.Bytes(), []byte("\n")), "", "  "); err != nil {
			t.Fatal(err)
		}
		want.WriteByte('\n')
		got, err := Marshal(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, want.Bytes())
		}
	}
}
