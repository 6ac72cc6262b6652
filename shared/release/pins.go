package release

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hubgates/hub/shared/atomicfile"
	"github.com/hubgates/hub/shared/image"
)

// Pin is one docker:// reference to a hub gate image by digest.
type Pin struct {
	// File is the path relative to the repository root, with slashes.
	File string
	// Line is 1-based.
	Line int
	// Gate is the last component of the repository: <registry>/<owner>/hub/<Gate>.
	Gate string
	// Ref is the reference without docker://: <registry>/<owner>/hub/<gate>@sha256:<hex>.
	Ref string
}

func (p Pin) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Ref) }

// pinRE matches a hub gate image pinned by digest, in any YAML quoting.
var pinRE = regexp.MustCompile(`docker://([A-Za-z0-9.:-]+)/([a-z0-9-]+)/hub/([a-z0-9][a-z0-9._-]*)@(sha256:[0-9a-f]{64})`)

// PinFiles returns the files of root that carry image pins, relative to
// root with slashes and sorted: every <actionsDir>/<gate>/action.yml, the
// root action.yml, and the YAML files of .github/workflows and workflows.
func PinFiles(root, actionsDir string) ([]string, error) {
	var out []string
	for _, pattern := range []string{actionsDir + "/*/action.yml", "action.yml", ".github/workflows/*.yml", ".github/workflows/*.yaml", "workflows/*.yml", "workflows/*.yaml"} {
		matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", pattern, err)
		}
		for _, m := range matches {
			rel, err := filepath.Rel(root, m)
			if err != nil {
				return nil, err
			}
			out = append(out, filepath.ToSlash(rel))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// FindPins returns every hub gate image pin in files (relative to root), in
// file and line order.
func FindPins(root string, files []string) ([]Pin, error) {
	var pins []Pin
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return nil, fmt.Errorf("reading pins: %w", err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range pinRE.FindAllStringSubmatch(line, -1) {
				pins = append(pins, Pin{File: f, Line: i + 1, Gate: m[3], Ref: strings.TrimPrefix(m[0], "docker://")})
			}
		}
	}
	return pins, nil
}

// Rewrite points every pin in files (relative to root) at the reference
// refs holds for its gate (<registry>/<owner>/hub/<gate>@sha256:<hex>). A
// gate's own action.yml is rewritten by [image.RewriteActionFile], which
// changes nothing but runs.image; elsewhere only the reference text
// changes. Pins of gates refs does not hold are left for [Check] to report.
// It returns the files it changed.
func Rewrite(root, actionsDir string, files []string, refs map[string]string) ([]string, error) {
	var changed []string
	for _, f := range files {
		path := filepath.Join(root, filepath.FromSlash(f))
		if gate, ok := gateActionFile(actionsDir, f); ok {
			ref, ok := refs[gate]
			if !ok {
				continue
			}
			did, err := image.RewriteActionFile(path, ref)
			if err != nil {
				return changed, fmt.Errorf("pinning %s: %w", f, err)
			}
			if did {
				changed = append(changed, f)
			}
			continue
		}
		old, err := os.ReadFile(path)
		if err != nil {
			return changed, fmt.Errorf("pinning %s: %w", f, err)
		}
		out := pinRE.ReplaceAllFunc(old, func(m []byte) []byte {
			sub := pinRE.FindSubmatch(m)
			if ref, ok := refs[string(sub[3])]; ok {
				return []byte("docker://" + ref)
			}
			return m
		})
		if bytes.Equal(old, out) {
			continue
		}
		fi, err := os.Stat(path)
		if err != nil {
			return changed, fmt.Errorf("pinning %s: %w", f, err)
		}
		if err := atomicfile.WriteFile(path, out, fi.Mode().Perm()); err != nil {
			return changed, fmt.Errorf("pinning %s: %w", f, err)
		}
		changed = append(changed, f)
	}
	return changed, nil
}

// gateActionFile reports whether f is <actionsDir>/<gate>/action.yml.
func gateActionFile(actionsDir, f string) (string, bool) {
	rest, ok := strings.CutPrefix(f, actionsDir+"/")
	if !ok {
		return "", false
	}
	gate, file, ok := strings.Cut(rest, "/")
	return gate, ok && file == "action.yml"
}

// Problem is one way a commit's pins differ from its rebuild.
type Problem struct {
	Pin  Pin    // the pin at fault; for a missing pin only File and Gate are set
	Want string // the rebuilt reference, empty when no gate of that name was built
	Msg  string
}

func (p Problem) String() string {
	if p.Pin.Line == 0 {
		return fmt.Sprintf("%s: %s", p.Pin.File, p.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", p.Pin.File, p.Pin.Line, p.Msg)
}

// Check compares pins with the rebuilt references (gate -> reference
// without docker://). It reports every pin that names another digest,
// registry or owner than the rebuild, every pin of a gate that was not
// rebuilt, and every rebuilt gate whose own action.yml pins nothing. No
// problem means the commit rebuilds to exactly what it pins.
func Check(actionsDir string, pins []Pin, built map[string]string) []Problem {
	var probs []Problem
	own := map[string]bool{}
	for _, p := range pins {
		if g, ok := gateActionFile(actionsDir, p.File); ok && g == p.Gate {
			own[g] = true
		}
		want, ok := built[p.Gate]
		switch {
		case !ok:
			probs = append(probs, Problem{Pin: p, Msg: fmt.Sprintf("pins %s, but no gate %q was rebuilt", p.Ref, p.Gate)})
		case want != p.Ref:
			probs = append(probs, Problem{Pin: p, Want: want, Msg: fmt.Sprintf("stale pin: pins %s, the rebuild is %s", p.Ref, want)})
		}
	}
	for _, g := range slices.Sorted(maps.Keys(built)) {
		if !own[g] {
			f := actionsDir + "/" + g + "/action.yml"
			probs = append(probs, Problem{Pin: Pin{File: f, Gate: g}, Want: built[g], Msg: fmt.Sprintf("no pin of gate %s; the rebuild is %s", g, built[g])})
		}
	}
	return probs
}
