package audit

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestRules(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if r.Summary == "" || r.Help == "" {
			t.Errorf("rule %s lacks a summary or help", r.ID)
		}
		if r.HelpURI != "https://github.com/hubgates/hub/blob/main/actions/workflow-audit/README.md#"+r.ID {
			t.Errorf("rule %s HelpURI = %s", r.ID, r.HelpURI)
		}
		if r.Severity < finding.Low || r.Severity > finding.Critical {
			t.Errorf("rule %s default severity = %v, want low to critical", r.ID, r.Severity)
		}
	}
	for _, id := range []string{RuleInvalidWorkflow, RuleUnpinnedImages, RuleUnpinnedUses} {
		if !seen[id] {
			t.Errorf("rule %s missing from Rules", id)
		}
	}
	if !slices.IsSortedFunc(Rules, func(a, b finding.Rule) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Rules is not sorted by ID")
	}
	for _, r := range ruleSet {
		_, f := r.(fileChecker)
		_, w := r.(workflowChecker)
		_, a := r.(actionChecker)
		_, d := r.(dockerfileChecker)
		_, b := r.(dependabotChecker)
		_, o := r.(onlineChecker)
		_, rn := r.(renovateChecker)
		_, c := r.(coverageChecker)
		if !f && !w && !a && !d && !b && !o && !rn && !c {
			t.Errorf("rule %s implements no check", r.meta().ID)
		}
	}
}

func TestValidate(t *testing.T) {
	good := []string{"actions", "actions/checkout", "Octo-Org", "octo_org/repo.name", "a/b-c"}
	if err := (Options{AllowUnpinned: good}).Validate(); err != nil {
		t.Errorf("Validate(%v) = %v", good, err)
	}
	bad := []string{"", " actions", "actions/", "/checkout", "a/b/c", "actions/checkout@v4", "*", "owner/..", "-x", "a b"}
	for _, e := range bad {
		err := (Options{AllowUnpinned: []string{"actions", e}}).Validate()
		if err == nil || !errors.Is(err, ErrInvalidAllowEntry) {
			t.Errorf("Validate accepted %q (err %v)", e, err)
			continue
		}
		if !strings.Contains(err.Error(), `"`+e+`"`) {
			t.Errorf("error %q does not name %q", err, e)
		}
	}
	err := (Options{AllowUnpinned: []string{"x/y/z", "ok", "@bad"}}).Validate()
	if err == nil || !strings.Contains(err.Error(), `"x/y/z"`) || !strings.Contains(err.Error(), `"@bad"`) {
		t.Errorf("Validate should name every bad entry, got %v", err)
	}
	if _, err := Scan(context.Background(), t.TempDir(), Options{AllowUnpinned: []string{"a/b/c"}}); !errors.Is(err, ErrInvalidAllowEntry) {
		t.Errorf("Scan with a bad allow entry: %v", err)
	}
	var pe *PathError
	if err := (Options{Paths: []string{""}}).Validate(); !errors.As(err, &pe) {
		t.Errorf("Validate of an empty path = %v, want *PathError", err)
	}
}

// TestDefaultFileSet checks what the default walk finds and skips, and the
// File entries it returns.
func TestDefaultFileSet(t *testing.T) {
	const valid = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n"
	files := map[string]string{
		".github/workflows/a.yml":              valid,
		".github/workflows/b.yaml":             valid,
		".github/workflows/sub/c.yml":          "not: scanned\n",
		".github/workflows/notes.md":           "not scanned\n",
		".github/dependabot.yml":               "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n    cooldown:\n      default-days: 7\n",
		"action.yml":                           "name: n\nruns:\n  using: node20\n  main: x.js\n",
		"deep/er/action.yaml":                  "name: n\nruns:\n  using: node20\n  main: x.js\n",
		"Dockerfile":                           "FROM scratch\n",
		"images/web.Dockerfile":                "FROM scratch\n",
		"images/Dockerfile.dev":                "FROM scratch\n",
		"images/Dockerfile.dockerignore":       "*\n",
		"sub/.github/workflows/nested.yml":     valid,
		"node_modules/x/action.yml":            "broken: [\n",
		"vendor/x/Dockerfile":                  "FROM evil\n",
		"testdata/bad/action.yml":              "broken: [\n",
		"x/testdata/.github/workflows/bad.yml": "broken: [\n",
		".git/hooks/Dockerfile":                "FROM evil\n",
	}
	r := scanTree(t, files, Options{})
	var got []string
	for _, f := range r.Files {
		got = append(got, f.Kind+" "+f.Path)
		if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(f.SHA256) {
			t.Errorf("%s: SHA256 = %q", f.Path, f.SHA256)
		}
	}
	want := []string{
		"dependabot .github/dependabot.yml",
		"workflow .github/workflows/a.yml",
		"workflow .github/workflows/b.yaml",
		"dockerfile Dockerfile",
		"action action.yml",
		"action deep/er/action.yaml",
		"dockerfile images/Dockerfile.dev",
		"dockerfile images/web.Dockerfile",
		"workflow sub/.github/workflows/nested.yml",
	}
	if !slices.Equal(got, want) {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(r.Findings) != 0 {
		t.Errorf("unexpected findings:%s", dump(r.Findings))
	}
	if r.Files[1].SHA256 != sha256Hex([]byte(files[".github/workflows/a.yml"])) {
		t.Error("SHA256 does not match the content")
	}
}

func TestExplicitPaths(t *testing.T) {
	files := map[string]string{
		"ci/pipeline.yml":            stepWorkflow("actions/checkout@v4"),
		"ci/other.yaml":              stepWorkflow("actions/cache@v4"),
		"ci/README.md":               "x\n",
		"ci/testdata/fixture.yml":    stepWorkflow("fixture/action@v1"),
		"ci/action.yml":              "name: n\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-go@v5\n",
		"testdata/case/Dockerfile":   "FROM alpine:3\n",
		".github/workflows/main.yml": stepWorkflow("actions/checkout@v3"),
		"docker/Dockerfile.prod":     "FROM alpine:3\n",
	}
	root := writeTree(t, files)
	tests := []struct {
		name  string
		paths []string
		want  []string // "kind path"
	}{
		{"yaml anywhere is a workflow when named", []string{"ci/pipeline.yml"}, []string{"workflow ci/pipeline.yml"}},
		{"action.yml when named", []string{"ci/action.yml"}, []string{"action ci/action.yml"}},
		{"dot-slash and duplicates", []string{"./ci/pipeline.yml", "ci/pipeline.yml"}, []string{"workflow ci/pipeline.yml"}},
		{"directory walk uses locations", []string{"ci"}, []string{"action ci/action.yml"}},
		{"named testdata dir is walked", []string{"testdata/case"}, []string{"dockerfile testdata/case/Dockerfile"}},
		{"glob", []string{"ci/*.y*ml"}, []string{"action ci/action.yml", "workflow ci/other.yaml", "workflow ci/pipeline.yml"}},
		{"doublestar skips testdata", []string{"**/*.yml"}, []string{"workflow .github/workflows/main.yml", "action ci/action.yml", "workflow ci/pipeline.yml"}},
		{"doublestar naming testdata", []string{"ci/testdata/*.yml"}, []string{"workflow ci/testdata/fixture.yml"}},
		{"glob Dockerfiles", []string{"**/Dockerfile*"}, []string{"dockerfile docker/Dockerfile.prod"}},
		{"whole repo", []string{"."}, []string{"workflow .github/workflows/main.yml", "action ci/action.yml", "dockerfile docker/Dockerfile.prod"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Scan(context.Background(), root, Options{Paths: tt.paths})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range r.Files {
				got = append(got, f.Kind+" "+f.Path)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("files = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPathErrors(t *testing.T) {
	outside := writeTree(t, map[string]string{"evil.yml": stepWorkflow("x/y@v1"), "dir/Dockerfile": "FROM x\n"})
	root := writeTree(t, map[string]string{"README.md": "x\n", "ok.yml": "on: push\njobs: {}\n", "docs/notes.yml": "x: 1\n"})
	links := map[string]string{
		"escape.yml":   filepath.Join(outside, "evil.yml"),
		"escdir":       filepath.Join(outside, "dir"),
		"dangling.yml": "nope.yml",
		"inside.yml":   "ok.yml",
		// An absolute link leads outside even when it points back inside:
		// the same repository checked out elsewhere points elsewhere, and
		// the reads go through an os.Root of the scan root, which refuses
		// absolute links.
		"abs-inside.yml": filepath.Join(root, "ok.yml"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skipf("symlinks unsupported: %v", err)
		}
	}
	tests := []struct {
		path string
		is   error
	}{
		{"missing.yml", fs.ErrNotExist},
		{"no/such/dir", fs.ErrNotExist},
		{"../outside.yml", ErrOutsideRoot},
		{"ci/../../outside.yml", ErrOutsideRoot},
		{"..", ErrOutsideRoot},
		{"escape.yml", ErrOutsideRoot},
		{"escdir", ErrOutsideRoot},
		{"escdir/Dockerfile", ErrOutsideRoot},
		{"dangling.yml", fs.ErrNotExist},
		{"abs-inside.yml", ErrOutsideRoot},
		{filepath.Join(outside, "evil.yml"), ErrOutsideRoot},
		{"README.md", ErrUnsupportedKind},
		{"*.json", ErrNoMatch},
		{"**/*.md", ErrNoMatch},
		{"docs", ErrNoFiles},
		{"../*.yml", ErrOutsideRoot},
		{"[", nil},                // bad glob
		{"*.yml", ErrOutsideRoot}, // matches escape.yml
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := Scan(context.Background(), root, Options{Paths: []string{"ok.yml", tt.path}})
			var pe *PathError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *PathError", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), `"`) || pe.Path == "" {
				t.Errorf("error %q does not name the path", err)
			}
			if strings.Contains(err.Error(), root) && !filepath.IsAbs(tt.path) {
				t.Errorf("error %q leaks the absolute root", err)
			}
		})
	}
	// Symlinks inside root are fine; explicitly named, the link's path is reported.
	r, err := Scan(context.Background(), root, Options{Paths: []string{"inside.yml"}})
	if err != nil || len(r.Files) != 1 || r.Files[0].Path != "inside.yml" {
		t.Errorf("inside link: %v, %v", r, err)
	}
	// The default walk skips links that escape or dangle instead of failing.
	if err := os.MkdirAll(filepath.Join(root, ".github/workflows"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "evil.yml"), filepath.Join(root, ".github/workflows/evil.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../ok.yml", filepath.Join(root, ".github/workflows/ok.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "ok.yml"), filepath.Join(root, ".github/workflows/abs.yml")); err != nil {
		t.Fatal(err)
	}
	r, err = Scan(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != 1 || r.Files[0].Path != ".github/workflows/ok.yml" {
		t.Errorf("default walk files = %v", r.Files)
	}
	// A missing root is a PathError too.
	var pe *PathError
	if _, err := Scan(context.Background(), filepath.Join(root, "nope"), Options{}); !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing root: %v", err)
	}
	if _, err := Scan(context.Background(), filepath.Join(root, "README.md"), Options{}); !errors.As(err, &pe) {
		t.Errorf("file as root: %v", err)
	}
}

func TestUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can read any file")
	}
	root := writeTree(t, map[string]string{"Dockerfile": "FROM x\n"})
	if err := os.Chmod(filepath.Join(root, "Dockerfile"), 0); err != nil {
		t.Fatal(err)
	}
	var pe *PathError
	if _, err := Scan(context.Background(), root, Options{}); !errors.As(err, &pe) || pe.Path != "Dockerfile" {
		t.Errorf("err = %v, want *PathError for Dockerfile", err)
	}
}

func TestCancelled(t *testing.T) {
	root := writeTree(t, map[string]string{".github/workflows/a.yml": stepWorkflow("a/b@v1")})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, paths := range [][]string{nil, {"**/*.yml"}} {
		if _, err := Scan(ctx, root, Options{Paths: paths}); !errors.Is(err, context.Canceled) {
			t.Errorf("Scan(%v) with a cancelled context = %v", paths, err)
		}
	}
}

func TestFingerprints(t *testing.T) {
	wf := func(pad string) string {
		return "on: push\npermissions: {}\n" + pad + "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n" +
			"      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n      - uses: actions/checkout@v4\n"
	}
	a := scanTree(t, map[string]string{".github/workflows/ci.yml": wf("")}, Options{}).Findings
	b := scanTree(t, map[string]string{".github/workflows/ci.yml": wf("# moved\n# down\n")}, Options{}).Findings
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("want 3 findings each, got%s\nand%s", dump(a), dump(b))
	}
	seen := map[string]bool{}
	for i := range a {
		if a[i].Line+2 != b[i].Line {
			t.Errorf("line did not move: %d vs %d", a[i].Line, b[i].Line)
		}
		if a[i].Fingerprint != b[i].Fingerprint {
			t.Errorf("fingerprint changed when the line moved: %s", a[i])
		}
		if seen[a[i].Fingerprint] {
			t.Errorf("repeated value shares a fingerprint: %s", a[i])
		}
		seen[a[i].Fingerprint] = true
	}
	if a[0].Fingerprint != finding.Fingerprint(RuleUnpinnedUses, ".github/workflows/ci.yml", "actions/checkout@v4") {
		t.Error("first occurrence's fingerprint key is not the offending value")
	}
}

func TestReportIsNeverNil(t *testing.T) {
	r, err := Scan(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Findings == nil || r.Files == nil {
		t.Errorf("empty report has nil slices: %#v", r)
	}
}

// TestUnsafeNames: a file whose name holds a newline is reported at its
// folder, never read, and never breaks the scan, whether a walk or a glob
// meets it.
func TestUnsafeNames(t *testing.T) {
	bad := ".github/workflows/bad\nname.yml"
	root := writeTree(t, map[string]string{
		bad:                            stepWorkflow("actions/checkout@v4"),
		".github/workflows/ok.yml":     stepWorkflow("actions/checkout@" + testSHA),
		"tools/esc\x1b[31m/action.yml": "runs:\n  using: node20\n  main: x.js\n",
		"tools/plain/Dockerfile.\rx":   "FROM alpine\n",
	})
	for _, paths := range [][]string{nil, {".github/**/*.yml", "tools"}} {
		r, err := Scan(context.Background(), root, Options{Paths: paths})
		if err != nil {
			t.Fatalf("paths %q: %v", paths, err)
		}
		if len(r.Files) != 1 || r.Files[0].Path != ".github/workflows/ok.yml" {
			t.Errorf("paths %q: files = %v, want only ok.yml", paths, r.Files)
		}
		got := only(r.Findings, RuleInvalidWorkflow)
		var where []string
		for _, f := range got {
			where = append(where, f.Path)
			if unsafeName(f.Path) || unsafeName(f.Message) || f.Severity != finding.High {
				t.Errorf("finding %q is not safe to print or not high", f)
			}
		}
		want := []string{".github/workflows", "tools", "tools/plain"}
		slices.Sort(where)
		if !slices.Equal(where, want) {
			t.Errorf("paths %q: refused at %q, want %q%s", paths, where, want, dump(got))
		}
	}
	// Named explicitly, such a name is bad input.
	if _, err := Scan(context.Background(), root, Options{Paths: []string{"tools/esc\x1b[31m/action.yml"}}); !errors.Is(err, ErrUnsafeName) {
		t.Errorf("explicit unsafe name: %v", err)
	}
	if !unsafeName("a\xffb") || unsafeName("ünïcode/Dockerfile") {
		t.Error("unsafeName misjudges UTF-8")
	}
}
