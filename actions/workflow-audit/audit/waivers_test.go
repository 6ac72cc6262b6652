package audit

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/waiver"
)

func TestJobSpans(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []waiver.JobSpan
	}{
		{"jobs last, block scalar at the end", `on: [push]
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - run: make
  release:
    runs-on: ubuntu-24.04
    steps:
      - run: |
          make release
          make publish
`, []waiver.JobSpan{{Path: "w.yml", Job: "build", Start: 3, End: 6}, {Path: "w.yml", Job: "release", Start: 7, End: 12}}},
		{"jobs before another top-level key", `jobs:
  only:
    runs-on: ubuntu-24.04
    steps:
      - run: |
          echo hi

on: [push]
`, []waiver.JobSpan{{Path: "w.yml", Job: "only", Start: 2, End: 7}}},
		{"no trailing newline", "on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: x}]", []waiver.JobSpan{{Path: "w.yml", Job: "a", Start: 3, End: 5}}},
		{"no jobs", "on: [push]\n", nil},
		{"jobs not a mapping", "on: [push]\njobs: [a, b]\n", nil},
		{"not YAML", "jobs: [\n", nil},
		{"not a mapping", "- a\n", nil},
	}
	for _, tt := range tests {
		if got := jobSpans("w.yml", []byte(tt.src)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: jobSpans = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestApplyWaiversToAScan(t *testing.T) {
	files := map[string]string{
		".github/workflows/ci.yml": `on: [push]
permissions: {}
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: vendor/a@v1 # hub: ignore[unpinned-uses] expires=2026-02-01 reason=inline
      - uses: vendor/b@v1
  release:
    runs-on: ubuntu-24.04
    steps:
      - uses: vendor/c@v1
      - uses: vendor/d@v1 # hub: ignore[unpinned-uses] expires=2026-02-01
`,
		"Dockerfile": "# hub: ignore[unpinned-images] expires=2026-02-01 reason=builder\nFROM golang:1.26\n",
	}
	root := writeTree(t, files)
	p, err := waiver.NewPolicy(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := p.Parse(".github/hub.yml", []byte(`version: 1
workflow-audit:
  waivers:
    - rule: unpinned-uses
      path: .github/workflows/ci.yml
      job: release
      reason: release tools
      expires: 2026-02-01
`))
	if err != nil {
		t.Fatal(err)
	}
	s := &waiver.Setup{Policy: p, Config: cfg, Gate: cfg.Gate("workflow-audit")}
	rep, err := Scan(context.Background(), root, Options{keepWorkflowSources: needsWorkflowSources(s)})
	if err != nil {
		t.Fatal(err)
	}
	fs := applyWaivers(rep, s)
	var got []string
	for _, f := range fs {
		if f.Rule != RuleUnpinnedUses && f.Rule != RuleUnpinnedImages && f.Rule != waiver.RuleInvalid {
			continue // the other rules' findings on this fixture are not the point
		}
		src := "-"
		if f.Suppression != nil {
			src = f.Suppression.Kind + "@" + f.Suppression.Source
		}
		got = append(got, f.Rule+" "+f.Path+":"+strconv.Itoa(f.Line)+" "+src)
	}
	want := []string{
		"unpinned-uses .github/workflows/ci.yml:7 inSource@.github/workflows/ci.yml:7",
		"unpinned-uses .github/workflows/ci.yml:8 -",
		"unpinned-uses .github/workflows/ci.yml:12 external@.github/hub.yml:4",
		// The invalid inline waiver on line 13 waives nothing, but the job
		// waiver still covers its line.
		"unpinned-uses .github/workflows/ci.yml:13 external@.github/hub.yml:4",
		"unpinned-images Dockerfile:2 inSource@Dockerfile:1",
		"invalid-waiver .github/workflows/ci.yml:13 -",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The scan keeps what the waivers read, and only that: files naming
	// "hub:" always, other workflows only for job waivers.
	if err := os.WriteFile(filepath.Join(root, ".github/workflows/plain.yml"), []byte("on: [push]\njobs: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, keep := range []bool{false, true} {
		rep, err := Scan(context.Background(), root, Options{keepWorkflowSources: keep})
		if err != nil {
			t.Fatal(err)
		}
		_, kept := rep.sources[".github/workflows/plain.yml"]
		if kept != keep || rep.sources["Dockerfile"] == nil || rep.sources[".github/workflows/ci.yml"] == nil {
			t.Errorf("keepWorkflowSources=%v: kept %v", keep, slices.Collect(maps.Keys(rep.sources)))
		}
	}
}
