package audit

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/actions/workflow-audit/ghfake"
)

// TestFixGolden pins testdata/fix-pin/in against the fake API and compares
// the rewritten files with testdata/fix-pin/out and the patch with
// testdata/fix-pin/fix.patch. Run with -update to regenerate.
func TestFixGolden(t *testing.T) {
	s := ghfake.New(fakeTok)
	defer s.Close()
	s.AddRepo("octo/tool", &ghfake.Repo{
		Tags:      map[string]string{"v1.0.0": shaV1, "v2": shaV2},
		Annotated: []string{"v2"},
		Branches:  map[string]string{"main": shaMid},
	})
	s.AddRepo("allowed/thing", &ghfake.Repo{Tags: map[string]string{"v3": shaV1}})
	base := filepath.Join("testdata", "fix-pin")
	root := t.TempDir()
	copyTree(t, filepath.Join(base, "in"), root)
	rep, err := Scan(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := PinUses(context.Background(), root, rep, []string{"allowed"}, OnlineOptions{Token: fakeTok, APIURL: s.URL, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 6 || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], `has no tag or branch "nope"`) || len(res.Failures) != 0 {
		t.Errorf("changes %d %v, skipped %q, failures %q", len(res.Changes), res.Changes, res.Skipped, res.Failures)
	}
	compareTree(t, root, filepath.Join(base, "out"))
	golden(t, filepath.Join(base, "fix.patch"), res.Patch)
	// The rewritten files pin everything that could be pinned.
	again, err := Scan(context.Background(), root, Options{AllowUnpinned: []string{"allowed"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := only(again.Findings, RuleUnpinnedUses); len(got) != 1 || !strings.Contains(got[0].Message, "octo/tool@nope") {
		t.Errorf("after the fix:%s", dump(got))
	}
	// Nothing is rewritten twice.
	res2, err := PinUses(context.Background(), root, again, []string{"allowed"}, OnlineOptions{Token: fakeTok, APIURL: s.URL})
	if err != nil || len(res2.Changes) != 0 || res2.Patch != "" {
		t.Errorf("second run: %v %v", res2, err)
	}
}

// TestFixRefusesOffline: fix mode needs a token.
func TestFixRefusesOffline(t *testing.T) {
	if _, err := PinUses(context.Background(), t.TempDir(), &Report{}, nil, OnlineOptions{}); err == nil || !strings.Contains(err.Error(), "github-token") {
		t.Errorf("err = %v", err)
	}
}

func TestPinLine(t *testing.T) {
	ch := FixChange{From: "o/r@v1", To: "o/r@" + shaV1, Ref: "v1"}
	for in, want := range map[string]string{
		"  - uses: o/r@v1\n":                 "  - uses: o/r@" + shaV1 + " # v1\n",
		"  - uses: \"o/r@v1\"  # old v0\n":   "  - uses: \"o/r@" + shaV1 + "\"  # v1 old v0\n",
		"  - uses: o/r@v1 # v1.0.0\r\n":      "  - uses: o/r@" + shaV1 + " # v1\r\n",
		"  - {uses: o/r@v1, with: {a: b}}\n": "",
	} {
		got, ok := pinLine(in, ch)
		if want == "" && ok || want != "" && got != want {
			t.Errorf("pinLine(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// compareTree compares every file under got with want (or writes want
// with -update).
func compareTree(t *testing.T, got, want string) {
	t.Helper()
	err := filepath.WalkDir(got, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(got, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		golden(t, filepath.Join(want, rel), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", file, got, want)
	}
}
