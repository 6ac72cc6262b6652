package policygate

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

const workflowPolicy = `package main

deny contains {"msg": sprintf("%s is not pinned", [step.uses]), "_loc": {"path": ["jobs", job, "steps", i, "uses"]}} if {
	some job, j in input.jobs
	some i, step in j.steps
	not contains(step.uses, "@")
}

warn contains "no name" if not input.name
`

const workflow = `name: ci
on: push
jobs:
  build:
    steps:
      - run: make
      - uses: actions/checkout
`

func TestEvaluateOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		edit  func(*options)
		want  []string // messages, or the error's text fragment after "error: "
	}{
		{"deny at the line of the value", map[string]string{"policy/p.rego": workflowPolicy, "ci.yml": workflow}, nil,
			[]string{"ci.yml:7: actions/checkout is not pinned"}},
		{"json placed too", map[string]string{"policy/p.rego": workflowPolicy, "ci.json": "{\n \"name\": \"x\",\n \"jobs\": {\"b\": {\"steps\": [\n  {\"uses\": \"a/b\"}\n ]}}\n}\n"}, nil,
			[]string{"ci.json:4: a/b is not pinned"}},
		{"every document of a stream", map[string]string{"policy/p.rego": workflowPolicy, "all.yaml": "name: a\n---\n# nothing\n---\njobs:\n  b:\n    steps: [{uses: x/y}]\n"}, nil,
			[]string{"all.yaml:5: no name", "all.yaml:7: x/y is not pinned"}},
		{"clean input passes", map[string]string{"policy/p.rego": workflowPolicy, "ci.yml": "name: ci\njobs: {}\n"}, nil, nil},
		{"a duplicate key does not parse", map[string]string{"policy/p.rego": workflowPolicy, "ci.yml": "name: a\nname: b\n"}, nil,
			[]string{`error: input file "ci.yml": line 2: mapping key "name" is defined twice`}},
		{"anchors and merge keys expand", map[string]string{
			"policy/p.rego": "package main\n\ndeny contains input.b.msg if input.b.x == 1\n",
			"m.yaml":        "a: &a {x: 1, msg: merged}\nb:\n  <<: *a\n"}, nil, []string{"m.yaml:0: merged"}},
		{"billion laughs is refused", map[string]string{"policy/p.rego": workflowPolicy, "l.yaml": laughs(9)}, nil,
			[]string{"error: input file \"l.yaml\": line"}},
		{"a compile error names file and line", map[string]string{"policy/p.rego": "package main\n\ndeny contains x if {\n  x := input.y\n  z := 1\n}\n", "a.json": "{}"}, nil,
			[]string{"error: input \"policy\": the policy does not compile (1 error):\npolicy/p.rego:5: rego_compile_error: assigned var z unused"}},
		{"non-strict mode accepts it", map[string]string{"policy/p.rego": "package main\n\ndeny contains x if {\n  x := input.y\n  z := 1\n}\n", "a.json": `{"y": "no"}`},
			func(o *options) { o.strict = false }, []string{"a.json:0: no"}},
		{"a boolean deny is refused", map[string]string{"policy/p.rego": "package main\n\ndeny if input.x\n", "a.json": "{}"}, nil,
			[]string{"policy/p.rego:3: rego_compile_error: rule deny must be a set of messages"}},
		{"conflicting outputs are an evaluation error", map[string]string{"policy/p.rego": "package main\n\nx := input.a\n\nx := input.b\n\ndeny contains \"c\" if x\n", "a.json": `{"a": 1, "b": 2}`}, nil,
			[]string{`error: evaluating data.main.deny over "a.json": eval_conflict_error`}},
		{"a builtin error is raised, not undefined", map[string]string{"policy/p.rego": "package main\n\ndeny contains \"n\" if to_number(input.n) > 1\n", "a.json": `{"n": "x"}`}, nil,
			[]string{`error: evaluating data.main.deny over "a.json": eval_builtin_error: to_number`}},
		{"http.send is not a capability by default", map[string]string{"policy/p.rego": "package main\n\ndeny contains r.body if r := http.send({\"method\": \"get\", \"url\": input.u})\n", "a.json": `{}`}, nil,
			[]string{"error: input \"policy\": the policy does not compile (1 error):\npolicy/p.rego:3: rego_type_error: undefined function http.send"}},
		{"a missing namespace is an error", map[string]string{"policy/p.rego": workflowPolicy, "ci.yml": workflow}, func(o *options) { o.namespaces = []string{"mian"} },
			[]string{"error: no policy has package mian (packages with rules: main)"}},
		{"all namespaces", map[string]string{"policy/p.rego": workflowPolicy, "policy/q.rego": "package k8s.pods\n\nviolation contains \"v\" if input.kind == \"Pod\"\n", "pod.yaml": "kind: Pod\n"},
			func(o *options) { o.namespaces = []string{AllNamespaces} }, []string{"pod.yaml:0: no name", "pod.yaml:0: v"}},
		{"exception rules except", map[string]string{"policy/p.rego": "package main\n\ndeny_tag contains \"tag\" if input.tag\n\ndeny contains \"plain\" if input.tag\n\nexception contains [\"tag\"] if input.ok\n", "a.json": `{"tag": true, "ok": true}`}, nil,
			[]string{"a.json:0: plain", "a.json:0: exception to data.main.deny_tag"}},
		{"data files merge by folder", map[string]string{
			"policy/p.rego":     "package main\n\ndeny contains m if { some m in data.lists.blocked; m == input.x }\n\ndeny contains \"top\" if data.top == input.x\n",
			"data/lists/b.yaml": "blocked: [evil]\n", "extra.json": `{"top": "t"}`, "a.json": `{"x": "evil"}`, "b.json": `{"x": "t"}`},
			func(o *options) { o.data = []string{"data", "extra.json"} }, []string{"a.json:0: evil", "b.json:0: top"}},
		{"conftest.file names the input", map[string]string{"policy/p.rego": "package main\n\ndeny contains data.conftest.file.name if data.conftest.file.dir == \"sub\"\n", "sub/a.json": "{}", "b.json": "{}"},
			func(o *options) { o.files = []string{"sub/a.json", "b.json"} }, []string{"sub/a.json:0: a.json"}},
		{"combine sees every document", map[string]string{
			"policy/p.rego": "package main\n\ndeny contains {\"msg\": \"odd one\", \"_loc\": {\"file\": d.path, \"path\": [\"v\"]}} if { some d in input; d.contents.v == 3 }\n\ndeny contains sprintf(\"%d documents\", [count(input)]) if true\n",
			"a.yaml":        "x: 0\nv: 3\n", "b.json": `{"v": 2}`, "c.yaml": "v: 1\n---\nv: 2\n"},
			func(o *options) { o.combine = true }, []string{"4 documents", "a.yaml:2: odd one"}},
		{"a result without msg is an evaluation error", map[string]string{"policy/p.rego": "package main\n\ndeny contains {\"message\": \"x\"} if true\n", "a.json": "{}"}, nil,
			[]string{`error: evaluating data.main.deny over "a.json": a result object has no string msg field`}},
		{"nothing to do", map[string]string{"policy/p.rego": workflowPolicy}, func(o *options) { o.files = nil },
			[]string{"error: is empty and the policy has no unit tests to run"}},
		{"a literal file that does not exist", map[string]string{"policy/p.rego": workflowPolicy}, func(o *options) { o.files = []string{"nope.yml"} },
			[]string{`error: input "files": "nope.yml" does not exist`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edit := func(o *options) {
				for name := range tc.files {
					if !strings.HasPrefix(name, "policy/") && !strings.HasPrefix(name, "data/") && name != "extra.json" {
						o.files = append(o.files, name)
					}
				}
				slices.Sort(o.files)
				if tc.edit != nil {
					tc.edit(o)
				}
			}
			rep, err := evaluate(t, tc.files, edit)
			if len(tc.want) > 0 && strings.HasPrefix(tc.want[0], "error: ") {
				if err == nil {
					t.Fatalf("no error; messages %q", texts(rep))
				}
				if !strings.Contains(err.Error(), strings.TrimPrefix(tc.want[0], "error: ")) {
					t.Fatalf("error %q, want it to contain %q", err, strings.TrimPrefix(tc.want[0], "error: "))
				}
				return
			}
			if len(tc.want) > 0 && strings.Contains(tc.want[0], "rego_compile_error") {
				if err == nil || !strings.Contains(err.Error(), tc.want[0]) {
					t.Fatalf("error %v, want %q", err, tc.want[0])
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := texts(rep)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("messages\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// laughs is a YAML "billion laughs" with n levels of ten aliases.
func laughs(n int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= n; i++ {
		prev := "*l" + string(rune('0'+i-1))
		b.WriteString("l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	return b.String()
}

// The kinds of evaluation error stay distinct: a timeout says so; the
// others keep OPA's code.
func TestEvaluationErrors(t *testing.T) {
	slow := map[string]string{
		"policy/p.rego": "package main\n\ndeny contains \"slow\" if {\n  some i in numbers.range(1, 100000000)\n  i < 0\n}\n",
		"a.json":        "{}",
	}
	_, err := evaluate(t, slow, func(o *options) { o.files = []string{"a.json"}; o.timeout = 200 * time.Millisecond })
	var ee *evalError
	if !errors.As(err, &ee) || !ee.timeout || ee.rule != "data.main.deny" {
		t.Fatalf("err = %v, want a timeout naming data.main.deny", err)
	}
	if !strings.Contains(err.Error(), `evaluating data.main.deny over "a.json": timed out`) {
		t.Errorf("message %q", err)
	}
}

// With a capabilities file that grants http.send, a failing request is an
// evaluation error (exit 3), never "nothing denied"; allow_net still
// confines the hosts.
func TestHTTPSendFailureIsAnEvaluationError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	addr := srv.URL
	srv.Close() // a service that does not answer
	caps := ast.CapabilitiesForThisVersion()
	policy := "package main\n\ndeny contains \"blocked\" if {\n  r := http.send({\"method\": \"get\", \"url\": input.url})\n  r.body.blocked\n}\n"
	_, err := evaluate(t, map[string]string{"policy/p.rego": policy, "a.json": `{"url": "` + addr + `"}`}, func(o *options) {
		o.files = []string{"a.json"}
		o.caps = caps
	})
	if err == nil || !strings.Contains(err.Error(), `evaluating data.main.deny over "a.json": eval_builtin_error: http.send`) {
		t.Fatalf("err = %v", err)
	}
	caps2 := ast.CapabilitiesForThisVersion()
	caps2.AllowNet = []string{"example.invalid"}
	_, err = evaluate(t, map[string]string{"policy/p.rego": policy, "a.json": `{"url": "` + addr + `"}`}, func(o *options) {
		o.files = []string{"a.json"}
		o.caps = caps2
	})
	if err == nil || !strings.Contains(err.Error(), "http.send: disallowed host: 127.0.0.1") {
		t.Fatalf("with allow_net err = %v", err)
	}
}

func TestUnitTestsRunFirst(t *testing.T) {
	files := map[string]string{
		"policy/p.rego":      workflowPolicy,
		"policy/p_test.rego": "package main_test\n\nimport data.main\n\ntest_denies_unpinned if {\n  count(main.deny) == 1 with input as {\"jobs\": {\"b\": {\"steps\": [{\"uses\": \"x\"}]}}}\n}\n\ntest_wrong if {\n  count(main.deny) == 5 with input as {}\n}\n",
		"ci.yml":             workflow,
	}
	rep, err := evaluate(t, files, func(o *options) { o.files = []string{"ci.yml"} })
	if err != nil {
		t.Fatal(err)
	}
	passed, failed, _ := rep.tests.counts()
	if passed != 1 || failed != 1 || len(rep.messages) != 0 {
		t.Fatalf("passed %d failed %d messages %v; want 1, 1 and no evaluation", passed, failed, texts(rep))
	}
	res := rep.result(defaults())
	if !res.Denied || len(res.Findings) != 1 || res.Findings[0].Rule != RuleTestFailed ||
		res.Findings[0].Message != "policy unit test data.main_test.test_wrong failed" || res.Findings[0].Line != 9 {
		t.Errorf("result %+v", res)
	}
	// Fixed, the tests pass and the evaluation runs, with coverage.
	files["policy/p_test.rego"] = strings.Replace(files["policy/p_test.rego"], "== 5", "== 0", 1)
	rep, err = evaluate(t, files, func(o *options) { o.files = []string{"ci.yml"} })
	if err != nil {
		t.Fatal(err)
	}
	if _, failed, _ := rep.tests.counts(); failed != 0 || len(rep.messages) != 1 {
		t.Fatalf("failed %d, messages %v", failed, texts(rep))
	}
	if c := rep.tests.coverage.Coverage; c <= 0 || c > 100 || len(rep.tests.coverage.Files) != 1 {
		t.Errorf("coverage %v over %d files", c, len(rep.tests.coverage.Files))
	}
	// run-tests: false skips them.
	files["policy/p_test.rego"] = strings.Replace(files["policy/p_test.rego"], "== 0", "== 5", 1)
	rep, err = evaluate(t, files, func(o *options) { o.files = []string{"ci.yml"}; o.runTests = false })
	if err != nil || rep.tests != nil || len(rep.messages) != 1 {
		t.Fatalf("run-tests false: %v, %v", err, rep)
	}
}

func TestRuleKind(t *testing.T) {
	for name, want := range map[string]kind{
		"deny": kindFailure, "violation": kindFailure, "deny_tag": kindFailure, "violation_a_b2": kindFailure,
		"warn": kindWarning, "warn_x": kindWarning,
		"denyx": kindNone, "deny_": kindNone, "deny__a": kindNone, "deny_a-b": kindNone, "exception": kindNone, "allow": kindNone,
	} {
		if got := ruleKind(name); got != want {
			t.Errorf("ruleKind(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestDefaultCapabilitiesLeaveOutTheNetwork(t *testing.T) {
	c := DefaultCapabilities()
	for _, b := range c.Builtins {
		if slices.Contains(networkBuiltins, b.Name) {
			t.Errorf("default capabilities hold %s", b.Name)
		}
	}
	if len(c.Builtins) < 100 || c.AllowNet == nil || len(c.AllowNet) != 0 {
		t.Errorf("%d builtins, allow_net %v", len(c.Builtins), c.AllowNet)
	}
}
