package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/image"
	hubrelease "github.com/hubgates/hub/shared/release"
)

// modulePath is the module whose root hub-image looks for.
const modulePath = hubrelease.ModulePath

// Exit codes.
const (
	exitOK    = 0
	exitBuild = 1 // a build, write, push or rewrite failed
	exitUsage = 2 // bad flags or arguments
)

// config is the parsed command line.
type config struct {
	root       string
	actionsDir string
	gates      []string
	version    string
	revision   string
	registry   string
	owner      string
	platforms  []string
	created    time.Time
	ociLayout  string
	dockerTar  string
	dist       string
	push       bool
	rewrite    bool
	sbom       bool
}

// usageError is a problem with the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// run is the whole command: it parses args (without the program name),
// writes the result lines to stdout and messages to stderr, and returns the
// exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg, err := parseArgs(ctx, args, stderr, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "hub-image: %v\n", err)
		return exitUsage
	}
	if err := release(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "hub-image: %v\n", err)
		return exitBuild
	}
	return exitOK
}

func parseArgs(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("hub-image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		root       = fs.String("root", "", "module root `dir` (default: the enclosing directory whose go.mod is "+modulePath+")")
		actionsDir = fs.String("actions-dir", "actions", "`dir` under the root holding one directory per gate")
		version    = fs.String("version", "", "hub `version` stamped into the binaries, the version label and the tag (default: the version in release.json, else \"dev\")")
		revision   = fs.String("revision", "", "source `revision` label (default: none, so that the pinning commit rebuilds to its pins)")
		registry   = fs.String("registry", image.DefaultRegistry, "image `registry`")
		owner      = fs.String("owner", image.DefaultOwner, "GitHub `owner` of the hub repository, lower case")
		platforms  = fs.String("platforms", strings.Join(image.DefaultPlatforms, ","), "comma-separated `list` of platforms")
		created    = fs.String("created", "", "image creation `time`, RFC 3339 or Unix seconds (default: the created time in release.json, else $SOURCE_DATE_EPOCH, else 0)")
		ociLayout  = fs.String("oci-layout", "", "write each index as an OCI layout in `dir`/<gate>")
		dockerTar  = fs.String("docker-tar", "", "write `dir`/<gate>.tar for the host platform, for docker load")
		dist       = fs.String("dist", "", "keep the binaries as `dir`/linux-<arch>/<gate> (the layout the Dockerfile copies from)")
		push       = fs.Bool("push", false, "push each index to <registry>/<owner>/hub/<gate>:<version>")
		rewrite    = fs.Bool("rewrite", false, "point each <actions-dir>/<gate>/action.yml at its index by digest")
		sbom       = fs.Bool("sbom", false, sbomFlagUsage)
	)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./shared/cmd/hub-image [flags] [gate ...]\n\n"+
			"Builds the reproducible image index of each gate (default: every\n"+
			"<actions-dir>/*/ with a main.go) and prints\n"+
			"<gate> <registry>/<owner>/hub/<gate>@sha256:<digest> for each.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		// The flag package has printed the problem and the usage.
		return config{}, usagef("bad command line: %v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg := config{
		registry:  *registry,
		owner:     *owner,
		ociLayout: *ociLayout,
		dockerTar: *dockerTar,
		dist:      *dist,
		push:      *push,
		rewrite:   *rewrite,
		sbom:      *sbom,
	}

	// Root and gates.
	var err error
	if set["root"] {
		if *root == "" {
			return cfg, usagef("--root %q: empty", *root)
		}
		cfg.root, err = filepath.Abs(*root)
		if err != nil {
			return cfg, usagef("--root %q: %v", *root, err)
		}
		if !hubrelease.IsModuleRoot(cfg.root) {
			return cfg, usagef("--root %q: no go.mod of module %s there", *root, modulePath)
		}
	} else {
		cfg.root, err = hubrelease.FindModuleRoot()
		if err != nil {
			return cfg, usagef("%v; run inside the hub module or give --root", err)
		}
	}
	if *actionsDir == "" || filepath.IsAbs(*actionsDir) || strings.HasPrefix(filepath.Clean(*actionsDir), "..") {
		return cfg, usagef("--actions-dir %q: want a directory inside the module root", *actionsDir)
	}
	cfg.actionsDir = filepath.ToSlash(filepath.Clean(*actionsDir))
	cfg.gates, err = selectGates(cfg.root, cfg.actionsDir, fs.Args())
	if err != nil {
		return cfg, err
	}

	// Values.
	cfg.platforms, err = image.ParsePlatforms(*platforms)
	if err != nil {
		return cfg, usagef("--platforms %q: %v", *platforms, err)
	}
	if err := image.ValidateOwner(cfg.owner); err != nil {
		return cfg, usagef("--owner: %v", err)
	}
	if _, err := name.NewRegistry(cfg.registry, name.StrictValidation); err != nil || cfg.registry == "" || strings.Contains(cfg.registry, "/") {
		return cfg, usagef("--registry %q: want a registry host[:port], like %s", cfg.registry, image.DefaultRegistry)
	}

	// The release inputs come from the committed release.json, never from
	// the commit itself: the commit that writes the pins must rebuild to
	// the digests it pins.
	rel, relErr := hubrelease.Read(cfg.root)
	if relErr != nil && !errors.Is(relErr, hubrelease.ErrNoReleaseFile) {
		return cfg, usagef("%v", relErr)
	}
	hasRel := relErr == nil
	cfg.version = *version
	if !set["version"] {
		cfg.version = "dev"
		if hasRel {
			cfg.version = rel.Version
		}
	}
	if err := image.ValidateVersion(cfg.version); err != nil {
		return cfg, usagef("--version: %v", err)
	}
	cfg.revision = *revision
	if err := image.ValidateRevision(cfg.revision); err != nil {
		return cfg, usagef("--revision: %v", err)
	}

	switch {
	case set["created"]:
		cfg.created, err = parseCreated(*created)
		if err != nil {
			return cfg, usagef("--created %q: %v", *created, err)
		}
	case hasRel:
		// The committed input wins over the environment, so that a
		// builder's SOURCE_DATE_EPOCH cannot change a release's digests.
		cfg.created = rel.Created
	case getenv("SOURCE_DATE_EPOCH") != "":
		cfg.created, err = parseCreated(getenv("SOURCE_DATE_EPOCH"))
		if err != nil {
			return cfg, usagef("SOURCE_DATE_EPOCH %q: %v", getenv("SOURCE_DATE_EPOCH"), err)
		}
	default:
		cfg.created = time.Unix(0, 0).UTC()
	}

	for _, d := range []struct{ flag, val string }{{"oci-layout", cfg.ociLayout}, {"docker-tar", cfg.dockerTar}, {"dist", cfg.dist}} {
		if set[d.flag] && d.val == "" {
			return cfg, usagef("--%s %q: empty directory", d.flag, d.val)
		}
	}
	if cfg.dockerTar != "" && !slices.Contains(cfg.platforms, image.HostPlatform()) {
		return cfg, usagef("--docker-tar %q: the host platform %s is not among --platforms %q", cfg.dockerTar, image.HostPlatform(), *platforms)
	}
	return cfg, nil
}

// parseCreated reads Unix seconds or an RFC 3339 time.
func parseCreated(s string) (time.Time, error) {
	var t time.Time
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		t = time.Unix(n, 0)
	} else if t, err = time.Parse(time.RFC3339, s); err != nil {
		return time.Time{}, errors.New("want RFC 3339 (2006-01-02T15:04:05Z) or Unix seconds")
	}
	if err := image.ValidateCreated(t); err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// selectGates returns the gates named on the command line, or every
// directory under actionsDir with a main.go, sorted.
func selectGates(root, actionsDir string, args []string) ([]string, error) {
	dir := filepath.Join(root, filepath.FromSlash(actionsDir))
	if len(args) == 0 {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, usagef("--actions-dir %q: %v", actionsDir, err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, e.Name(), "main.go")); err == nil {
				args = append(args, e.Name())
			}
		}
		if len(args) == 0 {
			return nil, usagef("--actions-dir %q: no gate (no %s/*/main.go)", actionsDir, actionsDir)
		}
	}
	seen := map[string]bool{}
	var gates []string
	for _, g := range args {
		if err := image.ValidateGate(g); err != nil {
			return nil, usagef("gate %q: %v", g, err)
		}
		if _, err := os.Stat(filepath.Join(dir, g, "main.go")); err != nil {
			return nil, usagef("gate %q: no %s/%s/main.go", g, actionsDir, g)
		}
		if !seen[g] {
			seen[g] = true
			gates = append(gates, g)
		}
	}
	slices.Sort(gates)
	return gates, nil
}

// release builds and stores the index of every gate in turn, stopping at
// the first failure.
func release(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	if cfg.rewrite || cfg.push {
		if dirty := gitOutput(ctx, cfg.root, "status", "--porcelain", "--untracked-files=no"); dirty != "" {
			fmt.Fprintf(stderr, "hub-image: warning: the work tree has uncommitted changes; the images are not those of %s\n", cfg.version)
		}
	}
	tmp, err := os.MkdirTemp("", "hub-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, gate := range cfg.gates {
		line, err := releaseGate(ctx, cfg, gate, tmp)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, line)
	}
	return nil
}

func releaseGate(ctx context.Context, cfg config, gate, tmp string) (string, error) {
	outDir := filepath.Join(tmp, gate)
	if cfg.dist != "" {
		outDir = cfg.dist
	}
	idx, bins, err := image.BuildGate(ctx, image.GateBuild{
		Gate: gate, Root: cfg.root, ActionsDir: cfg.actionsDir, OutDir: outDir,
		Platforms: cfg.platforms, Version: cfg.version,
		Options: []image.Option{image.WithRevision(cfg.revision), image.WithOwner(cfg.owner), image.WithCreated(cfg.created)},
	})
	if err != nil {
		return "", err
	}
	digest, err := idx.Digest()
	if err != nil {
		return "", fmt.Errorf("gate %s: %w", gate, err)
	}
	repo := image.Repository(cfg.registry, cfg.owner, gate)
	digestRef := image.DigestRef(cfg.registry, cfg.owner, gate, digest)
	var sbomRefs []image.Referrer
	if cfg.sbom {
		if sbomRefs, err = gateSBOMs(cfg, gate, idx, bins); err != nil {
			return "", err
		}
	}

	if cfg.ociLayout != "" {
		if err := image.WriteLayout(filepath.Join(cfg.ociLayout, gate), idx); err != nil {
			return "", fmt.Errorf("gate %s: %w", gate, err)
		}
		if err := image.WriteLayoutReferrers(filepath.Join(cfg.ociLayout, gate), sbomRefs); err != nil {
			return "", fmt.Errorf("gate %s: %w", gate, err)
		}
	}
	if cfg.dockerTar != "" {
		if err := os.MkdirAll(cfg.dockerTar, 0o755); err != nil {
			return "", fmt.Errorf("gate %s: %w", gate, err)
		}
		path := filepath.Join(cfg.dockerTar, gate+".tar")
		if err := image.WriteDockerTarball(path, idx, image.HostPlatform(), repo+":"+cfg.version); err != nil {
			return "", fmt.Errorf("gate %s: %w", gate, err)
		}
	}
	if cfg.push {
		auth := remote.WithAuthFromKeychain(authn.DefaultKeychain)
		pushed, err := image.Push(ctx, repo+":"+cfg.version, idx, auth)
		if err != nil {
			return "", fmt.Errorf("gate %s: %w", gate, err)
		}
		// The registry must serve the index by digest too.
		ref, err := name.NewDigest(digestRef, name.StrictValidation)
		if err != nil {
			return "", fmt.Errorf("gate %s: %w", gate, err)
		}
		desc, err := remote.Head(ref, remote.WithContext(ctx), auth)
		if err != nil {
			return "", fmt.Errorf("gate %s: check %s: %w", gate, digestRef, err)
		}
		if pushed != digest || desc.Digest != digest {
			return "", fmt.Errorf("gate %s: pushed %s, registry serves %s, built %s", gate, pushed, desc.Digest, digest)
		}
		if err := image.PushReferrers(ctx, repo, sbomRefs, auth); err != nil {
			return "", fmt.Errorf("gate %s: %w", gate, err)
		}
	}
	if cfg.rewrite {
		path := filepath.Join(cfg.root, filepath.FromSlash(cfg.actionsDir), gate, "action.yml")
		if _, err := image.RewriteActionFile(path, digestRef); err != nil {
			return "", fmt.Errorf("gate %s: %w", gate, err)
		}
	}
	return gate + " " + digestRef, nil
}

// platformDir is the dist directory of a platform: linux/arm64 ->
// linux-arm64, linux/arm/v7 -> linux-arm-v7 (TARGETARCH in the Dockerfile).
func platformDir(p string) string {
	return strings.ReplaceAll(p, "/", "-")
}

// gitOutput runs git in dir and returns its trimmed output, or "" if git is
// missing or fails.
func gitOutput(ctx context.Context, dir string, args ...string) string {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return ""
	}
	return strings.TrimSpace(out.String())
}
