package image

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewOptionsValidation(t *testing.T) {
	tests := []struct {
		name string
		gate string
		opts []Option
		want string // substring of the error
	}{
		{"empty gate", "", nil, "empty gate"},
		{"upper-case gate", "Hello", nil, `"Hello"`},
		{"gate with slash", "a/b", nil, `"a/b"`},
		{"empty version", "g", []Option{WithVersion("")}, "empty version"},
		{"version with space", "g", []Option{WithVersion("v1 2")}, `"v1 2"`},
		{"version with quote", "g", []Option{WithVersion(`v1"`)}, `version "v1\""`},
		{"version starting with dot", "g", []Option{WithVersion(".v1")}, `".v1"`},
		{"bad revision", "g", []Option{WithRevision("a b")}, `revision "a b"`},
		{"empty owner", "g", []Option{WithOwner("")}, "empty owner"},
		{"upper-case owner", "g", []Option{WithOwner("HubGates")}, `"HubGates"`},
		{"unknown platform", "g", []Option{WithPlatforms("linux/amd64", "windows/amd64")}, `unknown platform "windows/amd64"`},
		{"no platforms", "g", []Option{WithPlatforms()}, "no platforms"},
		{"duplicate platform", "g", []Option{WithPlatforms("linux/arm64", "linux/arm64")}, `"linux/arm64" given twice`},
		{"binary for unknown platform", "g", []Option{WithBinary("linux/mips", "/x")}, `unknown platform "linux/mips"`},
		{"empty binary path", "g", []Option{WithBinary("linux/amd64", "")}, "empty binary path for platform linux/amd64"},
		{"created before 1970", "g", []Option{WithCreated(time.Unix(-1, 0))}, "1969-12-31T23:59:59Z"},
		{"created sub-second", "g", []Option{WithCreated(time.Unix(5, 1))}, "whole seconds"},
		{"created too late", "g", []Option{WithCreated(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))}, "2300-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewOptions(tt.gate, tt.opts...)
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}

	o, err := NewOptions("hellogate",
		WithVersion("v1.0.0"),
		WithOwner("someone"),
		WithPlatforms("linux/arm64", "linux/amd64"),
		WithBinary("linux/amd64", "/a"),
		WithBinary("linux/arm64", "/b"),
		WithCreated(time.Unix(1700000000, 0).In(time.FixedZone("x", 7200))),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.Platforms, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("platforms %q, want sorted", o.Platforms)
	}
	if o.Created.Location() != time.UTC || o.Created.Unix() != 1700000000 {
		t.Errorf("created %v", o.Created)
	}
	if err := o.Validate(); err != nil {
		t.Errorf("valid options: %v", err)
	}
}

func TestBuildValidatesOptions(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "gate")
	if err := os.WriteFile(bin, []byte("\x7fELF fake"), 0o755); err != nil {
		t.Fatal(err)
	}
	both := map[string]string{"linux/amd64": bin, "linux/arm64": bin}
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"empty gate", Options{Version: "v1", Binaries: both}, "empty gate"},
		{"empty version", Options{Gate: "g", Binaries: both}, "gate g: empty version"},
		{"missing binary", Options{Gate: "g", Version: "v1", Binaries: map[string]string{"linux/amd64": bin}}, "gate g: no binary for platform linux/arm64"},
		{"extra binary", Options{Gate: "g", Version: "v1", Platforms: []string{"linux/amd64"}, Binaries: both}, "binary given for platform linux/arm64"},
		{"unknown platform", Options{Gate: "g", Version: "v1", Platforms: []string{"linux/amd64", "darwin/arm64"}, Binaries: both}, `unknown platform "darwin/arm64"`},
		{"bad owner", Options{Gate: "g", Version: "v1", Owner: "-x", Binaries: both}, `owner "-x"`},
		{"bad created", Options{Gate: "g", Version: "v1", Binaries: both, Created: time.Unix(-100, 0)}, "created time"},
		{"unreadable binary", Options{Gate: "g", Version: "v1", Binaries: map[string]string{"linux/amd64": bin + ".missing", "linux/arm64": bin}}, "gate.missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(context.Background(), tt.o)
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
	// Defaults: owner, platforms and created are filled in.
	if _, err := Build(context.Background(), Options{Gate: "g", Version: "v1", Binaries: both}); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}

func TestParsePlatforms(t *testing.T) {
	got, err := ParsePlatforms(" linux/arm64, linux/amd64 ,")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("got %q", got)
	}
	for _, bad := range []string{"", ",", "linux/amd64,linux/amd64", "linux/amd64,plan9/386", "linux"} {
		if _, err := ParsePlatforms(bad); err == nil {
			t.Errorf("ParsePlatforms(%q) accepted", bad)
		}
	}
	if !slices.Contains(KnownPlatforms(), HostPlatform()) {
		t.Logf("host platform %s is not a known platform", HostPlatform())
	}
}

func TestBuildBinaryErrors(t *testing.T) {
	ctx := context.Background()
	root := repoRoot(t)
	_, err := BuildBinary(ctx, BinaryOptions{
		Gate:    "brokengate",
		Package: "./shared/image/testdata/brokengate",
		Dir:     root,
		OutDir:  t.TempDir(),
	})
	if err == nil {
		t.Fatal("a package that does not compile built")
	}
	for _, want := range []string{"brokengate", "thisFunctionDoesNotExist"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}

	for _, tt := range []struct {
		o    BinaryOptions
		want string
	}{
		{BinaryOptions{}, "empty gate"},
		{BinaryOptions{Gate: "x", Platform: "linux/sparc"}, `gate x: unknown platform "linux/sparc"`},
		{BinaryOptions{Gate: "x", Version: "a b"}, `gate x: version "a b"`},
		{BinaryOptions{Gate: "nosuchgate", Dir: root, OutDir: t.TempDir()}, "nosuchgate"},
	} {
		if _, err := BuildBinary(ctx, tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("BuildBinary(%+v): error %v, want %q", tt.o, err, tt.want)
		}
	}
}

func TestBuildBinaryStampsVersion(t *testing.T) {
	bin := sharedHello(t, HostPlatform(), "v9.8.7-stamp")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), repoRoot(t)) {
		t.Error("the binary holds the module's directory: -trimpath missing")
	}
	if runtime.GOOS != "linux" {
		t.Skip("cannot run a linux binary here")
	}
	cmd := exec.Command(bin, "a", "b c")
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=/usr/bin:/bin"} // no GITHUB_OUTPUT of a real runner
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := "hellogate v9.8.7-stamp args=[\"a\" \"b c\"]\n"; string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
}
