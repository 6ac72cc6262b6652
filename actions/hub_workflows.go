package actions

import (
	"fmt"
	"strconv"
	"strings"
)

// workflowHead writes the header, name and the workflow_call trigger with
// its inputs and outputs ([2]string{name, value expression, description}).
func workflowHead(b *strings.Builder, name string, ins []hubInput, outs [][3]string) {
	b.WriteString(HubHeader)
	fmt.Fprintf(b, "name: %s\n\non:\n  workflow_call:\n    inputs:\n", strconv.Quote(name))
	for _, in := range ins {
		fmt.Fprintf(b, "      %s:\n        description: %s\n        type: string\n        required: %t\n", in.name, strconv.Quote(in.description), in.required)
		if in.def != "" {
			fmt.Fprintf(b, "        default: %s\n", strconv.Quote(in.def))
		}
	}
	b.WriteString("    outputs:\n")
	for _, o := range outs {
		fmt.Fprintf(b, "      %s:\n        description: %s\n        value: %s\n", o[0], strconv.Quote(o[2]), o[1])
	}
	b.WriteString("\npermissions: {}\n\njobs:\n")
}

func (h *hubGen) pullRequestWorkflow() (string, error) {
	ins := []hubInput{
		h.from("audit-paths", "workflow-audit", "paths"),
		h.from("audit-fail-on", "workflow-audit", "fail-on"),
		{name: "sarif-artifacts", description: "Artifacts of the calling run that hold the SARIF logs of its scanners (a name or a glob such as *-sarif, as actions/download-artifact's pattern). sarif-gate merges every *.sarif in them and applies the budget. Empty skips sarif-gate."},
		h.from("sarif-fail-on", "sarif-gate", "fail-on"),
		h.from("max-critical", "sarif-gate", "max-critical"),
		h.from("max-high", "sarif-gate", "max-high"),
		h.from("max-medium", "sarif-gate", "max-medium"),
		h.from("max-low", "sarif-gate", "max-low"),
		h.from("config", "workflow-audit", "config"),
		h.from("mode", "workflow-audit", "mode"),
	}
	var b strings.Builder
	workflowHead(&b, "hub pull request", ins, [][3]string{
		{"workflow-audit-verdict", "${{ jobs.workflow-audit.outputs.verdict }}", "The verdict of workflow-audit."},
		{"sarif-gate-verdict", "${{ jobs.sarif-gate.outputs.verdict }}", "The verdict of sarif-gate; empty when sarif-artifacts is empty."},
	})
	common := []stepInput{{input: "config"}, {input: "mode"}}
	fmt.Fprintf(&b, `  workflow-audit:
    name: workflow-audit
    runs-on: %s
    permissions:
      contents: read
    outputs:
      verdict: ${{ steps.workflow-audit.outputs.verdict }}
    steps:
      - uses: %s
        with:
          persist-credentials: false
`, hubRunner, checkoutAction)
	h.writeStep(&b, "      ", gateStep{gate: "workflow-audit", id: "workflow-audit", with: append([]stepInput{
		{input: "paths", from: "audit-paths"}, {input: "fail-on", from: "audit-fail-on"}}, common...)}, "")
	fmt.Fprintf(&b, `      - name: Upload the SARIF log
        if: always()
        uses: %s
        with:
          name: hub-workflow-audit-sarif
          path: workflow-audit.sarif
          if-no-files-found: ignore

  sarif-gate:
    name: sarif-gate
    if: inputs.sarif-artifacts != ''
    runs-on: %s
    permissions:
      contents: read
    outputs:
      verdict: ${{ steps.sarif-gate.outputs.verdict }}
    steps:
      - uses: %s
        with:
          persist-credentials: false
      - name: Download the scanners' SARIF
        uses: %s
        with:
          pattern: ${{ inputs.sarif-artifacts }}
          path: .hub-sarif
`, uploadAction, hubRunner, checkoutAction, downloadAction)
	h.writeStep(&b, "      ", gateStep{gate: "sarif-gate", id: "sarif-gate", with: append([]stepInput{
		{input: "sarif", expr: ".hub-sarif"}, {input: "fail-on", from: "sarif-fail-on"},
		{input: "max-critical"}, {input: "max-high"}, {input: "max-medium"}, {input: "max-low"}}, common...)}, "")
	fmt.Fprintf(&b, `      - name: Upload the merged SARIF log
        if: always()
        uses: %s
        with:
          name: hub-sarif
          path: sarif-gate.sarif
          if-no-files-found: ignore
`, uploadAction)
	return b.String(), nil
}

func (h *hubGen) releaseWorkflow() (string, error) {
	ins := []hubInput{
		{name: "artifact-name", description: "An artifact of the calling run holding the files to sign (and their provenance); it is downloaded into the workspace first. Empty signs images only."},
		h.from("artifacts", "sign", "artifacts"),
		h.from("images", "sign", "images"),
		h.from("provenance", "verify-provenance", "provenance"),
		optional(h.from("source-uri", "verify-provenance", "source-uri"), "Required with builder-id."),
		optional(h.from("builder-id", "verify-provenance", "builder-id"), "verify-provenance runs when this is set."),
		optional(h.from("sbom-image", "sbom-gate", "image"), "sbom-gate parity runs over this image index when it is set."),
		optional(h.from("drill-image", "dr-drill", "drill-image"), "dr-drill freshness runs when this is set, before the evidence is signed."),
		h.from("drill-identity", "dr-drill", "drill-identity"),
		h.from("max-drill-age", "dr-drill", "max-drill-age"),
		hubInput{name: "required-gates", def: "sign,verify-signature", description: "The gates whose passing records the signed evidence statement must hold (evidence's required-gates); add verify-provenance, sbom-gate and dr-drill when their inputs are set. A list: one item per line, or comma-separated."},
		h.from("dashboards", "evidence", "dashboards"),
		h.from("mode", "sign", "mode"),
	}
	var b strings.Builder
	workflowHead(&b, "hub release", ins, [][3]string{
		{"digests", "${{ jobs.release.outputs.digests }}", "Each signed file as \"sha256:<hex> <path>\", one per line."},
		{"images", "${{ jobs.release.outputs.images }}", "The images signed, by digest, one per line."},
		{"bundles", "${{ jobs.release.outputs.bundles }}", "The Sigstore bundles written, one per line (in the evidence artifact)."},
		{"identity", "${{ jobs.release.outputs.identity }}", "The certificate identity the signatures carry."},
		{"evidence-artifact", "${{ jobs.release.outputs.evidence-artifact }}", "The artifact of this run holding the bundles, every gate's evidence JSON and the signed evidence statement."},
		{"evidence-verdict", "${{ jobs.release.outputs.evidence-verdict }}", "The verdict of evidence: passed when the statement over every required gate's record was signed."},
	})
	common := []stepInput{{input: "mode"}, {input: "evidence-dir", expr: "hub-evidence"}}
	fmt.Fprintf(&b, `  release:
    name: sign and verify
    runs-on: %s
    permissions:
      contents: read
      id-token: write # keyless signing: the OIDC token Fulcio certifies
      packages: write # signatures are attached to the images
    outputs:
      digests: ${{ steps.sign.outputs.digests }}
      images: ${{ steps.sign.outputs.images }}
      bundles: ${{ steps.sign.outputs.bundles }}
      identity: ${{ steps.sign.outputs.identity }}
      evidence-artifact: hub-release-evidence
      evidence-verdict: ${{ steps.evidence.outputs.verdict }}
    steps:
      - name: Download the files to sign
        if: inputs.artifact-name != ''
        uses: %s
        with:
          name: ${{ inputs.artifact-name }}
      - name: Log in to the registry for the gates
        if: inputs.images != ''
        env:
          # The runner mounts RUNNER_TEMP/_github_home as the gates' HOME.
          DOCKER_CONFIG: ${{ runner.temp }}/_github_home/.docker
          TOKEN: ${{ github.token }}
          ACTOR: ${{ github.actor }}
        run: printf '%%s' "$TOKEN" | docker login ghcr.io --username "$ACTOR" --password-stdin
`, hubRunner, downloadAction)
	h.writeStep(&b, "      ", gateStep{gate: "sign", id: "sign", with: append(pass("artifacts", "images"), common...)}, "")
	h.writeStep(&b, "      ", gateStep{gate: "verify-signature", id: "verify-signature", with: append([]stepInput{
		{input: "artifacts"}, {input: "images"},
		{input: "certificate-identity", expr: "${{ steps.sign.outputs.identity }}"},
		{input: "certificate-oidc-issuer", expr: "${{ steps.sign.outputs.issuer }}"}}, common...)}, "")
	h.writeStep(&b, "      ", gateStep{gate: "verify-provenance", id: "verify-provenance", with: append(
		pass("artifacts", "images", "provenance", "source-uri", "builder-id"), common...)}, "inputs.builder-id != ''")
	for _, st := range releaseTail(common, "hub-evidence", "") {
		h.writeStep(&b, "      ", st, st.cond)
	}
	fmt.Fprintf(&b, `      - name: Log out
        if: always() && inputs.images != ''
        env:
          DOCKER_CONFIG: ${{ runner.temp }}/_github_home/.docker
        run: rm -f "$DOCKER_CONFIG/config.json"
      - name: Upload the evidence
        if: always()
        uses: %s
        with:
          name: hub-release-evidence
          path: |
            hub-evidence
            hub-evidence.sigstore.json
            ${{ steps.sign.outputs.bundles }}
          if-no-files-found: ignore
`, uploadAction)
	return b.String(), nil
}

func (h *hubGen) monitorWorkflow() (string, error) {
	ins := []hubInput{
		h.from("identities", "rekor-monitor", "identities"),
		h.from("allowed-identities", "rekor-monitor", "allowed-identities"),
		h.from("initialize", "rekor-monitor", "initialize"),
		h.from("since", "rekor-monitor", "since"),
		h.from("rekor-url", "rekor-monitor", "rekor-url"),
		h.from("mode", "rekor-monitor", "mode"),
	}
	var b strings.Builder
	workflowHead(&b, "hub rekor monitor", ins, [][3]string{
		{"verdict", "${{ jobs.monitor.outputs.verdict }}", "The verdict of rekor-monitor."},
	})
	fmt.Fprintf(&b, `  monitor:
    name: rekor-monitor
    runs-on: %s
    permissions: {}
    # Two runs must not race for the checkpoint.
    concurrency:
      group: hub-rekor-monitor-${{ github.repository }}
      cancel-in-progress: false
    outputs:
      verdict: ${{ steps.rekor-monitor.outputs.verdict }}
    steps:
      - name: Restore the checkpoint
        uses: %s
        with:
          path: .hub-rekor-monitor
          key: hub-rekor-monitor-${{ github.run_id }}
          restore-keys: hub-rekor-monitor-
`, hubRunner, cacheRestoreAction)
	h.writeStep(&b, "      ", gateStep{gate: "rekor-monitor", id: "rekor-monitor", with: append([]stepInput{
		{input: "state-file", expr: ".hub-rekor-monitor/state.json"}},
		pass("identities", "allowed-identities", "initialize", "since", "rekor-url", "mode")...)}, "")
	fmt.Fprintf(&b, `      - name: Save the checkpoint
        # Only a run that read the log moves the checkpoint on.
        if: always() && (steps.rekor-monitor.outputs.verdict == 'passed' || steps.rekor-monitor.outputs.verdict == 'denied')
        uses: %s
        with:
          path: .hub-rekor-monitor
          key: hub-rekor-monitor-${{ github.run_id }}
`, cacheSaveAction)
	return b.String(), nil
}

// releaseTail are the release profile's gates after signing and
// verification: SBOM parity over the image index, the DR drill's
// freshness, then one signed evidence statement over every record the
// run's gates wrote. The evidence step runs even when an earlier gate
// failed in warn mode, never after a denial: a statement is only signed
// over a release that passed.
//
// records is where the run's gates wrote their records, and evidenceCond
// the condition the evidence step runs under (the root action has no
// records unless its caller names an evidence-dir).
func releaseTail(common []stepInput, records, evidenceCond string) []gateStep {
	return []gateStep{
		{gate: "sbom-gate", id: "sbom-gate", cond: "inputs.sbom-image != ''", with: append([]stepInput{
			{input: "operation", expr: "parity"}, {input: "image", from: "sbom-image"}}, common...)},
		{gate: "dr-drill", id: "dr-drill", cond: "inputs.drill-image != ''", with: append([]stepInput{
			{input: "operation", expr: "freshness"}, {input: "drill-image"}, {input: "drill-identity"}, {input: "max-drill-age"}}, common...)},
		{gate: "evidence", id: "evidence", cond: evidenceCond, with: append([]stepInput{
			{input: "records", expr: records}, {input: "required-gates"}, {input: "subject-gates", expr: "sign"},
			{input: "artifacts"}, {input: "images"}, {input: "dashboards"},
			{input: "bundle-file", expr: "hub-evidence.sigstore.json"}}, pass("mode")...)},
	}
}
