package audit

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// actionRuntimes are the runs.using values GitHub runs. node12 and node16
// are deprecated but still accepted (the runner runs them on a newer Node),
// so they are not an invalid-workflow finding.
var actionRuntimes = []string{"composite", "docker", "node12", "node16", "node20", "node24"}

// parseAction parses action metadata with yaml.v3, keeping positions.
func parseAction(sf *sourceFile) *actionFile {
	a := &actionFile{sourceFile: sf}
	root, err := parseYAML(sf.src)
	if err != nil {
		p, msg := yamlErrorAt(sf.src, err)
		sf.addProblem(p, "yaml:"+msg, fmt.Sprintf("action metadata is not valid YAML: %s; fix the syntax", msg))
		return a
	}
	root = deref(root)
	if root == nil || (root.Kind == yaml.ScalarNode && root.Tag == "!!null") {
		sf.addProblem(pos{1, 1}, "empty", "action metadata file is empty; add \"name\", \"description\" and \"runs\"")
		return a
	}
	if root.Kind != yaml.MappingNode {
		sf.addProblem(nodePos(root), "root-not-mapping", "action metadata must be a mapping with \"name\", \"description\" and \"runs\"; fix the top level")
		return a
	}
	a.root = root
	rk, runs := mappingValue(root, "runs")
	if runs == nil {
		sf.addProblem(nodePos(root), "missing-runs", "action metadata has no \"runs\" section; add \"runs\" with \"using\" (composite, docker, node20 or node24)")
		return a
	}
	if runs.Kind != yaml.MappingNode {
		sf.addProblem(nodePos(runs), "runs-not-mapping", "section \"runs\" must be a mapping with \"using\"; fix the \"runs\" section")
		return a
	}
	_, using := mappingValue(runs, "using")
	a.using = scalarOf(using)
	if a.using == nil {
		sf.addProblem(nodePos(rk), "missing-using", "section \"runs\" has no \"using\"; set \"runs.using\" to composite, docker, node20 or node24")
		return a
	}
	u := strings.ToLower(a.using.value)
	known := false
	for _, r := range actionRuntimes {
		known = known || u == r
	}
	if !known {
		sf.addProblem(a.using.pos, "unknown-using:"+a.using.value, fmt.Sprintf("runtime %q in \"runs.using\" is not one GitHub knows; use composite, docker, node20 or node24", a.using.value))
		return a
	}
	switch u {
	case "composite":
		_, steps := mappingValue(runs, "steps")
		if steps == nil || steps.Kind != yaml.SequenceNode {
			sf.addProblem(a.using.pos, "missing-steps", "composite action has no \"runs.steps\" sequence; add the steps it runs")
			return a
		}
		for _, sn := range steps.Content {
			sn = deref(sn)
			_, un := mappingValue(sn, "uses")
			a.steps = append(a.steps, &step{uses: scalarOf(un), node: sn})
		}
	case "docker":
		_, img := mappingValue(runs, "image")
		a.image = scalarOf(img)
		if a.image == nil {
			sf.addProblem(a.using.pos, "missing-image", "docker action has no \"runs.image\"; set it to \"docker://<image>@sha256:<digest>\" or a Dockerfile path")
			return a
		}
		v := a.image.value
		if !strings.HasPrefix(v, "docker://") && !containsExpression(v) {
			df := path.Clean(path.Join(path.Dir(sf.path), v))
			if unsafeName(df) {
				sf.addProblem(a.image.pos, "unsafe-dockerfile:"+strconv.QuoteToASCII(v), fmt.Sprintf("runs.image %s names a file with a control character; name the Dockerfile in plain text", strconv.QuoteToASCII(v)))
				return a
			}
			if escapes(df) || path.IsAbs(v) {
				sf.addProblem(a.image.pos, "escaping-dockerfile:"+v, fmt.Sprintf("runs.image %q points outside the repository; use a Dockerfile path relative to the action, or \"docker://<image>@sha256:<digest>\"", v))
				return a
			}
			a.dockerfile = df
		}
	default: // node*
		if _, m := mappingValue(runs, "main"); scalarOf(m) == nil {
			sf.addProblem(a.using.pos, "missing-main", fmt.Sprintf("action with \"runs.using\" %q has no \"runs.main\"; set it to the script the action runs", a.using.value))
		}
	}
	return a
}
