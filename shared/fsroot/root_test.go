package fsroot

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// tree makes a root folder and a secret file beside it, outside the root,
// with links inside the root that point at the secret in several ways.
func tree(t *testing.T) (*Root, string) {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "ws")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(dir, "sub"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret")
	mustWrite(t, secret, "top secret")
	mustWrite(t, filepath.Join(dir, "sub", "inside.txt"), "hello")
	mustLink(t, secret, filepath.Join(dir, "abs-link"))
	mustLink(t, "../outside/secret", filepath.Join(dir, "rel-link"))
	mustLink(t, outside, filepath.Join(dir, "dir-link"))
	mustLink(t, "sub/inside.txt", filepath.Join(dir, "good-link"))
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, outside
}

func mustWrite(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustLink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestReadsStayInside(t *testing.T) {
	r, _ := tree(t)
	for _, name := range []string{"abs-link", "rel-link", "dir-link/secret", "../outside/secret", "sub/../../outside/secret", "/etc/passwd"} {
		t.Run(name, func(t *testing.T) {
			if _, err := r.ReadFile(name, 0); !errors.Is(err, ErrEscapes) {
				t.Errorf("ReadFile(%q) = %v, want ErrEscapes", name, err)
			}
			if _, err := r.Open(name); !errors.Is(err, ErrEscapes) {
				t.Errorf("Open(%q) = %v, want ErrEscapes", name, err)
			}
			if _, err := r.Stat(name); !errors.Is(err, ErrEscapes) {
				t.Errorf("Stat(%q) = %v, want ErrEscapes", name, err)
			}
		})
	}
	b, err := r.ReadFile("good-link", 0)
	if err != nil || string(b) != "hello" {
		t.Errorf("a link inside the root: %q, %v", b, err)
	}
	if _, err := r.ReadFile("missing", 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestWritesStayInside(t *testing.T) {
	r, outside := tree(t)
	for _, name := range []string{"dir-link/new", "../outside/new", "abs-link", "rel-link"} {
		if _, err := r.Append(name, 0o644); !errors.Is(err, ErrEscapes) {
			t.Errorf("Append(%q) = %v, want ErrEscapes", name, err)
		}
	}
	for _, name := range []string{"dir-link/new", "../outside/new"} {
		if err := r.WriteFile(name, []byte("x"), 0o644); !errors.Is(err, ErrEscapes) {
			t.Errorf("WriteFile(%q) = %v, want ErrEscapes", name, err)
		}
		if err := r.MkdirAll(name+"/d", 0o755); !errors.Is(err, ErrEscapes) {
			t.Errorf("MkdirAll(%q) = %v, want ErrEscapes", name, err)
		}
	}
	// Writing over a link replaces the link; its target is untouched.
	if err := r.WriteFile("rel-link", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(r.Dir(), "rel-link")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("rel-link after WriteFile: %v %v", fi, err)
	}
	if err := r.Rename("sub/inside.txt", "dir-link/stolen"); !errors.Is(err, ErrEscapes) {
		t.Errorf("Rename out through a link = %v, want ErrEscapes", err)
	}
	// Moving or removing a link moves or removes the link, never its target.
	if err := r.Rename("abs-link", "sub/moved-link"); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveAll("dir-link"); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveAll("sub"); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(outside)
	if err != nil || len(entries) != 1 || entries[0].Name() != "secret" {
		t.Fatalf("outside the root changed: %v %v", entries, err)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "top secret" {
		t.Fatalf("secret changed: %q", b)
	}
}

func TestOpenRegularRefusesPipesAndDevices(t *testing.T) {
	r, _ := tree(t)
	if err := syscall.Mkfifo(filepath.Join(r.Dir(), "fifo"), 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	if _, err := r.ReadFile("fifo", 0); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a named pipe: %v, want ErrNotRegular", err)
	}
	if _, err := r.ReadFile("sub", 0); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a directory: %v, want ErrNotRegular", err)
	}
}

func TestReadFileLimit(t *testing.T) {
	r, _ := tree(t)
	if _, err := r.ReadFile("sub/inside.txt", 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("5 bytes with a limit of 4: %v, want ErrTooLarge", err)
	}
	if b, err := r.ReadFile("sub/inside.txt", 5); err != nil || string(b) != "hello" {
		t.Errorf("5 bytes with a limit of 5: %q, %v", b, err)
	}
}

func TestStreamLeavesNothingOnError(t *testing.T) {
	r, _ := tree(t)
	mustWrite(t, filepath.Join(r.Dir(), "report"), "old")
	boom := errors.New("boom")
	err := r.Stream("report", 0o644, false, func(w io.Writer) error {
		io.WriteString(w, "half of a new")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Stream = %v, want the fill's error", err)
	}
	if b, _ := os.ReadFile(filepath.Join(r.Dir(), "report")); string(b) != "old" {
		t.Errorf("report = %q, want the old content", b)
	}
	entries, _ := os.ReadDir(r.Dir())
	for _, e := range entries {
		if filepath.Ext(e.Name()) != "" && e.Name() != "report" && e.Name()[0] == '.' {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	if err := r.WriteFile("report", []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(r.Dir(), "report"))
	if b, _ := os.ReadFile(filepath.Join(r.Dir(), "report")); string(b) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("report = %q %v", b, fi.Mode())
	}
}

func TestName(t *testing.T) {
	r, _ := tree(t)
	for in, want := range map[string]string{
		filepath.Join(r.Dir(), "a", "b"): "a/b",
		r.Dir():                          ".",
		"a/./b/../c":                     "a/c",
	} {
		if got, err := r.Name(in); err != nil || got != want {
			t.Errorf("Name(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{filepath.Dir(r.Dir()), "../x", filepath.Join(r.Dir(), "..", "x")} {
		if _, err := r.Name(in); !errors.Is(err, ErrEscapes) {
			t.Errorf("Name(%q) = %v, want ErrEscapes", in, err)
		}
	}
}

func TestReadlink(t *testing.T) {
	r, outside := tree(t)
	for name, want := range map[string]string{
		"abs-link":  filepath.Join(outside, "secret"),
		"rel-link":  "../outside/secret",
		"good-link": "sub/inside.txt",
	} {
		got, err := r.Readlink(name)
		if err != nil || got != want {
			t.Errorf("Readlink(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	// A link's own text is read, but a parent that is a link out of the
	// root is not followed.
	if _, err := r.Readlink("dir-link/secret"); !errors.Is(err, ErrEscapes) {
		t.Errorf("Readlink through a link out of the root: got %v, want ErrEscapes", err)
	}
	if _, err := r.Readlink("sub/inside.txt"); err == nil {
		t.Error("Readlink of a regular file: got no error")
	}
	if _, err := r.Readlink("../outside/secret"); !errors.Is(err, ErrEscapes) {
		t.Errorf("Readlink of ../: got %v, want ErrEscapes", err)
	}
}
