package audit

import (
	"sort"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

func TestFindExprs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"echo hi", nil},
		{"a ${{ github.sha }} b ${{ x }}", []string{"${{ github.sha }}", "${{ x }}"}},
		{"${{ format('}}{0}', github.head_ref) }} tail", []string{"${{ format('}}{0}', github.head_ref) }}"}},
		{"${{github.sha}}${{github.ref}}", []string{"${{github.sha}}", "${{github.ref}}"}},
		{"${{ ) }} then ${{ github.sha }}", []string{"${{ github.sha }}"}},
		{"${{ github.sha", nil},
		{"$ {{ not }} ${ { no } }", nil},
		{"multi ${{\n  github.event.issue.title\n}} line", []string{"${{\n  github.event.issue.title\n}}"}},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range findExprs(tt.in) {
			got = append(got, e.text)
			if tt.in[e.off:e.end] != e.text || !strings.HasPrefix(e.text, "${{") || !strings.HasSuffix(e.text, "}}") {
				t.Errorf("%q: span %d:%d does not match text %q", tt.in, e.off, e.end, e.text)
			}
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("findExprs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// flowsOf parses one expression (without ${{ }}) and returns its worst
// taint and the path of its worst flow.
func flowsOf(t *testing.T, sc *exprScope, expr string) (taint, string) {
	t.Helper()
	es := findExprs("${{ " + expr + " }}")
	if len(es) != 1 {
		t.Fatalf("%q does not parse", expr)
	}
	fs := sc.flows(es[0].node)
	if worst(fs) == taintNone {
		return taintNone, ""
	}
	return worst(fs), fs[0].describe()
}

func TestExprTaint(t *testing.T) {
	env := map[string]string{
		"title":  "${{ github.event.issue.title }}",
		"sha":    "${{ github.event.pull_request.head.sha }}",
		"const":  "hello",
		"nested": "${{ env.title }}",
	}
	sc := &exprScope{
		env: func(name string) (string, bool) { v, ok := env[strings.ToLower(name)]; return v, ok },
		envNames: func() []string {
			var out []string
			for k := range env {
				out = append(out, k)
			}
			sort.Strings(out)
			return out
		},
		matrix: func(key string) []string {
			switch key {
			case "os":
				return []string{"ubuntu-24.04", "macos-15"}
			case "msg":
				return []string{"fixed", "${{ github.event.comment.body }}"}
			}
			return nil
		},
		fixedInput: func(name string) bool { return name == "dry-run" },
	}
	tests := []struct {
		expr string
		want taint
		path string
	}{
		{"github.event.issue.title", taintAttacker, "github.event.issue.title"},
		{"github.event.issue.title || 'untitled'", taintAttacker, "github.event.issue.title"},
		{"'untitled' || github.event.pull_request.body", taintAttacker, "github.event.pull_request.body"},
		{"github.event.issue.title && 'yes'", taintNone, ""},
		{"'yes' && github.event.issue.title", taintAttacker, "github.event.issue.title"},
		{"format('{0}-{1}', github.run_id, github.head_ref)", taintAttacker, "github.head_ref"},
		{"join(github.event.commits.*.message, ',')", taintAttacker, "github.event.commits.*.message"},
		{"toJSON(github.event)", taintAttacker, "github.event"},
		{"toJSON(github)", taintAttacker, "github"},
		{"github.event['pull_request']['title']", taintAttacker, "github.event.pull_request.title"},
		{"github.event.commits[0].author.email", taintAttacker, "github.event.commits.*.author.email"},
		{"github.event.head_commit.message", taintAttacker, "github.event.head_commit.message"},
		{"github.event.workflow_run.head_branch", taintAttacker, "github.event.workflow_run.head_branch"},
		{"github.event.workflow_run.head_commit.author.name", taintAttacker, "github.event.workflow_run.head_commit.author.name"},
		{"github.event.pull_request.head.label", taintAttacker, "github.event.pull_request.head.label"},
		{"github.event.pull_request.head", taintAttacker, "github.event.pull_request.head"},
		{"github.event.pages[0].page_name", taintAttacker, "github.event.pages.*.page_name"},
		{"github.event.discussion.body", taintAttacker, "github.event.discussion.body"},
		{"GITHUB.EVENT.ISSUE.TITLE", taintAttacker, "github.event.issue.title"},
		{"fromJSON(github.event.comment.body).cmd", taintAttacker, "github.event.comment.body"},
		{"github.event[matrix.key]", taintAttacker, "github.event.*"},
		{"contains(github.event.issue.title, 'bug')", taintNone, ""},
		{"startsWith(github.head_ref, 'dependabot/')", taintNone, ""},
		{"github.event.issue.title == 'x'", taintNone, ""},
		{"!github.event.issue.title", taintNone, ""},
		{"hashFiles('**/go.sum')", taintNone, ""},
		{"github.event.issue.number", taintNone, ""},
		{"github.event.pull_request.number", taintNone, ""},
		{"github.event.pull_request.head.sha", taintNone, ""},
		{"github.event.pull_request.head.repo.full_name", taintNone, ""},
		{"github.event.pull_request.base.ref", taintNone, ""},
		{"github.event.workflow_run.id", taintNone, ""},
		{"github.event.workflow_run.head_sha", taintNone, ""},
		{"github.event.comment.user.login", taintNone, ""},
		{"github.event.comment.created_at", taintNone, ""},
		{"github.event.pull_request.html_url", taintNone, ""},
		{"github.event.repository.description", taintNone, ""},
		{"github.event.release.body", taintNone, ""},
		{"github.event.label.name", taintNone, ""},
		{"github.sha", taintNone, ""},
		{"github.ref_name", taintNone, ""},
		{"github.actor", taintNone, ""},
		{"github.run_id", taintNone, ""},
		{"github.repository", taintNone, ""},
		{"secrets.NPM_TOKEN", taintNone, ""},
		{"vars.REGION", taintNone, ""},
		{"runner.temp", taintNone, ""},
		{"github.event.workflow_run.head_repository.owner.email", taintAttacker, "github.event.workflow_run.head_repository.owner.email"},
		{"github.event.sender.login", taintNone, ""},
		{"github.event.sender.bio", taintUnknown, "github.event.sender.bio"},
		{"github.event.workflow_run.path", taintUnknown, "github.event.workflow_run.path"},
		{"github.event.issue.user", taintUnknown, "github.event.issue.user"},
		{"inputs.name", taintInput, "inputs.name"},
		{"inputs.dry-run", taintNone, ""},
		{"github.event.inputs.name", taintInput, "github.event.inputs.name"},
		{"github.event.inputs.dry-run", taintNone, ""},
		{"github.event.client_payload.ref", taintInput, "github.event.client_payload.ref"},
		{"steps.meta.outputs.version", taintOutput, "steps.meta.outputs.version"},
		{"needs.build.outputs.tag", taintOutput, "needs.build.outputs.tag"},
		{"fromJSON(steps.x.outputs.y).title", taintOutput, "steps.x.outputs.y"},
		{"steps.meta.outcome", taintNone, ""},
		{"needs.build.result", taintNone, ""},
		{"env.TITLE", taintAttacker, "env.title (set from github.event.issue.title)"},
		{"env.nested", taintAttacker, "env.nested (set from github.event.issue.title)"},
		{"env.SHA", taintNone, ""},
		{"env.CONST", taintNone, ""},
		{"env.UNSET", taintOutput, "env.unset (set from a value written to $GITHUB_ENV at run time)"},
		{"toJSON(env)", taintAttacker, "env (set from github.event.issue.title)"},
		{"matrix.os", taintNone, ""},
		{"matrix.msg", taintAttacker, "matrix.msg (set from github.event.comment.body)"},
		{"matrix.missing", taintNone, ""},
		{"1 == 1", taintNone, ""},
	}
	for _, tt := range tests {
		got, path := flowsOf(t, sc, tt.expr)
		if got != tt.want || path != tt.path {
			t.Errorf("%s: taint %d via %q, want %d via %q", tt.expr, got, path, tt.want, tt.path)
		}
	}
}

func TestEnvIndirectionIsBounded(t *testing.T) {
	sc := &exprScope{env: func(name string) (string, bool) { return "${{ env." + name + " }}", true }}
	if got, _ := flowsOf(t, sc, "env.loop"); got != taintNone {
		t.Errorf("self-referencing env: taint %d, want none", got)
	}
}

func TestParseCondition(t *testing.T) {
	for _, c := range []string{"github.event_name == 'push'", "${{ github.event_name == 'push' }}", "  ${{ always() }}  "} {
		if parseCondition(c) == nil {
			t.Errorf("parseCondition(%q) = nil", c)
		}
	}
	for _, c := range []string{"${{ a }} && ${{ b }}", "github.event_name ==", "${{ a }} extra"} {
		if parseCondition(c) != nil {
			t.Errorf("parseCondition(%q) parsed", c)
		}
	}
}

// TestLocate checks that the position of an offset inside a scalar is
// found in the source for every scalar style.
func TestLocate(t *testing.T) {
	tests := []struct {
		name   string
		run    string // the text after "      - run:" (a space, then the value)
		needle string // locate the k-th occurrence of this in the value
		k      int
		line   int
		col    int
	}{
		{"plain", ` echo ${{ github.sha }}`, "${{", 0, 6, 19},
		{"double quoted", ` "echo \"x\" ${{ github.sha }}"`, "${{", 0, 6, 26},
		{"single quoted", ` 'it''s ${{ github.sha }}'`, "${{", 0, 6, 21},
		{"literal", " |\n          echo one\n          echo ${{ github.sha }}\n", "${{", 0, 8, 16},
		{"literal with comment on the indicator", " | # ${{ not this }}\n          echo ${{ github.sha }}\n", "${{", 0, 7, 16},
		{"literal repeated", " |\n          echo ${{ github.sha }}\n          echo ${{ github.sha }}\n", "${{", 1, 8, 16},
		{"literal indented deeper", " |\n            echo\n              ${{ github.sha }}\n", "${{", 0, 8, 15},
		{"literal with blank lines", " |\n\n          echo\n\n          x=${{ github.sha }}\n", "${{", 0, 10, 13},
		{"folded", " >-\n          echo\n          ${{ github.sha }}\n", "${{", 0, 8, 11},
		{"keep chomping", " |+\n          a ${{ github.sha }}\n\n", "${{", 0, 7, 13},
		{"plain multi-line", " echo\n          ${{ github.sha }}", "${{", 0, 7, 11},
		{"non-ASCII before", " echo é ${{ github.sha }}", "${{", 0, 6, 21},
		{"command", " |\n          a=1\n          git fetch origin x\n", "git", 0, 8, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run:" + tt.run + "\n"
			wf, errs := actionlint.Parse([]byte(src))
			if len(errs) > 0 {
				t.Fatalf("parse: %v", errs)
			}
			ix := newSrcIndex([]byte(src))
			r := wf.Jobs["a"].Steps[0].Exec.(*actionlint.ExecRun).Run
			v := &scriptVal{value: r.Value, pos: pos{r.Pos.Line, r.Pos.Col}, block: ix.isBlock(pos{r.Pos.Line, r.Pos.Col})}
			off := -1
			for i := 0; i <= tt.k; i++ {
				j := strings.Index(v.value[off+1:], tt.needle)
				if j < 0 {
					t.Fatalf("needle %q #%d not in %q", tt.needle, tt.k, v.value)
				}
				off += j + 1
			}
			if got := ix.locate(v, off); got != (pos{tt.line, tt.col}) {
				t.Errorf("locate = %d:%d, want %d:%d (value %q)", got.line, got.col, tt.line, tt.col, v.value)
			}
		})
	}
}

func TestLocateFallsBackToTheScalar(t *testing.T) {
	src := "x: \"a\\x41 ${{ b }}\"\n"
	ix := newSrcIndex([]byte(src))
	v := &scriptVal{value: "aA ${{ b }}", pos: pos{1, 4}}
	// The needle "aA" is not in the source (it is written a\x41).
	if got := ix.locate(v, 0); got != v.pos {
		t.Errorf("locate = %v, want the scalar's position %v", got, v.pos)
	}
	if got := ix.locate(v, 3); got != (pos{1, 11}) {
		t.Errorf("locate = %v, want 1:11", got)
	}
	if got := ix.locate(v, 99); got != v.pos {
		t.Errorf("locate past the end = %v", got)
	}
}
