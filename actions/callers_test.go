package actions

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/actions/workflow-audit/audit"
)

// The caller workflows people copy (workflows/) pass workflow-audit, and
// every hub gate they call is given only inputs the gate declares, with
// every required one: a renamed input cannot leave a copied workflow
// silently broken.
func TestCallerWorkflows(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "workflows", "*.yml"))
	if len(files) == 0 {
		t.Fatal("no caller workflow in workflows/")
	}
	rep, err := audit.Scan(context.Background(), "..", audit.Options{Paths: []string{"workflows/*.yml"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != len(files) {
		t.Errorf("workflow-audit scanned %d files, want %d", len(rep.Files), len(files))
	}
	for _, f := range rep.Findings {
		t.Errorf("%s (%s)", f, f.Severity)
	}
	gates := map[string]map[string]bool{}
	required := map[string][]string{}
	for _, g := range All() {
		gates[g.Spec.Name] = map[string]bool{}
		for _, in := range g.Spec.AllInputs() {
			gates[g.Spec.Name][in.Name] = true
			if in.Required {
				required[g.Spec.Name] = append(required[g.Spec.Name], in.Name)
			}
		}
	}
	calls := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Jobs map[string]struct {
				Steps []struct {
					Uses string            `yaml:"uses"`
					With map[string]string `yaml:"with"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(b, &wf); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for job, j := range wf.Jobs {
			for i, s := range j.Steps {
				rest, ok := strings.CutPrefix(s.Uses, "hubgates/hub/actions/")
				if !ok {
					continue
				}
				calls++
				name, _, _ := strings.Cut(rest, "@")
				declared, known := gates[name]
				if !known {
					t.Errorf("%s: job %s step %d calls unknown gate %q", file, job, i+1, name)
					continue
				}
				for in := range s.With {
					if !declared[in] {
						t.Errorf("%s: job %s step %d gives %s undeclared input %q", file, job, i+1, name, in)
					}
				}
				for _, in := range required[name] {
					if _, ok := s.With[in]; !ok {
						t.Errorf("%s: job %s step %d does not give %s its required input %q", file, job, i+1, name, in)
					}
				}
			}
		}
	}
	if calls == 0 {
		t.Error("the caller workflows call no hub gate")
	}
}
