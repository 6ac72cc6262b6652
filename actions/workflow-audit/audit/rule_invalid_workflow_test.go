package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestInvalidWorkflow(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want *want
	}{
		{"valid", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n", nil},
		{"broken yaml", "on: push\njobs: [\n", &want{finding.High, 2, 0, "could not parse as YAML"}},
		{"tab indentation", "on: push\njobs:\n\ta: b\n", &want{finding.High, 3, 0, "could not parse as YAML"}},
		{"unknown top-level key", "on: push\nfoo: bar\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n", &want{finding.High, 2, 1, `unexpected key "foo" for "workflow" section`}},
		{"missing jobs", "on: push\n", &want{finding.High, 1, 1, `"jobs" section is missing`}},
		{"empty", "", &want{finding.High, 1, 1, "workflow is empty"}},
		{"not a mapping", "- a\n- b\n", nil}, // checked below: more than one error
		{"unused anchor is accepted", "on: push\njobs:\n  a:\n    runs-on: &os ubuntu-latest\n    steps:\n      - run: true\n", nil},
		{"service entrypoint and command are accepted", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: postgres@sha256:" + testDigest + "\n        entrypoint: /bin/sh\n        command: -c true\n    steps:\n      - run: true\n", nil},
		{"other service keys are still refused", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: postgres@sha256:" + testDigest + "\n        entrypointt: /bin/sh\n    steps:\n      - run: true\n", &want{finding.High, 8, 9, `unexpected key "entrypointt"`}},
		{"step without run or uses", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - name: x\n", &want{finding.High, 6, 9, "step must run script"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanTree(t, map[string]string{".github/workflows/ci.yml": tt.src}, Options{})
			got := only(r.Findings, RuleInvalidWorkflow)
			if tt.name == "not a mapping" {
				if len(got) == 0 {
					t.Fatal("want invalid-workflow findings for a sequence document")
				}
				return
			}
			checkOne(t, got, tt.want)
		})
	}
}

func TestInvalidAction(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		files map[string]string
		want  *want
	}{
		{"valid composite", "name: n\ndescription: d\nruns:\n  using: composite\n  steps:\n    - run: true\n      shell: bash\n", nil, nil},
		{"valid node", "name: n\ndescription: d\nruns:\n  using: node20\n  main: index.js\n", nil, nil},
		{"deprecated node16 is accepted", "name: n\ndescription: d\nruns:\n  using: node16\n  main: index.js\n", nil, nil},
		{"broken yaml", "name: n\nruns: [\n", nil, &want{finding.High, 2, 0, "action metadata is not valid YAML"}},
		{"empty", "", nil, &want{finding.High, 1, 1, "action metadata file is empty"}},
		{"scalar root", "just text\n", nil, &want{finding.High, 1, 1, "must be a mapping"}},
		{"missing runs", "name: n\ndescription: d\n", nil, &want{finding.High, 1, 1, `has no "runs" section`}},
		{"runs not mapping", "name: n\nruns: docker\n", nil, &want{finding.High, 2, 7, `"runs" must be a mapping`}},
		{"missing using", "name: n\nruns:\n  main: x.js\n", nil, &want{finding.High, 2, 1, `has no "using"`}},
		{"unknown using", "name: n\nruns:\n  using: node8\n  main: x.js\n", nil, &want{finding.High, 3, 10, `runtime "node8" in "runs.using" is not one GitHub knows`}},
		{"composite without steps", "name: n\nruns:\n  using: composite\n", nil, &want{finding.High, 3, 10, `no "runs.steps"`}},
		{"docker without image", "name: n\nruns:\n  using: docker\n", nil, &want{finding.High, 3, 10, `no "runs.image"`}},
		{"node without main", "name: n\nruns:\n  using: node24\n", nil, &want{finding.High, 3, 10, `no "runs.main"`}},
		{"missing Dockerfile", "name: n\nruns:\n  using: docker\n  image: Dockerfile\n", nil, &want{finding.High, 4, 10, "does not exist"}},
		{"Dockerfile outside repo", "name: n\nruns:\n  using: docker\n  image: ../../Dockerfile\n", nil, &want{finding.High, 4, 10, "points outside the repository"}},
		{"Dockerfile is a directory", "name: n\nruns:\n  using: docker\n  image: Dockerfile\n", map[string]string{"act/Dockerfile/x": ""}, &want{finding.High, 4, 10, "is not a regular file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"act/action.yml": tt.src}
			for k, v := range tt.files {
				files[k] = v
			}
			r := scanTree(t, files, Options{})
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), tt.want)
		})
	}
}

func TestInvalidDockerfile(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want *want
	}{
		{"no FROM", "RUN true\n", &want{finding.High, 0, 0, "no FROM instruction"}},
		{"FROM without image", "FROM\n", &want{finding.High, 1, 1, "missing image in FROM"}},
		{"FROM with only flags", "FROM --platform=linux/amd64\n", &want{finding.High, 1, 1, "missing image in FROM"}},
		{"FROM with extra words", "FROM alpine@sha256:" + testDigest + " # comment\n", &want{finding.High, 1, 1, "unexpected arguments in FROM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanTree(t, map[string]string{"Dockerfile": tt.src}, Options{})
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), tt.want)
		})
	}
}

// TestUnreadableContent covers content that is reported, not parsed: binary,
// non-UTF-8 and oversized files, for every kind.
func TestUnreadableContent(t *testing.T) {
	huge := "on: push\n" + strings.Repeat("#", MaxFileSize)
	tests := []struct {
		name, content, contains string
	}{
		{"binary", "on: push\x00\x01\x02", "binary or not UTF-8"},
		{"latin-1", "name: caf\xe9\non: push\n", "binary or not UTF-8"},
		{"huge", huge, fmt.Sprintf("over the %d-byte limit", MaxFileSize)},
	}
	for _, tt := range tests {
		for _, p := range []string{".github/workflows/ci.yml", "action.yml", "Dockerfile"} {
			t.Run(tt.name+"/"+p, func(t *testing.T) {
				r := scanTree(t, map[string]string{p: tt.content}, Options{})
				checkOne(t, r.Findings, &want{finding.High, 0, 0, tt.contains})
				if r.Findings[0].Rule != RuleInvalidWorkflow {
					t.Errorf("rule = %s", r.Findings[0].Rule)
				}
				if len(r.Files) != 1 || r.Files[0].SHA256 != sha256Hex([]byte(tt.content)) {
					t.Errorf("Files = %v, want the whole content's digest", r.Files)
				}
			})
		}
	}
}

func TestAliasBomb(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("on: push\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "x%d: &x%d [*x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("jobs:\n  a:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        v: *x8\n    steps:\n      - run: true\n")
	r := scanTree(t, map[string]string{".github/workflows/ci.yml": b.String()}, Options{})
	checkOne(t, r.Findings, &want{finding.High, 1, 1, "aliases in the YAML expand to more than"})
}

func TestDeeplyNestedYAML(t *testing.T) {
	deep := "on: push\njobs: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"
	for _, p := range []string{".github/workflows/ci.yml", "action.yml"} {
		r := scanTree(t, map[string]string{p: deep}, Options{})
		if len(only(r.Findings, RuleInvalidWorkflow)) == 0 {
			t.Errorf("%s: want an invalid-workflow finding for deeply nested YAML", p)
		}
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
