package actions

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/gate"
)

// Files are the generated files of one gate.
type Files struct {
	ActionYML []byte // actions/<gate>/action.yml
	README    []byte // actions/<gate>/README.md
}

// Render produces a gate's action.yml and README.md from its declaration.
// root is the repository root. The image reference is kept from the
// committed action.yml (release tooling owns it) unless image is given; the
// README appends the gate's hand-written actions/<gate>/guide.md if present.
func Render(root string, g *gate.Gate, image string) (Files, error) {
	dir := filepath.Join(root, "actions", g.Spec.Name)
	if image == "" {
		var err error
		image, err = CommittedImage(filepath.Join(dir, "action.yml"))
		if err != nil {
			return Files{}, err
		}
	}
	a, err := g.Spec.ActionYAML(image)
	if err != nil {
		return Files{}, fmt.Errorf("rendering %s/action.yml: %w", g.Spec.Name, err)
	}
	guide, err := os.ReadFile(filepath.Join(dir, "guide.md"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Files{}, fmt.Errorf("reading %s/guide.md: %w", g.Spec.Name, err)
	}
	example, err := os.ReadFile(filepath.Join(dir, "example.sh"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Files{}, fmt.Errorf("reading %s/example.sh: %w", g.Spec.Name, err)
	}
	return Files{ActionYML: a, README: g.Spec.README(string(guide), string(example))}, nil
}

// CommittedImage reads runs.image from an action.yml.
func CommittedImage(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the image of %q: %w (a new gate takes --image on its first generation)", path, err)
	}
	var doc struct {
		Runs struct {
			Image string `yaml:"image"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return "", fmt.Errorf("parsing %q: %w", path, err)
	}
	if doc.Runs.Image == "" {
		return "", fmt.Errorf("%q has no runs.image", path)
	}
	return doc.Runs.Image, nil
}
