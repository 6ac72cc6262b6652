package release

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ModulePath is the module whose root the release tools work in.
const ModulePath = "github.com/hubgates/hub"

// IsModuleRoot reports whether dir holds the go.mod of [ModulePath].
func IsModuleRoot(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "module" && strings.Trim(f[1], `"`) == ModulePath {
			return true
		}
	}
	return false
}

// FindModuleRoot walks up from the working directory to the root of
// [ModulePath].
func FindModuleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if IsModuleRoot(dir) {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod of module %s in %s or above", ModulePath, wd)
		}
	}
}
