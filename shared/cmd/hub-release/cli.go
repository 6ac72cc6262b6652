package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/atomicfile"
	"github.com/hubgates/hub/shared/image"
	"github.com/hubgates/hub/shared/release"
)

// modulePath is the module whose root hub-release looks for.
const modulePath = release.ModulePath

// Exit codes, as the gates use them.
const (
	exitOK       = 0
	exitMismatch = 1 // a pin differs from the rebuild
	exitUsage    = 2 // bad flags or release.json
	exitFailed   = 3 // a build, write or push failed
)

// usageError is a problem with the command line or release.json.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usageLine = "usage: hub-release prepare --version vX.Y.Z [flags] | hub-release check [flags] | hub-release trusted-root --out FILE"

// errMismatch marks a check that found pins differing from the rebuild.
var errMismatch = errors.New("the pins differ from the rebuild")

// common are the flags both subcommands take.
type common struct {
	root, actionsDir, registry, owner string
	platforms                         []string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usageLine)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "prepare":
		err = prepare(ctx, args[1:], stdout, stderr)
	case "check":
		err = check(ctx, args[1:], stdout, stderr)
	case "trusted-root":
		err = trustedRoot(ctx, args[1:], stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usageLine)
		return exitOK
	default:
		err = usagef("unknown subcommand %q: want prepare, check or trusted-root", args[0])
	}
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "hub-release: %v\n", err)
		return exitUsage
	case errors.Is(err, errMismatch):
		fmt.Fprintf(stderr, "hub-release: %v\n", err)
		return exitMismatch
	default:
		fmt.Fprintf(stderr, "hub-release: %v\n", err)
		return exitFailed
	}
}

func commonFlags(fs *flag.FlagSet) func() (common, error) {
	root := fs.String("root", "", "module root `dir` (default: the enclosing directory whose go.mod is "+modulePath+")")
	actionsDir := fs.String("actions-dir", "actions", "`dir` under the root holding one directory per gate")
	registry := fs.String("registry", image.DefaultRegistry, "image `registry`")
	owner := fs.String("owner", image.DefaultOwner, "GitHub `owner` of the hub repository, lower case")
	platforms := fs.String("platforms", strings.Join(image.DefaultPlatforms, ","), "comma-separated `list` of platforms")
	return func() (common, error) {
		c := common{registry: *registry, owner: *owner}
		var err error
		if *root != "" {
			if c.root, err = filepath.Abs(*root); err != nil {
				return c, usagef("--root %q: %v", *root, err)
			}
			if !release.IsModuleRoot(c.root) {
				return c, usagef("--root %q: no go.mod of module %s there", *root, modulePath)
			}
		} else if c.root, err = release.FindModuleRoot(); err != nil {
			return c, usagef("%v; run inside the hub module or give --root", err)
		}
		if *actionsDir == "" || filepath.IsAbs(*actionsDir) || strings.HasPrefix(filepath.Clean(*actionsDir), "..") {
			return c, usagef("--actions-dir %q: want a directory inside the module root", *actionsDir)
		}
		c.actionsDir = filepath.ToSlash(filepath.Clean(*actionsDir))
		if c.platforms, err = image.ParsePlatforms(*platforms); err != nil {
			return c, usagef("--platforms %q: %v", *platforms, err)
		}
		if err := image.ValidateOwner(c.owner); err != nil {
			return c, usagef("--owner: %v", err)
		}
		if _, err := name.NewRegistry(c.registry, name.StrictValidation); err != nil || c.registry == "" || strings.Contains(c.registry, "/") {
			return c, usagef("--registry %q: want a registry host[:port], like %s", c.registry, image.DefaultRegistry)
		}
		return c, nil
	}
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("bad command line: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func prepare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hub-release prepare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.String("version", "", "the release `version`, like v0.1.0 (required)")
	created := fs.String("created", "", "image creation `time`, RFC 3339 or Unix seconds (default: now)")
	commit := fs.Bool("commit", false, "commit release.json and the pins as \"release <version>\" and print the commit to tag")
	getCommon := commonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := getCommon()
	if err != nil {
		return err
	}
	if *version == "" {
		return usagef("--version: required, like v0.1.0")
	}
	info := release.Info{Version: *version, Created: time.Now().UTC().Truncate(time.Second)}
	if *created != "" {
		if info.Created, err = parseCreated(*created); err != nil {
			return usagef("--created %q: %v", *created, err)
		}
	}
	if err := info.Validate(); err != nil {
		return usagef("--version %q / --created %q: %v", *version, *created, err)
	}
	if *commit {
		// The release commit holds only release.json and the pins: any other
		// change would be built into the images but left out of the commit.
		if dirty, err := git(ctx, c.root, "status", "--porcelain", "--untracked-files=no"); err != nil || dirty != "" {
			return usagef("--commit: the work tree must be a clean checkout (git status: %q, %v)", dirty, err)
		}
	}
	if err := release.Write(c.root, info); err != nil {
		return err
	}
	imgs, err := release.Build(ctx, release.BuildOptions{Root: c.root, ActionsDir: c.actionsDir,
		Registry: c.registry, Owner: c.owner, Platforms: c.platforms, Info: info})
	if err != nil {
		return err
	}
	files, err := release.PinFiles(c.root, c.actionsDir)
	if err != nil {
		return err
	}
	refs := release.Refs(imgs)
	changed, err := release.Rewrite(c.root, c.actionsDir, files, refs)
	if err != nil {
		return err
	}
	// What prepare wrote must pass the check the tag will face.
	pins, err := release.FindPins(c.root, files)
	if err != nil {
		return err
	}
	if probs := release.Check(c.actionsDir, pins, refs); len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(stderr, p)
		}
		return fmt.Errorf("after rewriting: %w", errMismatch)
	}
	for _, img := range imgs {
		fmt.Fprintf(stdout, "%s %s\n", img.Gate, img.Ref)
	}
	toAdd := append([]string{release.FileName}, changed...)
	if !*commit {
		fmt.Fprintf(stdout, "next: git add %s && git commit -m %q && git tag %s\n", strings.Join(toAdd, " "), "release "+info.Version, info.Version)
		return nil
	}
	if out, err := git(ctx, c.root, append([]string{"add", "--"}, toAdd...)...); err != nil {
		return fmt.Errorf("git add: %w\n%s", err, out)
	}
	if out, err := git(ctx, c.root, append([]string{"commit", "-q", "-m", "release " + info.Version, "--"}, toAdd...)...); err != nil {
		return fmt.Errorf("git commit: %w\n%s", err, out)
	}
	head, err := git(ctx, c.root, "rev-parse", "HEAD")
	if err != nil {
		return fmt.Errorf("git rev-parse: %w\n%s", err, head)
	}
	fmt.Fprintf(stdout, "commit %s\nnext: git tag %s %s && git push origin %s\n", head, info.Version, head, info.Version)
	return nil
}

func check(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hub-release check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	push := fs.Bool("push", false, "after a clean check, push each index to <registry>/<owner>/hub/<gate>:<version>")
	digestsFile := fs.String("digests-file", "", "after a clean check, write the \"<gate> <ref>\" lines to `file`")
	getCommon := commonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := getCommon()
	if err != nil {
		return err
	}
	info, err := release.Read(c.root)
	if err != nil {
		return usageError{err.Error()}
	}
	imgs, err := release.Build(ctx, release.BuildOptions{Root: c.root, ActionsDir: c.actionsDir,
		Registry: c.registry, Owner: c.owner, Platforms: c.platforms, Info: info})
	if err != nil {
		return err
	}
	files, err := release.PinFiles(c.root, c.actionsDir)
	if err != nil {
		return err
	}
	pins, err := release.FindPins(c.root, files)
	if err != nil {
		return err
	}
	if probs := release.Check(c.actionsDir, pins, release.Refs(imgs)); len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("%d problem(s) in %d pin(s) of %s: %w", len(probs), len(pins), info.Version, errMismatch)
	}
	var lines strings.Builder
	for _, img := range imgs {
		fmt.Fprintf(&lines, "%s %s\n", img.Gate, img.Ref)
	}
	fmt.Fprint(stdout, lines.String())
	fmt.Fprintf(stdout, "ok: %d pins in %d files match the rebuild of %s\n", len(pins), len(files), info.Version)
	if *digestsFile != "" {
		if err := atomicfile.WriteFile(*digestsFile, []byte(lines.String()), 0o644); err != nil {
			return fmt.Errorf("--digests-file %q: %w", *digestsFile, err)
		}
	}
	if *push {
		auth := remote.WithAuthFromKeychain(authn.DefaultKeychain)
		for _, img := range imgs {
			if err := pushChecked(ctx, c, info.Version, img, auth); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "pushed %s\n", img.Ref)
		}
	}
	return nil
}

// pushChecked pushes one index by tag and checks that the registry serves
// the pinned digest.
func pushChecked(ctx context.Context, c common, version string, img release.Image, opts ...remote.Option) error {
	repo := image.Repository(c.registry, c.owner, img.Gate)
	pushed, err := image.Push(ctx, repo+":"+version, img.Index, opts...)
	if err != nil {
		return fmt.Errorf("pushing %s: %w", img.Gate, err)
	}
	ref, err := name.NewDigest(img.Ref, name.StrictValidation)
	if err != nil {
		return fmt.Errorf("pushing %s: %w", img.Gate, err)
	}
	desc, err := remote.Head(ref, append([]remote.Option{remote.WithContext(ctx)}, opts...)...)
	if err != nil {
		return fmt.Errorf("pushing %s: checking %s: %w", img.Gate, img.Ref, err)
	}
	if pushed.String() != ref.DigestStr() || desc.Digest.String() != ref.DigestStr() {
		return fmt.Errorf("pushing %s: pushed %s, registry serves %s, pinned %s", img.Gate, pushed, desc.Digest, ref.DigestStr())
	}
	return nil
}

// parseCreated reads Unix seconds or an RFC 3339 time.
func parseCreated(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("want RFC 3339 (2006-01-02T15:04:05Z) or Unix seconds")
	}
	return t.UTC(), nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}
