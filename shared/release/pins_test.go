package release

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindAndRewritePins(t *testing.T) {
	root := t.TempDir()
	old := func(g, c string) string { return "ghcr.io/hubgates/hub/" + g + "@sha256:" + strings.Repeat(c, 64) }
	files := map[string]string{
		"actions/a/action.yml":          "runs:\n  using: docker\n  image: 'docker://" + old("a", "0") + "'\n",
		"action.yml":                    "steps:\n  - uses: docker://" + old("a", "0") + "\n  - uses: \"docker://" + old("b", "0") + "\"\n",
		".github/workflows/x.yaml":      "steps:\n  - uses: docker://" + old("ghost", "0") + " # kept\n",
		"workflows/y.yml":               "steps:\n  - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n",
		"actions/a/testdata/action.yml": "image: docker://" + old("a", "0") + "\n",
		"elsewhere/action.yml":          "image: docker://" + old("a", "0") + "\n",
	}
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	list, err := PinFiles(root, "actions")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(list, " "); got != ".github/workflows/x.yaml action.yml actions/a/action.yml workflows/y.yml" {
		t.Errorf("PinFiles = %s", got)
	}
	pins, err := FindPins(root, list)
	if err != nil {
		t.Fatal(err)
	}
	if len(pins) != 4 || pins[1].String() != "action.yml:2: "+old("a", "0") || pins[2].Gate != "b" || pins[2].Line != 3 {
		t.Errorf("FindPins = %v", pins)
	}
	refs := map[string]string{"a": old("a", "1"), "b": old("b", "2")}
	changed, err := Rewrite(root, "actions", list, refs)
	if err != nil || strings.Join(changed, " ") != "action.yml actions/a/action.yml" {
		t.Errorf("Rewrite changed %v, %v", changed, err)
	}
	for name, want := range map[string]string{
		"actions/a/action.yml":     "runs:\n  using: docker\n  image: 'docker://" + old("a", "1") + "'\n",
		"action.yml":               "steps:\n  - uses: docker://" + old("a", "1") + "\n  - uses: \"docker://" + old("b", "2") + "\"\n",
		".github/workflows/x.yaml": files[".github/workflows/x.yaml"],
		"elsewhere/action.yml":     files["elsewhere/action.yml"],
	} {
		got, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if string(got) != want {
			t.Errorf("%s after Rewrite:\n%s\nwant:\n%s", name, got, want)
		}
	}
	pins, _ = FindPins(root, list)
	probs := Check("actions", pins, refs)
	// The pin of a gate never built, and a built gate (b) without an
	// action.yml of its own.
	if len(probs) != 2 || !strings.Contains(probs[0].String(), `.github/workflows/x.yaml:2: pins `+old("ghost", "0")+`, but no gate "ghost" was rebuilt`) ||
		probs[1].String() != "actions/b/action.yml: no pin of gate b; the rebuild is "+old("b", "2") {
		t.Errorf("Check = %v", probs)
	}
}
