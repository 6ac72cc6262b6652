package actions

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/gate"
)

// HubHeader opens every file RenderHub writes.
const HubHeader = "# Generated from the gate declarations by `go run ./shared/cmd/hub-gen`; do not edit.\n" +
	"# The gate image digests are those of actions/<gate>/action.yml, which\n" +
	"# `go run ./shared/cmd/hub-release prepare` rewrites at release.\n"

// The actions of others that the generated workflows use, pinned by commit.
const (
	checkoutAction     = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
	uploadAction       = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2"
	downloadAction     = "actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8"
	cacheRestoreAction = "actions/cache/restore@5a3ec84eff668545956fd18022155c47e93e2684 # v4.2.3"
	cacheSaveAction    = "actions/cache/save@5a3ec84eff668545956fd18022155c47e93e2684 # v4.2.3"
)

// The runner that the generated jobs run on: container actions need Linux.
const hubRunner = "ubuntu-24.04"

// hubInput is an input of the root action or of a reusable workflow.
type hubInput struct {
	name, description, def string
	required               bool
}

// stepInput passes a value to a gate input: the hub input of the same
// name unless expr is set.
type stepInput struct {
	input string // the gate's input
	from  string // the hub input it comes from; empty means input
	expr  string // a fixed expression instead of a hub input
}

// gateStep is one gate run by a profile.
type gateStep struct {
	gate string
	id   string
	cond string // an extra if: condition, without ${{ }}
	with []stepInput
	// host runs the gate's image with docker run on the runner itself
	// (its processes and file system), not as a docker:// step, which
	// sees only its own container.
	host bool
}

// HubFiles are the files RenderHub produces, by path relative to the root.
type HubFiles map[string][]byte

// hubGen holds the declarations and image pins the hub files are made from.
type hubGen struct {
	gates  map[string]*gate.Gate
	images map[string]string // gate -> docker://...@sha256:...
}

func newHubGen(root string) (*hubGen, error) {
	h := &hubGen{gates: map[string]*gate.Gate{}, images: map[string]string{}}
	for _, g := range All() {
		h.gates[g.Spec.Name] = g
		img, err := CommittedImage(filepath.Join(root, "actions", g.Spec.Name, "action.yml"))
		if err != nil {
			return nil, err
		}
		h.images[g.Spec.Name] = img
	}
	return h, nil
}

// RenderHub produces the root composite action.yml and the reusable
// workflows of .github/workflows from the gate declarations, each gate a
// docker:// step pinned to the image its actions/<gate>/action.yml names.
// Inputs passed to a gate carry that gate's description and default.
func RenderHub(root string) (HubFiles, error) {
	h, err := newHubGen(root)
	if err != nil {
		return nil, err
	}
	files := HubFiles{}
	for path, render := range map[string]func() (string, error){
		"action.yml":                              h.rootAction,
		".github/workflows/hub-pull-request.yml":  h.pullRequestWorkflow,
		".github/workflows/hub-release.yml":       h.releaseWorkflow,
		".github/workflows/hub-rekor-monitor.yml": h.monitorWorkflow,
	} {
		s, err := render()
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", path, err)
		}
		files[path] = []byte(s)
	}
	return files, nil
}

// from copies a gate input's declaration under another name.
func (h *hubGen) from(name, gateName, input string) hubInput {
	g, ok := h.gates[gateName]
	if !ok {
		panic("hub: no gate " + gateName) // a typo in this file; TestRenderHub catches it
	}
	for _, in := range g.Spec.AllInputs() {
		if in.Name == input {
			return hubInput{name: name, description: gate.InputDoc(in), def: in.Default, required: in.Required}
		}
	}
	panic("hub: gate " + gateName + " has no input " + input)
}

// optional is hi for a profile that needs it only in some uses: not
// required, its description saying which gate and profile need it.
func optional(hi hubInput, note string) hubInput {
	if hi.required {
		hi.description = note + " " + hi.description
	}
	hi.required = false
	return hi
}

// pass lists the inputs passed unchanged under their own names.
func pass(names ...string) []stepInput {
	var out []stepInput
	for _, n := range names {
		out = append(out, stepInput{input: n})
	}
	return out
}

// Profiles of the root action: the gates each runs, in order.
func (h *hubGen) profiles() map[string][]gateStep {
	common := pass("mode", "evidence-dir", "telemetry-file")
	return map[string][]gateStep{
		"pull-request": {
			{gate: "workflow-audit", id: "workflow-audit", with: append([]stepInput{
				{input: "paths", from: "audit-paths"}, {input: "fail-on", from: "audit-fail-on"}, {input: "config"}}, common...)},
			{gate: "sarif-gate", id: "sarif-gate", cond: "inputs.sarif != ''", with: append([]stepInput{
				{input: "sarif"}, {input: "baseline"}, {input: "fail-on", from: "sarif-fail-on"},
				{input: "max-critical"}, {input: "max-high"}, {input: "max-medium"}, {input: "max-low"}, {input: "config"}}, common...)},
		},
		"release": append([]gateStep{
			{gate: "sign", id: "sign", with: append(pass("artifacts", "images"), common...)},
			{gate: "verify-signature", id: "verify-signature", with: append([]stepInput{
				{input: "artifacts"}, {input: "images"},
				{input: "certificate-identity", expr: "${{ steps.sign.outputs.identity }}"},
				{input: "certificate-oidc-issuer", expr: "${{ steps.sign.outputs.issuer }}"}}, common...)},
			{gate: "verify-provenance", id: "verify-provenance", cond: "inputs.builder-id != ''", with: append(
				pass("artifacts", "images", "provenance", "source-uri", "builder-id"), common...)},
		}, releaseTail(common, "${{ inputs.evidence-dir }}", "inputs.evidence-dir != ''")...),
		"rekor-monitor": {
			{gate: "rekor-monitor", id: "rekor-monitor", with: append(
				pass("identities", "allowed-identities", "state-file", "initialize", "since", "rekor-url"), common...)},
		},
		"secret-sweep": {
			{gate: "secret-sweep", id: "secret-sweep", host: true, with: append(
				[]stepInput{{input: "scope", expr: "host"}, {input: "secrets"}, {input: "config"}}, common...)},
		},
	}
}

var profileOrder = []string{"pull-request", "release", "rekor-monitor", "secret-sweep"}

// rootInputs are the root action's inputs after profile.
func (h *hubGen) rootInputs() []hubInput {
	pr, rel, mon := "(pull-request)", "(release)", "(rekor-monitor)"
	return []hubInput{
		h.from("audit-paths", "workflow-audit", "paths"),
		h.from("audit-fail-on", "workflow-audit", "fail-on"),
		optional(h.from("sarif", "sarif-gate", "sarif"), pr+" sarif-gate runs when this is set."),
		h.from("baseline", "sarif-gate", "baseline"),
		h.from("sarif-fail-on", "sarif-gate", "fail-on"),
		h.from("max-critical", "sarif-gate", "max-critical"),
		h.from("max-high", "sarif-gate", "max-high"),
		h.from("max-medium", "sarif-gate", "max-medium"),
		h.from("max-low", "sarif-gate", "max-low"),
		h.from("config", "workflow-audit", "config"),
		h.from("artifacts", "sign", "artifacts"),
		h.from("images", "sign", "images"),
		h.from("provenance", "verify-provenance", "provenance"),
		optional(h.from("source-uri", "verify-provenance", "source-uri"), rel+" Required with builder-id."),
		optional(h.from("builder-id", "verify-provenance", "builder-id"), rel+" verify-provenance runs when this is set."),
		optional(h.from("sbom-image", "sbom-gate", "image"), rel+" sbom-gate parity runs over this image index when it is set."),
		optional(h.from("drill-image", "dr-drill", "drill-image"), rel+" dr-drill freshness runs when this is set, before the evidence is signed."),
		h.from("drill-identity", "dr-drill", "drill-identity"),
		h.from("max-drill-age", "dr-drill", "max-drill-age"),
		{name: "required-gates", def: "sign,verify-signature", description: rel + " The gates whose passing records the signed evidence statement must hold (evidence's required-gates); add verify-provenance, sbom-gate and dr-drill when their inputs are set. A list: one item per line, or comma-separated."},
		h.from("dashboards", "evidence", "dashboards"),
		optional(h.from("identities", "rekor-monitor", "identities"), mon+" Required."),
		h.from("allowed-identities", "rekor-monitor", "allowed-identities"),
		optional(h.from("state-file", "rekor-monitor", "state-file"), mon+" Required."),
		h.from("initialize", "rekor-monitor", "initialize"),
		h.from("since", "rekor-monitor", "since"),
		h.from("rekor-url", "rekor-monitor", "rekor-url"),
		h.from("secrets", "secret-sweep", "secrets"),
		h.from("mode", "workflow-audit", "mode"),
		h.from("evidence-dir", "workflow-audit", "evidence-dir"),
		h.from("telemetry-file", "workflow-audit", "telemetry-file"),
	}
}

func (h *hubGen) rootAction() (string, error) {
	var b strings.Builder
	b.WriteString(HubHeader)
	b.WriteString("name: \"hub\"\n")
	b.WriteString("description: \"Runs a profile of hub's supply-chain gates in one step list, each gate a container pinned by digest.\"\n")
	b.WriteString("author: hubgates\nbranding:\n  icon: shield\n  color: blue\ninputs:\n")
	ins := append([]hubInput{{name: "profile", required: true,
		description: "The gates to run. pull-request: workflow-audit, then sarif-gate over the sarif input when it is set. release: sign the artifacts and images, verify-signature of the result, verify-provenance when builder-id is set, sbom-gate parity when sbom-image is set, dr-drill freshness when drill-image is set, then one signed evidence statement over the run's records. rekor-monitor: the Rekor monitor over its state file. secret-sweep: secret-sweep over the runner itself (every process's environment and command line, the credential files of every home folder, the runner's work folder), its image run with docker run --pid=host and the runner's file system mounted read-only. One of: " + strings.Join(profileOrder, ", ") + "."}},
		h.rootInputs()...)
	for _, in := range ins {
		fmt.Fprintf(&b, "  %s:\n    description: %s\n    required: %t\n", in.name, strconv.Quote(in.description), in.required)
		if in.def != "" {
			fmt.Fprintf(&b, "    default: %s\n", strconv.Quote(in.def))
		}
	}
	profiles := h.profiles()
	b.WriteString("outputs:\n")
	for _, p := range profileOrder {
		for _, s := range profiles[p] {
			fmt.Fprintf(&b, "  %s-verdict:\n    description: %s\n    value: ${{ steps.%s.outputs.verdict }}\n", s.id, strconv.Quote("The verdict of "+s.gate+" ("+p+" profile): passed, denied, bad-input or undecided; empty when it did not run."), s.id)
		}
	}
	for _, o := range []string{"digests", "images", "bundles"} {
		fmt.Fprintf(&b, "  %s:\n    description: %s\n    value: ${{ steps.sign.outputs.%s }}\n", o, strconv.Quote("release profile: the "+o+" output of sign."), o)
	}
	b.WriteString("runs:\n  using: composite\n  steps:\n")
	b.WriteString("    - name: Check the profile\n      shell: bash\n      env:\n        PROFILE: ${{ inputs.profile }}\n      run: |\n")
	fmt.Fprintf(&b, "        case \"$PROFILE\" in\n          %s) ;;\n          *) echo \"::error::hub: unknown profile; want one of %s\" >&2; exit 2 ;;\n        esac\n", strings.Join(profileOrder, "|"), strings.Join(profileOrder, ", "))
	for _, p := range profileOrder {
		for _, s := range profiles[p] {
			cond := "inputs.profile == '" + p + "'"
			if s.cond != "" {
				cond += " && " + s.cond
			}
			h.writeStep(&b, "    ", s, cond)
		}
	}
	return b.String(), nil
}

// writeStep writes one gate's docker:// step at indent.
func (h *hubGen) writeStep(b *strings.Builder, indent string, s gateStep, cond string) {
	if s.host {
		h.writeHostStep(b, indent, s, cond)
		return
	}
	fmt.Fprintf(b, "%s- name: %s\n", indent, strconv.Quote("hub "+s.gate))
	fmt.Fprintf(b, "%s  id: %s\n", indent, s.id)
	if cond != "" {
		fmt.Fprintf(b, "%s  if: %s\n", indent, cond)
	}
	fmt.Fprintf(b, "%s  uses: %s\n", indent, h.images[s.gate])
	fmt.Fprintf(b, "%s  with:\n", indent)
	for _, w := range s.with {
		v := w.expr
		if v == "" {
			from := w.from
			if from == "" {
				from = w.input
			}
			v = "${{ inputs." + from + " }}"
		}
		fmt.Fprintf(b, "%s    %s: %s\n", indent, w.input, v)
	}
}

// writeHostStep writes a gate run on the runner itself: its image, by the
// same digest, under docker run with the runner's processes (--pid=host,
// and SYS_PTRACE to read their environments) and file system (read-only at
// /host) in view. Inputs reach it through the environment, by name, so no
// value (a secret above all) is on the docker command line or in the
// script; the workspace and the runner's file-command folder are mounted
// so outputs, the summary, SARIF and evidence land where a docker:// step's
// would.
func (h *hubGen) writeHostStep(b *strings.Builder, indent string, s gateStep, cond string) {
	fmt.Fprintf(b, "%s- name: %s\n", indent, strconv.Quote("hub "+s.gate+" (on the runner)"))
	fmt.Fprintf(b, "%s  id: %s\n", indent, s.id)
	if cond != "" {
		fmt.Fprintf(b, "%s  if: %s\n", indent, cond)
	}
	fmt.Fprintf(b, "%s  shell: bash\n", indent)
	fmt.Fprintf(b, "%s  env:\n", indent)
	// In docker:// form, so the release tooling finds and rewrites this
	// pin like every other; docker run takes it without the scheme.
	fmt.Fprintf(b, "%s    HUB_IMAGE: %s\n", indent, h.images[s.gate])
	var names []string
	for _, w := range s.with {
		v := w.expr
		if v == "" {
			from := w.from
			if from == "" {
				from = w.input
			}
			v = "${{ inputs." + from + " }}"
		}
		// The runner's own spelling of an input variable keeps the
		// hyphen; a shell cannot name it, but docker -e passes it on.
		name := "INPUT_" + strings.ToUpper(w.input)
		names = append(names, name)
		fmt.Fprintf(b, "%s    %s: %s\n", indent, name, strconv.Quote(v))
	}
	fmt.Fprintf(b, "%s  run: |\n", indent)
	p := indent + "    "
	fmt.Fprintf(b, "%sdocker run --rm --pid=host --cap-add SYS_PTRACE -v /:/host:ro \\\n", p)
	fmt.Fprintf(b, "%s  -v \"$GITHUB_WORKSPACE:/github/workspace\" -w /github/workspace \\\n", p)
	fmt.Fprintf(b, "%s  -v \"$(dirname \"$GITHUB_OUTPUT\"):$(dirname \"$GITHUB_OUTPUT\")\" \\\n", p)
	fmt.Fprintf(b, "%s  -e GITHUB_ACTIONS -e GITHUB_WORKSPACE=/github/workspace -e GITHUB_OUTPUT -e GITHUB_STEP_SUMMARY \\\n", p)
	fmt.Fprintf(b, "%s  -e GITHUB_REPOSITORY -e GITHUB_SHA -e GITHUB_REF -e GITHUB_RUN_ID -e GITHUB_SERVER_URL \\\n", p)
	for _, n := range names {
		fmt.Fprintf(b, "%s  -e %s \\\n", p, n)
	}
	fmt.Fprintf(b, "%s  \"${HUB_IMAGE#docker://}\"\n", p)
}
