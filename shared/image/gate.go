package image

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// companions are the programs a gate runs beside its own binary, each
// built from a nested module of its own (a library that cannot share the
// gates' module graph) and installed at /<name> in the gate's image.
var companions = map[string][]struct{ name, module string }{
	// slsa-verifier v2.7.1 compiles only with sigstore-go v0.6.
	"verify-provenance": {{name: "slsa-verifier", module: "actions/verify-provenance/slsaverifier"}},
	// Kyverno's engine pulls a sigstore-go the gates' verification does
	// not build with.
	"kyverno-proof": {{name: "kyverno-proof-engine", module: "actions/kyverno-proof/engine"}},
}

// GateBuild says how to build one gate's image the way a release does.
type GateBuild struct {
	// Gate names the gate: its package is <Root>/<ActionsDir>/<Gate>.
	Gate string
	// Root is the module root; ActionsDir the folder of the gates in it
	// (empty means "actions").
	Root, ActionsDir string
	// OutDir receives the binaries, one folder per platform.
	OutDir string
	// Options are further image options (owner, revision, creation
	// time); BuildGate adds the platforms, the version and the binaries.
	Options []Option
	// Platforms to build for; empty means the host's.
	Platforms []string
	// Version is stamped into every binary.
	Version string
}

// BuildGate builds the gate's binary and its companion programs for every
// platform and assembles the image index from them, as the release does:
// tests that run a gate's image use it, so they run what is published. It
// also returns the gate binary's path for each platform (for SBOMs made
// from its build information).
func BuildGate(ctx context.Context, b GateBuild) (v1.ImageIndex, map[string]string, error) {
	actionsDir := b.ActionsDir
	if actionsDir == "" {
		actionsDir = "actions"
	}
	platforms := b.Platforms
	if len(platforms) == 0 {
		platforms = []string{HostPlatform()}
	}
	opts := append([]Option{WithPlatforms(platforms...), WithVersion(versionOr(b.Version))}, b.Options...)
	bins := map[string]string{}
	for _, p := range platforms {
		dir := filepath.Join(b.OutDir, platformDir(p))
		bin, err := BuildBinary(ctx, BinaryOptions{
			Gate: b.Gate, Package: "./" + actionsDir + "/" + b.Gate, Dir: b.Root,
			Platform: p, Version: b.Version, OutDir: dir,
		})
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, WithBinary(p, bin))
		bins[p] = bin
		for _, c := range companions[b.Gate] {
			cbin, err := BuildBinary(ctx, BinaryOptions{
				Gate: b.Gate, Name: c.name, Package: ".", Dir: filepath.Join(b.Root, filepath.FromSlash(c.module)),
				Platform: p, Version: b.Version, OutDir: dir,
			})
			if err != nil {
				return nil, nil, err
			}
			opts = append(opts, WithCompanion(p, cbin))
		}
	}
	o, err := NewOptions(b.Gate, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("gate %s: %w", b.Gate, err)
	}
	idx, err := Build(ctx, o)
	return idx, bins, err
}

// CompanionModules returns the nested modules whose programs the gate's
// image carries, relative to the module root, for tools that test or vet
// them.
func CompanionModules(gate string) []string {
	var out []string
	for _, c := range companions[gate] {
		out = append(out, c.module)
	}
	return out
}

func versionOr(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

// platformDir turns "linux/amd64" into "linux-amd64", a folder name.
func platformDir(p string) string { return strings.ReplaceAll(p, "/", "-") }
