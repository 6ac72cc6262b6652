package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Extra is a second binary shipped in a gate's image beside /gate: a
// program the gate runs, built from a Go module of its own when its
// dependencies cannot share hub's module graph.
type Extra struct {
	// Path is where the binary lies in the image: "/" and a gate-like name.
	Path string
	// Binaries maps every platform of the image to the binary built for it.
	Binaries map[string]string
}

// NestedModules returns the folders directly under gateDir that hold a
// go.mod of their own, sorted: each is built as an extra binary of the
// gate's image (see [ExtraPath]). Root "go test ./..." does not descend
// into them; CI tests them on their own.
func NestedModules(gateDir string) ([]string, error) {
	entries, err := os.ReadDir(gateDir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(gateDir, e.Name(), "go.mod")); err == nil {
			out = append(out, e.Name())
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	slices.Sort(out)
	return out, nil
}

// ExtraPath is where the image keeps the binary of a gate's nested module
// dir: /<gate>-<dir> (kyverno-proof's engine is /kyverno-proof-engine).
func ExtraPath(gate, dir string) string { return "/" + gate + "-" + dir }

// BuildExtras builds every nested module of gateDir (the gate's folder)
// for one platform, as BuildBinary builds the gate, and returns each
// binary by its path in the image.
func BuildExtras(ctx context.Context, gate, gateDir string, opts BinaryOptions) (map[string]string, error) {
	dirs, err := NestedModules(gateDir)
	if err != nil {
		return nil, fmt.Errorf("gate %s: nested modules: %w", gate, err)
	}
	out := map[string]string{}
	for _, d := range dirs {
		o := opts
		o.Gate = strings.TrimPrefix(ExtraPath(gate, d), "/")
		o.Dir = filepath.Join(gateDir, d)
		o.Package = "."
		bin, err := BuildBinary(ctx, o)
		if err != nil {
			return nil, err
		}
		out[ExtraPath(gate, d)] = bin
	}
	return out, nil
}

// WithExtra adds a second binary at path (see [Extra]); Build checks that
// it has a binary for every platform.
func WithExtra(path string, binaries map[string]string) Option {
	return func(o *Options) error {
		name := strings.TrimPrefix(path, "/")
		if !strings.HasPrefix(path, "/") || ValidateGate(name) != nil || name == Entrypoint[1:] || name == "tmp" {
			return fmt.Errorf("extra binary path %q: want /<name> in lower case, not /gate or /tmp", path)
		}
		for p, b := range binaries {
			if _, err := lookupPlatform(p); err != nil {
				return err
			}
			if b == "" {
				return fmt.Errorf("extra binary %s: empty path for platform %s", path, p)
			}
		}
		o.Extras = append(o.Extras, Extra{Path: path, Binaries: binaries})
		return nil
	}
}
