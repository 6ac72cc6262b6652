package actions

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestGeneratedFilesMatchDeclarations fails when a committed action.yml or
// README.md drifts from its gate's Go declaration: run
// "go run ./shared/cmd/hub-gen" to regenerate.
func TestGeneratedFilesMatchDeclarations(t *testing.T) {
	for _, g := range All() {
		t.Run(g.Spec.Name, func(t *testing.T) {
			if err := g.Spec.Validate(); err != nil {
				t.Fatal(err)
			}
			files, err := Render("..", g, "")
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range map[string][]byte{"action.yml": files.ActionYML, "README.md": files.README} {
				got, err := os.ReadFile(filepath.Join(g.Spec.Name, name))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("actions/%s/%s drifted from the declaration; run go run ./shared/cmd/hub-gen", g.Spec.Name, name)
				}
			}
		})
	}
}

var pinnedImage = regexp.MustCompile(`^docker://ghcr\.io/[a-z0-9-]+/hub/([a-z0-9-]+)@sha256:[0-9a-f]{64}$`)

// TestEveryGateImageIsPinned refuses an action.yml whose image is a tag or a
// Dockerfile: pinning the action's commit must pin the code that runs.
func TestEveryGateImageIsPinned(t *testing.T) {
	for _, g := range All() {
		img, err := CommittedImage(filepath.Join(g.Spec.Name, "action.yml"))
		if err != nil {
			t.Fatal(err)
		}
		m := pinnedImage.FindStringSubmatch(img)
		if m == nil || m[1] != g.Spec.Name {
			t.Errorf("%s: image %q is not docker://ghcr.io/<owner>/hub/%s@sha256:<digest>", g.Spec.Name, img, g.Spec.Name)
		}
	}
}

// TestEveryGateFolderIsCatalogued catches a gate folder nobody registered.
func TestEveryGateFolderIsCatalogued(t *testing.T) {
	known := map[string]bool{}
	for _, g := range All() {
		known[g.Spec.Name] = true
	}
	mains, _ := filepath.Glob("*/main.go")
	for _, m := range mains {
		if name := filepath.Dir(m); !known[name] {
			t.Errorf("actions/%s has a main.go but is not in actions.All", name)
		}
	}
	if len(mains) != len(known) {
		t.Errorf("%d gate folders, %d catalogued gates", len(mains), len(known))
	}
}
