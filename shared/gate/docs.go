package gate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// GeneratedHeader starts every generated action.yml; the drift test and the
// generator recognise files by it.
const GeneratedHeader = "# Generated from the gate's Go declaration by `go run ./shared/cmd/hub-gen`; do not edit.\n" +
	"# The image digest is rewritten at release by `go run ./shared/cmd/hub-image --rewrite`.\n"

// ActionYAML renders the gate's action.yml: metadata, every input and output
// from the declaration, and a Docker runs section naming image, which must
// be a docker:// reference pinned by digest.
func (s *Spec) ActionYAML(image string) ([]byte, error) {
	if !strings.HasPrefix(image, "docker://") || !strings.Contains(image, "@sha256:") {
		return nil, fmt.Errorf("action image %q: want docker://<registry>/<repo>@sha256:<digest>", image)
	}
	var b strings.Builder
	b.WriteString(GeneratedHeader)
	fmt.Fprintf(&b, "name: %s\n", yamlString("hub "+s.Name))
	fmt.Fprintf(&b, "description: %s\n", yamlString(firstSentence(s.Description)))
	b.WriteString("author: hubgates\n")
	b.WriteString("branding:\n  icon: shield\n  color: blue\n")
	b.WriteString("inputs:\n")
	for _, in := range s.AllInputs() {
		fmt.Fprintf(&b, "  %s:\n", in.Name)
		fmt.Fprintf(&b, "    description: %s\n", yamlString(inputDoc(in)))
		fmt.Fprintf(&b, "    required: %t\n", in.Required)
		if in.Default != "" {
			fmt.Fprintf(&b, "    default: %s\n", yamlString(in.Default))
		}
	}
	b.WriteString("outputs:\n")
	for _, o := range s.AllOutputs() {
		fmt.Fprintf(&b, "  %s:\n    description: %s\n", o.Name, yamlString(o.Description))
	}
	b.WriteString("runs:\n  using: docker\n")
	fmt.Fprintf(&b, "  image: %s\n", image)
	return []byte(b.String()), nil
}

// InputDoc is the description action.yml gives an input: its declared
// text plus its format. The root action and the reusable workflows repeat
// it for the inputs they pass to a gate unchanged.
func InputDoc(in Input) string { return inputDoc(in) }

// inputDoc is the description action.yml carries: the declaration's text
// plus its kind, so a reader of the marketplace page knows the format.
func inputDoc(in Input) string {
	d := strings.TrimSpace(in.Description)
	switch in.Kind {
	case Enum:
		d += " One of: " + strings.Join(in.Values, ", ") + "."
	case List:
		d += " A list: one item per line, or comma-separated."
	case Bool:
		d += " true or false."
	case Duration:
		d += " A duration such as 90s or 5m."
	case Secret:
		d += " Secret: masked in logs, redacted from evidence."
	}
	return d
}

// yamlString quotes s as a YAML double-quoted scalar; JSON string escapes
// are valid there.
func yamlString(s string) string { return strconv.Quote(s) }

func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// README renders the gate's README.md: what it does, a pinned usage
// snippet, inputs, outputs, rules with anchors, exit codes and how to run it
// locally, followed by the gate's own guide.
func (s *Spec) README(guide, example string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- Generated from the gate's Go declaration by `go run ./shared/cmd/hub-gen`; edit the declaration or guide.md, not this file. -->\n")
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", s.Name, strings.Join(strings.Fields(s.Description), " "))
	b.WriteString("## Usage\n\nPin the action to a full commit SHA; its action.yml pins the image by digest, so the SHA pins the code that runs.\n\n")
	b.WriteString("```yaml\n")
	fmt.Fprintf(&b, "- uses: hubgates/hub/actions/%s@<40-hex commit sha> # vX.Y.Z\n", s.Name)
	var with []Input
	for _, in := range s.Inputs {
		if in.Required {
			with = append(with, in)
		}
	}
	if len(with) > 0 {
		b.WriteString("  with:\n")
		for _, in := range with {
			fmt.Fprintf(&b, "    %s: ...\n", in.Name)
		}
	}
	b.WriteString("```\n\n")
	fmt.Fprintf(&b, "Locally, from a checkout of hub: `go run ./actions/%s --help`, then `go run ./actions/%s --<input>=<value>` in the repository to check.\n\n", s.Name, s.Name)
	if body := exampleBody(example); body != "" {
		fmt.Fprintf(&b, "## Try it locally\n\nFrom a clone of hub, with Go installed (these are the lines of [example.sh](example.sh), which the test suite runs as written; `# exit N` says what each gate run exits with):\n\n```sh\n%s```\n\n", body)
	}
	b.WriteString("## Inputs\n\n| Input | Kind | Required | Default | Description |\n|---|---|---|---|---|\n")
	for _, in := range s.AllInputs() {
		kind := in.Kind.String()
		if in.Kind == Enum {
			kind = strings.Join(in.Values, " \\| ")
		}
		def := ""
		if in.Default != "" {
			def = "`" + strings.ReplaceAll(in.Default, "\n", "`<br>`") + "`"
		}
		req := "no"
		if in.Required {
			req = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", in.Name, kind, req, def, docCell(in.Description))
	}
	b.WriteString("\n## Outputs\n\n| Output | Description |\n|---|---|\n")
	for _, o := range s.AllOutputs() {
		fmt.Fprintf(&b, "| `%s` | %s |\n", o.Name, docCell(o.Description))
	}
	if len(s.Rules) > 0 {
		b.WriteString("\n## Rules\n\n| Rule | Severity | Summary |\n|---|---|---|\n")
		for _, r := range s.Rules {
			fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", r.ID, r.ID, r.Severity, docCell(r.Summary))
		}
		for _, r := range s.Rules {
			writeRuleDoc(&b, r)
		}
	}
	b.WriteString("\n## Exit codes\n\n| Code | Meaning |\n|---|---|\n")
	b.WriteString("| 0 | passed (or denied in `mode: warn`) |\n| 1 | denied: the gate found what it guards against |\n")
	b.WriteString("| 2 | bad input or configuration; the message names the input and its value |\n| 3 | could not decide: I/O, network, timeout, cancellation or an internal error |\n")
	if g := strings.TrimSpace(guide); g != "" {
		b.WriteString("\n" + g + "\n")
	}
	return []byte(b.String())
}

func writeRuleDoc(b *strings.Builder, r finding.Rule) {
	fmt.Fprintf(b, "\n### %s\n\nSeverity: **%s**. %s\n\n%s\n", r.ID, r.Severity, strings.TrimSpace(r.Summary), strings.TrimSpace(r.Help))
}

// docCell makes a declaration's text (trusted, and allowed its inline
// code) fit a Markdown table cell of the generated README.
func docCell(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", "<br>")
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]").Replace(strings.ReplaceAll(s, "|", "\\|"))
}

// exampleBody is a gate's example.sh as the README shows it: without the
// interpreter line and the script's own set-up comments (the lines before
// the first blank one).
func exampleBody(script string) string {
	if script == "" {
		return ""
	}
	_, body, found := strings.Cut(script, "\n\n")
	if !found {
		body = script
	}
	return strings.TrimLeft(body, "\n")
}
