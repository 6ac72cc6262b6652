package actions

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// exitComment is the "# exit N" a command line of an example ends with.
var exitComment = regexp.MustCompile(`\s+# exit (\d+)(?:\D.*)?$`)

// TestExamplesRunAsWritten runs every gate's example.sh, the local example
// its README shows, in a copy of the repository's files: each command that
// ends in "# exit N" must exit N, every other line must succeed. An example
// that says "needs: network" is skipped (no test reaches the internet).
func TestExamplesRunAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("examples compile every gate: skipped in -short mode")
	}
	scripts, _ := filepath.Glob(filepath.Join("*", "example.sh"))
	if len(scripts) == 0 {
		t.Fatal("no example.sh found")
	}
	repo := copyRepo(t)
	for _, script := range scripts {
		t.Run(filepath.Dir(script), func(t *testing.T) {
			b, err := os.ReadFile(script)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "\n# needs: network\n") {
				t.Skip("needs the network")
			}
			checked, err := checkedScript(string(b), script)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", "-c", checked)
			cmd.Dir = repo
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", script, err, out)
			}
		})
	}
}

// checkedScript turns an example into a script that stops at the first
// line that does not do what the example says.
func checkedScript(example, name string) (string, error) {
	var b strings.Builder
	b.WriteString("set -u\n")
	sc := bufio.NewScanner(strings.NewReader(example))
	n, commands := 0, 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if m := exitComment.FindStringSubmatchIndex(line); m != nil {
			want := line[m[2]:m[3]]
			fmt.Fprintf(&b, "{ %s\n}; rc=$?; if [ $rc -ne %s ]; then echo '%s:%d: exit '$rc', want %s' >&2; exit 99; fi\n", line[:m[0]], want, name, n, want)
			commands++
			continue
		}
		fmt.Fprintf(&b, "{ %s\n} || { echo '%s:%d: failed' >&2; exit 98; }\n", line, name, n)
	}
	if commands == 0 {
		return "", fmt.Errorf("%s has no command ending in \"# exit N\"", name)
	}
	return b.String(), sc.Err()
}

// copyRepo copies the repository's tracked files into a temporary folder,
// the fresh clone a newcomer runs the examples in.
func copyRepo(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", "..", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "hub")
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join("..", name)
		fi, err := os.Lstat(src)
		if err != nil {
			continue // deleted in the work tree, not yet committed
		}
		target := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			link, err := os.Readlink(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(link, target); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, b, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// The checker must be able to say no: a wrong exit code, a failing line.
func TestCheckedScriptFails(t *testing.T) {
	for example, want := range map[string]string{
		"true  # exit 1\n":           "x.sh:1: exit 0, want 1",
		"false\ntrue  # exit 0\n":    "x.sh:1: failed",
		"v=3\n(exit $v)  # exit 3\n": "",
	} {
		s, err := checkedScript(example, "x.sh")
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("bash", "-c", s).CombinedOutput()
		if want == "" {
			if err != nil {
				t.Errorf("%q: %v\n%s", example, err, out)
			}
			continue
		}
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%q: %v, output %q, want %q", example, err, out, want)
		}
	}
	if _, err := checkedScript("echo hi\n", "x.sh"); err == nil {
		t.Error("an example without any checked command was accepted")
	}
}

// TestEveryGateHasAnExample: a gate joins the catalogue with the local
// example its README shows.
func TestEveryGateHasAnExample(t *testing.T) {
	for _, g := range All() {
		if _, err := os.Stat(filepath.Join(g.Spec.Name, "example.sh")); err != nil {
			t.Errorf("gate %s has no example.sh: %v", g.Spec.Name, err)
		}
	}
}
