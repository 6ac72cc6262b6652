//go:build unix

package sentinel

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zeebo/blake3"

	"github.com/hubgates/hub/shared/finding"
)

// workspace makes a workspace holding the cache ".cache/c", a sibling
// folder "outside" that no operation may touch, and returns its path.
func workspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	write(t, ws, ".cache/c/small.txt", "hello\n")
	write(t, ws, ".cache/c/empty", "")
	write(t, ws, ".cache/c/sub/deep/file.go", "package deep\n")
	big := make([]byte, 3*bufferSize+7) // streams through several buffers
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	write(t, ws, ".cache/c/sub/big.bin", string(big))
	if err := os.Symlink("deep/file.go", filepath.Join(ws, ".cache/c/sub/link")); err != nil {
		t.Fatal(err)
	}
	write(t, ws, "outside/secret.txt", "do not touch\n")
	return ws
}

func write(t *testing.T, ws, rel, content string) {
	t.Helper()
	p := filepath.Join(ws, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot lists everything under dir with modes and content digests.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v %d", p, fi.Mode(), fi.ModTime().UnixNano())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %x", sha256.Sum256(data))
		}
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func seal(t *testing.T, ws string) *Manifest {
	t.Helper()
	rep, err := Seal(context.Background(), Tree{Workspace: ws, Roots: []string{".cache/c"}, Workers: 3}, Manifest{CacheKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Manifest == nil {
		t.Fatalf("not sealed: %v", rep.Findings)
	}
	return rep.Manifest
}

func rules(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.Path)
	}
	slices.Sort(out)
	return out
}

func TestSealRecordsEveryEntry(t *testing.T) {
	ws := workspace(t)
	m := seal(t, ws)
	var paths []string
	for _, e := range m.Entries {
		paths = append(paths, e.Path+" "+e.Type)
	}
	want := []string{".cache/c dir", ".cache/c/empty file", ".cache/c/small.txt file", ".cache/c/sub dir",
		".cache/c/sub/big.bin file", ".cache/c/sub/deep dir", ".cache/c/sub/deep/file.go file", ".cache/c/sub/link symlink"}
	if !slices.Equal(paths, want) {
		t.Errorf("entries:\n%q\nwant\n%q", paths, want)
	}
	for _, e := range m.Entries {
		if e.Type != TypeFile {
			continue
		}
		data, err := os.ReadFile(filepath.Join(ws, e.Path))
		if err != nil {
			t.Fatal(err)
		}
		if e.BLAKE3 != blake3.Sum256(data) || e.Size != int64(len(data)) || e.Mode != 0o644 {
			t.Errorf("%s: %d bytes mode %o digest %x, want %d bytes 0644 %x", e.Path, e.Size, e.Mode, e.BLAKE3, len(data), blake3.Sum256(data))
		}
	}
	if m.Files != 4 || m.Bytes != int64(6+13+3*bufferSize+7) {
		t.Errorf("counts %d files %d bytes", m.Files, m.Bytes)
	}
}

func TestHashFileSizes(t *testing.T) {
	dir := t.TempDir()
	h := newHasher()
	for _, n := range []int{0, 1, 1023, 1024, 8191, 8192, bufferSize - 1, bufferSize, bufferSize + 1, 2*bufferSize + 5} {
		data := make([]byte, n)
		if _, err := rand.Read(data); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprint(n))
		if err := os.WriteFile(p, data, 0o640); err != nil {
			t.Fatal(err)
		}
		st, sum, err := h.hashFile(p, nil)
		if err != nil || sum != blake3.Sum256(data) || st.size != int64(n) || unixMode(st.mode) != 0o640 {
			t.Errorf("%d bytes: %v %x %+v", n, err, sum, st)
		}
	}
	if err := os.Symlink("0", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.hashFile(filepath.Join(dir, "link"), nil); err == nil {
		t.Error("hashFile followed a symbolic link")
	}
	if _, _, err := h.hashFile(dir, nil); !errors.Is(err, errNotRegular) {
		t.Errorf("a directory: got %v, want errNotRegular", err)
	}
}

func TestVerifyUntouchedTreePasses(t *testing.T) {
	ws := workspace(t)
	m := seal(t, ws)
	before := snapshot(t, ws)
	q := &Quarantine{Root: openRoot(t, ws), Dir: "q"}
	rep, err := Verify(context.Background(), Tree{Workspace: ws, Roots: m.Roots}, m, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 0 || rep.Hits != 5 || rep.Files != 4 || rep.Misses != 0 || rep.BytesChecked != m.Bytes {
		t.Errorf("report %+v", rep)
	}
	if after := snapshot(t, ws); after != before {
		t.Errorf("a passing verify changed the workspace:\n%s\n---\n%s", before, after)
	}
}

// TestVerifyQuarantinesEverythingAndNothingElse tampers with the cache
// every way at once, then checks each finding, what was moved, and that
// nothing outside the cache paths (the sibling folder, the targets of the
// links) changed.
func TestVerifyQuarantinesEverythingAndNothingElse(t *testing.T) {
	ws := workspace(t)
	m := seal(t, ws)
	outside := snapshot(t, filepath.Join(ws, "outside"))
	c := filepath.Join(ws, ".cache/c")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(c, "small.txt"), []byte("HELLO\n"), 0o644))      // same size, other bytes
	must(os.WriteFile(filepath.Join(c, "empty"), []byte("now full"), 0o644))         // other size
	must(os.Chmod(filepath.Join(c, "sub/deep/file.go"), 0o755))                      // other mode
	must(os.Remove(filepath.Join(c, "sub/link")))                                    // retargeted outside
	must(os.Symlink("../../../outside/secret.txt", filepath.Join(c, "sub/link")))    //
	must(os.Symlink("/etc/passwd", filepath.Join(c, "abs")))                         // absolute
	must(os.WriteFile(filepath.Join(c, "sub/extra"), []byte("x"), 0o644))            // unlisted file
	must(os.MkdirAll(filepath.Join(c, "newdir/inner"), 0o755))                       // unlisted directory
	must(os.WriteFile(filepath.Join(c, "newdir/inner/payload"), []byte("x"), 0o755)) //
	must(syscall.Mkfifo(filepath.Join(c, "fifo"), 0o644))                            // special file
	must(os.Remove(filepath.Join(c, "sub/big.bin")))                                 // missing
	q := &Quarantine{Root: openRoot(t, ws), Dir: "q"}
	rep, err := Verify(context.Background(), Tree{Workspace: ws, Roots: m.Roots, Workers: 2}, m, q)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"content-mismatch .cache/c/empty",
		"content-mismatch .cache/c/small.txt",
		"missing-entry .cache/c/sub/big.bin",
		"mode-mismatch .cache/c/sub/deep/file.go",
		"symlink-escape .cache/c/abs",
		"symlink-escape .cache/c/sub/link",
		"unexpected-entry .cache/c/newdir",
		"unexpected-entry .cache/c/sub/extra",
		"unsupported-file .cache/c/fifo",
	}
	if got := rules(rep.Findings); !slices.Equal(got, want) {
		t.Errorf("findings:\n%q\nwant\n%q", got, want)
	}
	if len(rep.Quarantined) != 8 || rep.Misses != 1 || rep.Hits != 0 {
		t.Errorf("quarantined %d, missing %d, hits %d", len(rep.Quarantined), rep.Misses, rep.Hits)
	}
	for _, r := range rep.Quarantined {
		if _, err := os.Lstat(filepath.Join(ws, r.Path)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still in the cache", r.Path)
		}
		if _, err := os.Lstat(filepath.Join(ws, r.To)); err != nil || r.To != q.run+"/"+r.Path || !strings.HasPrefix(q.run, "q/") {
			t.Errorf("%s: moved to %q: %v", r.Path, r.To, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(ws, q.run, ".cache/c/newdir/inner/payload")); err != nil || string(b) != "x" {
		t.Errorf("the unlisted directory did not move whole: %q %v", b, err)
	}
	if after := snapshot(t, filepath.Join(ws, "outside")); after != outside {
		t.Errorf("outside changed:\n%s\n---\n%s", outside, after)
	}
	// What is left is exactly what the manifest allows.
	rep2, err := Verify(context.Background(), Tree{Workspace: ws, Roots: m.Roots}, m, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep2.Findings {
		if f.Rule != RuleMissingEntry {
			t.Errorf("after quarantine: %s", f)
		}
	}
}

func TestVerifyDeleteAndEmpty(t *testing.T) {
	ws := workspace(t)
	m := seal(t, ws)
	outside := snapshot(t, filepath.Join(ws, "outside"))
	write(t, ws, ".cache/c/extra", "x")
	q := &Quarantine{Root: openRoot(t, ws), Delete: true}
	rep, err := Verify(context.Background(), Tree{Workspace: ws, Roots: m.Roots}, m, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Quarantined) != 1 || rep.Quarantined[0].To != "" {
		t.Errorf("removals %+v", rep.Quarantined)
	}
	if _, err := os.Lstat(filepath.Join(ws, ".cache/c/extra")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("not deleted")
	}
	// A cache path that is a link to the outside loses the link only.
	if err := os.Symlink("outside", filepath.Join(ws, ".cache/d")); err != nil {
		t.Fatal(err)
	}
	removed, err := q.Empty([]string{".cache/c", ".cache/d", ".cache/absent"})
	if err != nil || len(removed) != 2 {
		t.Fatalf("emptied %+v, %v", removed, err)
	}
	if after := snapshot(t, filepath.Join(ws, "outside")); after != outside {
		t.Errorf("emptying the cache changed outside:\n%s\n---\n%s", outside, after)
	}
}

// Each run quarantines into a folder of its own, so earlier runs' copies
// stay, and nothing planted in the quarantine folder can steer a move.
func TestQuarantineKeepsEarlierCopies(t *testing.T) {
	ws := t.TempDir()
	root := openRoot(t, ws)
	seen := map[string]bool{}
	for i := range 3 {
		write(t, ws, ".cache/c/f", fmt.Sprint(i))
		q := &Quarantine{Root: root, Dir: "q", Now: time.Date(2026, 12, 4, 10, 0, i, 0, time.UTC)}
		r, err := q.Remove(".cache/c/f")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.To, "q/20261204T10000") || !strings.HasSuffix(r.To, "/.cache/c/f") || seen[r.To] {
			t.Errorf("copy %d went to %q", i, r.To)
		}
		seen[r.To] = true
		if b, _ := os.ReadFile(filepath.Join(ws, r.To)); string(b) != fmt.Sprint(i) {
			t.Errorf("copy %d holds %q", i, b)
		}
	}
}

// A link planted in or above the quarantine folder (to the outside, or to
// .git/hooks inside the workspace) moves nothing anywhere.
func TestQuarantineRefusesPlantedLinks(t *testing.T) {
	for _, tc := range []struct{ name, dir, link, target string }{
		{"quarantine folder is a link out", "q", "q", "OUTSIDE"},
		{"a folder above it is a link", "a/q", "a", "OUTSIDE"},
		{"quarantine folder is a link to .git/hooks", "q", "q", ".git/hooks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			ws, outside := filepath.Join(base, "ws"), filepath.Join(base, "outside")
			for _, d := range []string{outside, filepath.Join(ws, ".git/hooks")} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			write(t, ws, ".cache/c/pre-commit", "#!/bin/sh\necho pwned\n")
			target := tc.target
			if target == "OUTSIDE" {
				target = outside
			} else {
				target = filepath.Join(ws, target)
			}
			if err := os.Symlink(target, filepath.Join(ws, tc.link)); err != nil {
				t.Fatal(err)
			}
			q := &Quarantine{Root: openRoot(t, ws), Dir: tc.dir}
			if _, err := q.Remove(".cache/c/pre-commit"); !errors.Is(err, ErrQuarantineLink) {
				t.Fatalf("Remove = %v, want ErrQuarantineLink", err)
			}
			for _, d := range []string{outside, filepath.Join(ws, ".git/hooks")} {
				if entries, _ := os.ReadDir(d); len(entries) != 0 {
					t.Errorf("%s gained %v", d, entries)
				}
			}
		})
	}
}

// A link planted inside an existing quarantine folder is never followed:
// the run's own folder is new.
func TestQuarantineIgnoresLinksInside(t *testing.T) {
	base := t.TempDir()
	ws, outside := filepath.Join(base, "ws"), filepath.Join(base, "outside")
	if err := os.MkdirAll(filepath.Join(ws, "q"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(ws, "q", ".cache")); err != nil {
		t.Fatal(err)
	}
	write(t, ws, ".cache/c/f", "x")
	q := &Quarantine{Root: openRoot(t, ws), Dir: "q"}
	r, err := q.Remove(".cache/c/f")
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("moved outside: %v", entries)
	}
	if b, _ := os.ReadFile(filepath.Join(ws, r.To)); string(b) != "x" {
		t.Errorf("quarantined copy at %q holds %q", r.To, b)
	}
}

func TestSealRefusesEscapesAndSpecialFiles(t *testing.T) {
	ws := workspace(t)
	if err := os.Symlink("../../outside/secret.txt", filepath.Join(ws, ".cache/c/out")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(ws, ".cache/c/sub/fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := Seal(context.Background(), Tree{Workspace: ws, Roots: []string{".cache/c"}}, Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(rep.Findings); rep.Manifest != nil || !slices.Equal(got, []string{"symlink-escape .cache/c/out", "unsupported-file .cache/c/sub/fifo"}) {
		t.Errorf("manifest %v, findings %q", rep.Manifest != nil, got)
	}
}

func TestSealExcludesAndSkips(t *testing.T) {
	ws := workspace(t)
	write(t, ws, ".cache/c/manifest.json", "{}")
	write(t, ws, ".cache/c/sub/x.log", "log")
	rep, err := Seal(context.Background(), Tree{Workspace: ws, Roots: []string{".cache/c"}, Exclude: []string{"**/*.log"}, Skip: []string{".cache/c/manifest.json"}}, Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Manifest.Entries {
		if strings.HasSuffix(e.Path, ".log") || strings.HasSuffix(e.Path, "manifest.json") {
			t.Errorf("%s was sealed", e.Path)
		}
	}
	if _, err := Seal(context.Background(), Tree{Workspace: ws, Roots: []string{".cache/c"}, Exclude: []string{"[unclosed"}}, Manifest{}); !errors.Is(err, ErrBadPattern) {
		t.Errorf("bad glob: got %v", err)
	}
}

func TestVerifyRefusesOtherRoots(t *testing.T) {
	ws := workspace(t)
	m := seal(t, ws)
	_, err := Verify(context.Background(), Tree{Workspace: ws, Roots: []string{".cache/other"}}, m, &Quarantine{Root: openRoot(t, ws), Delete: true})
	if !errors.Is(err, ErrRootsDiffer) {
		t.Errorf("got %v, want ErrRootsDiffer", err)
	}
}

func TestVerifyCancelled(t *testing.T) {
	ws := workspace(t)
	m := seal(t, ws)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, Tree{Workspace: ws, Roots: m.Roots}, m, &Quarantine{Root: openRoot(t, ws), Delete: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(ws, ".cache/c/small.txt")); err != nil {
		t.Error("a cancelled verify removed files")
	}
}

func TestLinkEscapes(t *testing.T) {
	ws := t.TempDir()
	write(t, ws, "c/a/file", "x")
	for name, target := range map[string]string{"c/a/up": "..", "c/a/self": ".", "c/a/loop1": "loop2", "c/a/loop2": "loop1", "c/a/toabs": "/tmp"} {
		if err := os.Symlink(target, filepath.Join(ws, name)); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		rel, target string
		escapes     bool
	}{
		{"c/a/l", "file", false},
		{"c/a/l", "../a/file", false},
		{"c/a/l", "../..", true},
		{"c/a/l", "../../c/a/file", true}, // leaves the root, even to come back
		{"c/a/l", "/etc/passwd", true},
		{"c/a/l", "missing/../file", false},
		{"c/a/l", "up/../x", true}, // up is c, .. of c leaves
		{"c/a/l", "self/self/file", false},
		{"c/a/l", "loop1/x", true},
		{"c/a/l", "toabs/x", true},
		{"c", "a", true}, // a cache path that is itself a link
		{"c/l", "a/../a/file", false},
	}
	for _, tc := range cases {
		if got := linkEscapes(ws, "c", tc.rel, tc.target); got != tc.escapes {
			t.Errorf("%s -> %s: escapes %v, want %v", tc.rel, tc.target, got, tc.escapes)
		}
	}
}

func TestResolveRoots(t *testing.T) {
	ws := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(ws, "away")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(ws, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(ws, "alias")); err != nil {
		t.Fatal(err)
	}
	roots, err := ResolveRoots(ws, []string{"b/c", filepath.Join(ws, "a"), "a", "alias/x", "./d/"})
	if err != nil || !slices.Equal(roots, []string{"a", "b/c", "d", "real/x"}) {
		t.Errorf("roots %q, %v", roots, err)
	}
	// The last component is kept as it is, so a link is seen by the walk.
	if roots, err := ResolveRoots(ws, []string{"alias"}); err != nil || !slices.Equal(roots, []string{"alias"}) {
		t.Errorf("alias: %q, %v", roots, err)
	}
	for _, bad := range [][]string{nil, {"."}, {".."}, {"../x"}, {outside}, {"away/x"}, {"a", "a/b"}} {
		if _, err := ResolveRoots(ws, bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	if err := CheckApart(ws, []string{"a"}, filepath.Join(ws, "a/q")); !errors.Is(err, ErrOverlap) {
		t.Errorf("quarantine inside: %v", err)
	}
	if err := CheckApart(ws, []string{"a/b"}, filepath.Join(ws, "a")); !errors.Is(err, ErrOverlap) {
		t.Errorf("quarantine holding a cache path: %v", err)
	}
	if err := CheckApart(ws, []string{"a"}, filepath.Join(ws, "ab")); err != nil {
		t.Errorf("a sibling: %v", err)
	}
}

func TestVerifyReportsAMissingDirectoryOnce(t *testing.T) {
	ws := workspace(t)
	m := seal(t, ws)
	if err := os.RemoveAll(filepath.Join(ws, ".cache/c/sub")); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(context.Background(), Tree{Workspace: ws, Roots: m.Roots}, m, &Quarantine{Root: openRoot(t, ws), Delete: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Misses != 5 || !strings.HasSuffix(rep.Findings[0].Message, "nor the 4 entries under it") {
		t.Errorf("misses %d, findings %v", rep.Misses, rep.Findings)
	}
	// A whole cache path missing.
	if err := os.RemoveAll(filepath.Join(ws, ".cache/c")); err != nil {
		t.Fatal(err)
	}
	rep, err = Verify(context.Background(), Tree{Workspace: ws, Roots: m.Roots}, m, &Quarantine{Root: openRoot(t, ws), Delete: true})
	if err != nil || len(rep.Findings) != 1 || rep.Findings[0].Path != ".cache/c" || rep.Misses != int64(len(m.Entries)) {
		t.Errorf("%v: misses %d, findings %v", err, rep.Misses, rep.Findings)
	}
}
