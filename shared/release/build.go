package release

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/hubgates/hub/shared/image"
)

// BuildOptions say what to rebuild.
type BuildOptions struct {
	// Root is the module root; ActionsDir the folder of the gates under it
	// (empty means "actions").
	Root, ActionsDir string
	// Gates to build; empty means every <ActionsDir>/<gate> with a main.go.
	Gates []string
	// Registry and Owner name the images; empty means ghcr.io and hubgates.
	Registry, Owner string
	// Platforms of every index; empty means image.DefaultPlatforms.
	Platforms []string
	// Info are the release inputs, normally [Read] from Root.
	Info Info
	// OutDir receives the binaries (<OutDir>/<gate>/linux-<arch>/); empty
	// means a temporary folder removed before Build returns.
	OutDir string
}

// Image is one rebuilt gate image.
type Image struct {
	Gate string
	// Ref is <registry>/<owner>/hub/<gate>@sha256:<hex>, the pin.
	Ref   string
	Index v1.ImageIndex
}

// Gates returns every gate under root/actionsDir: the folders with a
// main.go, sorted.
func Gates(root, actionsDir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(actionsDir)))
	if err != nil {
		return nil, fmt.Errorf("listing gates: %w", err)
	}
	var gates []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(actionsDir), e.Name(), "main.go")); err == nil {
			gates = append(gates, e.Name())
		}
	}
	if len(gates) == 0 {
		return nil, fmt.Errorf("listing gates: no %s/*/main.go", actionsDir)
	}
	return gates, nil
}

// Build rebuilds every gate's image index as the release does: the version
// and creation time come from o.Info only, and no revision label is set, so
// the digests do not depend on the commit that pins them. The indexes are
// held in memory (image.Build reads the binaries), so they outlive OutDir.
func Build(ctx context.Context, o BuildOptions) ([]Image, error) {
	if o.ActionsDir == "" {
		o.ActionsDir = "actions"
	}
	if o.Registry == "" {
		o.Registry = image.DefaultRegistry
	}
	if o.Owner == "" {
		o.Owner = image.DefaultOwner
	}
	if len(o.Platforms) == 0 {
		o.Platforms = slices.Clone(image.DefaultPlatforms)
	}
	if err := o.Info.Validate(); err != nil {
		return nil, err
	}
	gates := o.Gates
	if len(gates) == 0 {
		var err error
		if gates, err = Gates(o.Root, o.ActionsDir); err != nil {
			return nil, err
		}
	}
	out := o.OutDir
	if out == "" {
		tmp, err := os.MkdirTemp("", "hub-release-")
		if err != nil {
			return nil, fmt.Errorf("rebuilding: %w", err)
		}
		defer os.RemoveAll(tmp)
		out = tmp
	}
	var imgs []Image
	for _, g := range gates {
		idx, _, err := image.BuildGate(ctx, image.GateBuild{
			Gate: g, Root: o.Root, ActionsDir: o.ActionsDir, OutDir: filepath.Join(out, g),
			Platforms: o.Platforms, Version: o.Info.Version,
			Options: []image.Option{image.WithOwner(o.Owner), image.WithCreated(o.Info.Created)},
		})
		if err != nil {
			return nil, fmt.Errorf("rebuilding %s: %w", g, err)
		}
		d, err := idx.Digest()
		if err != nil {
			return nil, fmt.Errorf("rebuilding %s: %w", g, err)
		}
		imgs = append(imgs, Image{Gate: g, Ref: image.DigestRef(o.Registry, o.Owner, g, d), Index: idx})
	}
	return imgs, nil
}

// Refs maps each image's gate to its reference.
func Refs(imgs []Image) map[string]string {
	m := map[string]string{}
	for _, i := range imgs {
		m[i.Gate] = i.Ref
	}
	return m
}
