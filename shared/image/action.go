package image

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/google/go-containerregistry/pkg/name"
	"gopkg.in/yaml.v3"
)

// defaultActionName is how errors of RewriteActionImage name the file it was given.
const defaultActionName = "action.yml"

// RewriteActionImage returns actionYML with the value of runs.image replaced
// by "docker://<ref>", where ref is a digest reference such as
// ghcr.io/hubgates/hub/<gate>@sha256:<hex> (a leading "docker://" on ref is
// accepted). Only the bytes of that scalar change: comments, key order,
// quoting style, indentation and line endings stay as they were. The result
// is parsed again and must equal the input except for runs.image.
//
// It is an error, naming action.yml, when the file does not parse, has no
// runs.image, has runs.using other than "docker", or has an image value that
// is not a single-line scalar (block scalars, aliases and tags are not
// rewritten).
func RewriteActionImage(actionYML []byte, ref string) ([]byte, error) {
	return rewriteAction(actionYML, ref, defaultActionName)
}

func rewriteAction(actionYML []byte, ref, actionName string) ([]byte, error) {
	ref = strings.TrimPrefix(ref, "docker://")
	if _, err := name.NewDigest(ref, name.StrictValidation); err != nil {
		return nil, fmt.Errorf("%s: image reference %q is not a digest reference: %w", actionName, ref, err)
	}
	newValue := "docker://" + ref

	var doc yaml.Node
	if err := yaml.Unmarshal(actionYML, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", actionName, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a YAML mapping", actionName)
	}
	runs := mappingValue(doc.Content[0], "runs")
	if runs == nil {
		return nil, fmt.Errorf("%s: no runs section", actionName)
	}
	if runs.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: line %d: runs is not a mapping", actionName, runs.Line)
	}
	using := mappingValue(runs, "using")
	if using == nil {
		return nil, fmt.Errorf("%s: no runs.using", actionName)
	}
	if using.Kind != yaml.ScalarNode || using.Value != "docker" {
		return nil, fmt.Errorf("%s: line %d: runs.using is %q, not \"docker\": only container actions have an image", actionName, using.Line, using.Value)
	}
	img := mappingValue(runs, "image")
	if img == nil {
		return nil, fmt.Errorf("%s: no runs.image", actionName)
	}
	if img.Kind != yaml.ScalarNode || img.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) != 0 || img.Tag != "!!str" {
		return nil, fmt.Errorf("%s: line %d: runs.image is not a plain or quoted string on one line", actionName, img.Line)
	}

	start, end, err := scalarSpan(actionYML, img, runs.Style&yaml.FlowStyle != 0)
	if err != nil {
		return nil, fmt.Errorf("%s: line %d: runs.image: %w", actionName, img.Line, err)
	}
	replacement := newValue
	switch {
	case img.Style&yaml.DoubleQuotedStyle != 0:
		replacement = `"` + newValue + `"`
	case img.Style&yaml.SingleQuotedStyle != 0:
		replacement = `'` + newValue + `'`
	case runs.Style&yaml.FlowStyle != 0:
		// A plain scalar with ':' is not safe in a flow mapping.
		replacement = `"` + newValue + `"`
	}
	out := make([]byte, 0, len(actionYML)+len(replacement))
	out = append(out, actionYML[:start]...)
	out = append(out, replacement...)
	out = append(out, actionYML[end:]...)

	if err := checkRewrite(actionYML, out, newValue); err != nil {
		return nil, fmt.Errorf("%s: rewriting runs.image: %w", actionName, err)
	}
	return out, nil
}

// RewriteActionFile rewrites the runs.image line of the action.yml at path
// (see RewriteActionImage) and replaces the file atomically, keeping its
// mode. It reports whether the file changed.
func RewriteActionFile(path, ref string) (changed bool, err error) {
	old, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("rewrite action image: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("rewrite action image: %w", err)
	}
	out, err := rewriteAction(old, ref, path)
	if err != nil {
		return false, err
	}
	if bytes.Equal(old, out) {
		return false, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(out); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Chmod(fi.Mode().Perm()); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

// mappingValue returns the value node of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// scalarSpan returns the byte offsets of the source text of the single-line
// scalar n (quotes included) in src.
func scalarSpan(src []byte, n *yaml.Node, flow bool) (start, end int, err error) {
	// Find the start of line n.Line (1-based).
	lineStart := 0
	for l := 1; l < n.Line; l++ {
		i := bytes.IndexByte(src[lineStart:], '\n')
		if i < 0 {
			return 0, 0, errors.New("line out of range")
		}
		lineStart += i + 1
	}
	lineEnd := len(src)
	if i := bytes.IndexByte(src[lineStart:], '\n'); i >= 0 {
		lineEnd = lineStart + i
	}
	line := src[lineStart:lineEnd]
	// n.Column is 1-based and counts characters, not bytes.
	off := 0
	for c := 1; c < n.Column; c++ {
		if off >= len(line) {
			return 0, 0, errors.New("column out of range")
		}
		_, size := utf8.DecodeRune(line[off:])
		off += size
	}
	rest := line[off:]
	if len(rest) == 0 {
		return 0, 0, errors.New("no value on the key's line")
	}
	var n2 int
	switch rest[0] {
	case '"':
		n2 = -1
		for i := 1; i < len(rest); i++ {
			if rest[i] == '\\' {
				i++
				continue
			}
			if rest[i] == '"' {
				n2 = i + 1
				break
			}
		}
	case '\'':
		n2 = -1
		for i := 1; i < len(rest); i++ {
			if rest[i] == '\'' {
				if i+1 < len(rest) && rest[i+1] == '\'' {
					i++
					continue
				}
				n2 = i + 1
				break
			}
		}
	default:
		n2 = len(rest)
		for i := 0; i < len(rest); i++ {
			if rest[i] == '#' && i > 0 && (rest[i-1] == ' ' || rest[i-1] == '\t') {
				n2 = i
				break
			}
			if flow && (rest[i] == ',' || rest[i] == '}' || rest[i] == ']') {
				n2 = i
				break
			}
		}
		for n2 > 0 && (rest[n2-1] == ' ' || rest[n2-1] == '\t' || rest[n2-1] == '\r') {
			n2--
		}
	}
	if n2 <= 0 {
		return 0, 0, errors.New("the value continues on the next line")
	}
	start = lineStart + off
	end = start + n2
	// The text found must be the whole scalar: a plain scalar continued on
	// the next line would parse to more than we saw.
	var check string
	if err := yaml.Unmarshal(src[start:end], &check); err != nil || check != n.Value {
		return 0, 0, errors.New("the value is not a single-line scalar")
	}
	return start, end, nil
}

// checkRewrite parses old and new and requires that they differ only in
// runs.image, which must be want in new.
func checkRewrite(old, new []byte, want string) error {
	var a, b map[string]any
	if err := yaml.Unmarshal(old, &a); err != nil {
		return err
	}
	if err := yaml.Unmarshal(new, &b); err != nil {
		return err
	}
	runs, ok := b["runs"].(map[string]any)
	if !ok || runs["image"] != want {
		return fmt.Errorf("the result has runs.image %v, want %q", runs["image"], want)
	}
	if oldRuns, ok := a["runs"].(map[string]any); ok {
		oldRuns["image"] = want
	}
	if !reflect.DeepEqual(a, b) {
		return errors.New("the result differs in more than runs.image")
	}
	return nil
}

// ActionInputDefaults returns the inputs an action.yml declares with a
// default, and those defaults: what the runner passes as INPUT_<NAME> for
// every input a step's "with:" leaves out.
func ActionInputDefaults(actionYML []byte) (map[string]string, error) {
	var meta struct {
		Inputs map[string]struct {
			Default *string `yaml:"default"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(actionYML, &meta); err != nil {
		return nil, fmt.Errorf("%s: %w", defaultActionName, err)
	}
	out := map[string]string{}
	for name, in := range meta.Inputs {
		if in.Default != nil {
			out[name] = *in.Default
		}
	}
	return out, nil
}
