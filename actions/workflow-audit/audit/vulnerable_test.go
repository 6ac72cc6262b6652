package audit

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// expectRe reads "# expect: rule, rule(pedantic)" annotations.
var expectRe = regexp.MustCompile(`# expect(-prev)?: ([a-z, -]+(?:\(pedantic\))?(?:, [a-z-]+(?:\(pedantic\))?)*)`)

// TestVulnerableCorpus scans bench/testdata/vulnerable, deliberately vulnerable
// workflows whose lines say which rule must report them ("# expect:
// rule", "(pedantic)" for the pedantic persona; "# expect-prev:" on a line
// of its own for the line above), and requires every one:
// the recall the README states for this corpus. Unexpected findings are
// listed with -v, for the precision count.
func TestVulnerableCorpus(t *testing.T) {
	root := filepath.Join("..", "bench", "testdata", "vulnerable")
	type key struct {
		path string
		line int
		rule string
	}
	want := map[key]Persona{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(root, p)
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			m := expectRe.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			line := n
			if m[1] != "" {
				line = n - 1
			}
			for _, r := range strings.Split(m[2], ",") {
				r = strings.TrimSpace(r)
				persona := PersonaRegular
				if name, ok := strings.CutSuffix(r, "(pedantic)"); ok {
					r, persona = name, PersonaPedantic
				}
				want[key{filepath.ToSlash(rel), line, r}] = persona
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[Persona]map[key]bool{}
	extra := 0
	for _, p := range []Persona{PersonaRegular, PersonaPedantic} {
		rep, err := Scan(context.Background(), root, Options{Persona: p})
		if err != nil {
			t.Fatal(err)
		}
		got[p] = map[key]bool{}
		for _, f := range rep.Findings {
			k := key{f.Path, f.Line, f.Rule}
			got[p][k] = true
			if _, ok := want[k]; !ok && p == PersonaRegular {
				extra++
				t.Logf("not annotated: %s", f)
			}
		}
	}
	var missed []string
	rules := map[string]bool{}
	for k, p := range want {
		rules[k.rule] = true
		if !got[p][k] {
			missed = append(missed, fmt.Sprintf("%s:%d %s", k.path, k.line, k.rule))
		}
	}
	sort.Strings(missed)
	t.Logf("vulnerable corpus: %d of %d expected findings (%d rules), %d findings not annotated", len(want)-len(missed), len(want), len(rules), extra)
	for _, m := range missed {
		t.Errorf("missed: %s", m)
	}
}
