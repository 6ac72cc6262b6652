package actions

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/actions/workflow-audit/audit"
)

// The caller workflows in workflows/ (which the default audit does not read:
// GitHub runs workflows only from .github/workflows) and the reusable ones
// they call pass the audit at its strictest persona, and every with: they
// pass names an input the callee declares: a gate's action.yml for a step,
// the reusable workflow's workflow_call inputs for a job.
func TestCallerWorkflowsPassTheAuditAndMatchTheirCallees(t *testing.T) {
	callers, _ := filepath.Glob(filepath.Join("..", "workflows", "*.yml"))
	if len(callers) == 0 {
		t.Fatal("no caller workflow in workflows/")
	}
	reusable, _ := filepath.Glob(filepath.Join("..", ".github", "workflows", "hub-*.yml"))
	var paths []string
	for _, p := range append(callers, reusable...) {
		rel, _ := filepath.Rel("..", p)
		paths = append(paths, filepath.ToSlash(rel))
	}
	rep, err := audit.Scan(context.Background(), "..", audit.Options{Paths: paths, Persona: audit.PersonaAuditor})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		t.Errorf("%s (%s)", f, f.Severity)
	}
	hubUses := regexp.MustCompile(`^hubgates/hub/(actions/[a-z-]+|\.github/workflows/[a-z-]+\.yml)@([0-9a-f]{40})$`)
	for _, p := range append(callers, reusable...) {
		wf := readYAML(t, p)
		for job, j := range wf.Jobs {
			if m := hubUses.FindStringSubmatch(j.Uses); m != nil {
				declared := readYAML(t, filepath.Join("..", m[1])).On.WorkflowCall.Inputs
				checkWith(t, p, job, j.With, declared)
			}
			for i, s := range j.Steps {
				m := hubUses.FindStringSubmatch(s.Uses)
				if m == nil {
					if strings.HasPrefix(s.Uses, "hubgates/hub/") {
						t.Errorf("%s: job %s step %d: %q is not pinned to a commit", p, job, i+1, s.Uses)
					}
					continue
				}
				var action struct{ Inputs map[string]any }
				b, err := os.ReadFile(filepath.Join("..", m[1], "action.yml"))
				if err != nil {
					t.Fatal(err)
				}
				if err := yaml.Unmarshal(b, &action); err != nil {
					t.Fatal(err)
				}
				checkWith(t, p, job, s.With, action.Inputs)
			}
		}
	}
}

type workflowDoc struct {
	On struct {
		WorkflowCall struct {
			Inputs map[string]any `yaml:"inputs"`
		} `yaml:"workflow_call"`
	} `yaml:"on"`
	Jobs map[string]struct {
		Uses  string         `yaml:"uses"`
		With  map[string]any `yaml:"with"`
		Steps []struct {
			Uses string         `yaml:"uses"`
			With map[string]any `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readYAML(t *testing.T, p string) workflowDoc {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflowDoc
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return wf
}

func checkWith(t *testing.T, file, job string, with, declared map[string]any) {
	t.Helper()
	for k := range with {
		if _, ok := declared[k]; !ok {
			t.Errorf("%s: job %s passes %q, which the callee does not declare", file, job, k)
		}
	}
}
