// Command hub-gen writes every gate's action.yml and README.md from the
// gate's Go declaration, so the three never disagree, and the root
// composite action.yml and the reusable workflows of .github/workflows
// (hub-pull-request.yml, hub-release.yml, hub-rekor-monitor.yml) from the
// declarations and the gates' image pins:
//
//	go run ./shared/cmd/hub-gen            # regenerate all gates
//	go run ./shared/cmd/hub-gen --check    # exit 1 if any file would change
//
// The image digest in action.yml is kept as committed; release tooling
// (go run ./shared/cmd/hub-image --rewrite) owns it. A new gate, which has
// no action.yml yet, gets the digest of its image built from the current
// tree by "go run ./shared/cmd/hub-image <gate>".
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hubgates/hub/actions"
	"github.com/hubgates/hub/shared/atomicfile"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("hub-gen", flag.ContinueOnError)
	fl.SetOutput(stderr)
	check := fl.Bool("check", false, "report files that differ from the declaration instead of writing them")
	root := fl.String("root", ".", "repository root")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	stale := 0
	for _, g := range actions.All() {
		img, err := imageFor(*root, g.Spec.Name)
		if err != nil {
			fmt.Fprintf(stderr, "hub-gen: %v\n", err)
			return 1
		}
		files, err := actions.Render(*root, g, img)
		if err != nil {
			fmt.Fprintf(stderr, "hub-gen: %v\n", err)
			return 1
		}
		dir := filepath.Join(*root, "actions", g.Spec.Name)
		for name, want := range map[string][]byte{"action.yml": files.ActionYML, "README.md": files.README} {
			path := filepath.Join(dir, name)
			got, _ := os.ReadFile(path)
			if bytes.Equal(got, want) {
				continue
			}
			stale++
			if *check {
				fmt.Fprintf(stdout, "stale: %s\n", path)
				continue
			}
			if err := atomicfile.WriteFile(path, want, 0o644); err != nil {
				fmt.Fprintf(stderr, "hub-gen: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "wrote %s\n", path)
		}
	}
	// The root action and the reusable workflows, from the declarations and
	// the image pins just checked or written.
	hub, err := actions.RenderHub(*root)
	if err != nil {
		fmt.Fprintf(stderr, "hub-gen: %v\n", err)
		return 1
	}
	for _, name := range slices.Sorted(maps.Keys(hub)) {
		path := filepath.Join(*root, filepath.FromSlash(name))
		got, _ := os.ReadFile(path)
		if bytes.Equal(got, hub[name]) {
			continue
		}
		stale++
		if *check {
			fmt.Fprintf(stdout, "stale: %s\n", path)
			continue
		}
		if err := atomicfile.WriteFile(path, hub[name], 0o644); err != nil {
			fmt.Fprintf(stderr, "hub-gen: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s\n", path)
	}
	if *check && stale > 0 {
		return 1
	}
	return 0
}

// imageFor returns "" (keep the committed image) for a gate that has an
// action.yml, and otherwise builds the gate's image to name it by digest.
func imageFor(root, gate string) (string, error) {
	if _, err := os.Stat(filepath.Join(root, "actions", gate, "action.yml")); err == nil {
		return "", nil
	}
	cmd := exec.Command("go", "run", "./shared/cmd/hub-image", gate)
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("building the image of new gate %s: %w", gate, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if name, ref, ok := strings.Cut(line, " "); ok && name == gate {
			return "docker://" + ref, nil
		}
	}
	return "", fmt.Errorf("building the image of new gate %s: hub-image printed no digest:\n%s", gate, out)
}
