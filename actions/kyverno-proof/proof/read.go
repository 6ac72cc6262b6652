package proof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
)

// maxPolicyFile bounds each policy file read.
const maxPolicyFile = 8 << 20

// readPolicies reads the Kyverno policies the patterns name: every
// ClusterPolicy and Policy document of kyverno.io; documents of other
// kinds are counted as skipped. A pattern that names nothing, a file that
// does not parse, or no policy at all is bad input.
func readPolicies(root *fsroot.Root, patterns []string) ([]policyDoc, []evidence.Artifact, int, error) {
	names, err := expand(root, patterns)
	if err != nil {
		return nil, nil, 0, err
	}
	var docs []policyDoc
	var read []evidence.Artifact
	skipped := 0
	for _, n := range names {
		src, err := root.ReadFile(n, maxPolicyFile)
		if err != nil {
			return nil, nil, 0, &gate.InputError{Input: inputPolicies, Value: n, Problem: fileProblem(err), Err: err}
		}
		read = append(read, evidence.Artifact{Path: n, Digest: digest.FromBytes(digest.SHA256, src).String(), Size: int64(len(src))})
		dec := yaml.NewDecoder(bytes.NewReader(src))
		for i := 1; ; i++ {
			var node yaml.Node
			err := dec.Decode(&node)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, nil, 0, &gate.InputError{Input: inputPolicies, Value: n, Problem: "does not parse: " + strings.TrimPrefix(err.Error(), "yaml: "), Err: err}
			}
			var obj map[string]any
			if err := node.Decode(&obj); err != nil || obj == nil {
				skipped++
				continue
			}
			kind, _ := obj["kind"].(string)
			api, _ := obj["apiVersion"].(string)
			if (kind != "ClusterPolicy" && kind != "Policy") || !strings.HasPrefix(api, "kyverno.io/") {
				skipped++
				continue
			}
			md, _ := obj["metadata"].(map[string]any)
			pname, _ := md["name"].(string)
			docs = append(docs, policyDoc{file: n, document: i, node: &node, object: obj, name: pname, kind: kind})
		}
	}
	if len(docs) == 0 {
		return nil, nil, 0, gate.BadInputf(inputPolicies, strings.Join(patterns, ","), "holds no Kyverno ClusterPolicy or Policy (kyverno.io)")
	}
	return docs, read, skipped, nil
}

// expand turns patterns into workspace file names, sorted and unique.
func expand(root *fsroot.Root, patterns []string) ([]string, error) {
	var out []string
	yamlFile := func(n string) bool {
		l := strings.ToLower(n)
		return strings.HasSuffix(l, ".yaml") || strings.HasSuffix(l, ".yml") || strings.HasSuffix(l, ".json")
	}
	for _, p := range patterns {
		clean := path.Clean(filepath.ToSlash(p))
		if filepath.IsAbs(p) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, gate.BadInputf(inputPolicies, p, "resolves outside the workspace")
		}
		before := len(out)
		if strings.ContainsAny(clean, `*?[{\`) {
			m, err := doublestar.Glob(root.FS(), clean, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
			if err != nil {
				return nil, gate.BadInputf(inputPolicies, p, "%v", err)
			}
			out = append(out, m...)
		} else {
			fi, err := root.Stat(clean)
			if err != nil {
				return nil, &gate.InputError{Input: inputPolicies, Value: p, Problem: fileProblem(err), Err: err}
			}
			if !fi.IsDir() {
				out = append(out, clean)
			} else if err := fs.WalkDir(root.FS(), clean, func(n string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() && yamlFile(n) {
					out = append(out, n)
				}
				return nil
			}); err != nil {
				return nil, fmt.Errorf("walking %q: %w", p, err)
			}
		}
		if len(out) == before {
			return nil, gate.BadInputf(inputPolicies, p, "matches no policy file")
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func fileProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.Is(err, fsroot.ErrEscapes):
		return "leads outside the workspace (through a symbolic link or \"..\")"
	case errors.Is(err, fsroot.ErrNotRegular):
		return "is not a regular file"
	case errors.Is(err, fsroot.ErrTooLarge):
		return fmt.Sprintf("is larger than %d MiB", maxPolicyFile>>20)
	}
	return err.Error()
}
