package main

import (
	"context"
	"fmt"
	"slices"
)

// probe is one admission request the policies must answer.
type probe struct {
	name, description, mustBe string
	image                     string
	privileged, hostPath      bool
}

// The probe names, in the order they run.
const (
	ProbeReference = "reference"
	ProbeTagOnly   = "tag-only"
	ProbeUnsigned  = "unsigned"
	ProbeNoProv    = "no-provenance"
	ProbeNoSBOM    = "no-sbom"
	ProbeForeign   = "foreign-registry"
	ProbePriv      = "privileged"
	ProbeHostPath  = "host-path"
)

// AllProbes lists every probe.
var AllProbes = []string{ProbeReference, ProbeTagOnly, ProbeUnsigned, ProbeNoProv, ProbeNoSBOM, ProbeForeign, ProbePriv, ProbeHostPath}

var provenance = map[string]any{
	"buildDefinition": map[string]any{
		"buildType": "https://actions.github.io/buildtypes/workflow/v1",
		"externalParameters": map[string]any{"workflow": map[string]any{
			"ref": "refs/heads/main", "repository": "https://github.com/hubgates/hub-probe", "path": ".github/workflows/release.yml",
		}},
	},
	"runDetails": map[string]any{"builder": map[string]any{"id": "https://github.com/actions/runner/github-hosted"}},
}

var sbom = map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": []any{}}

// buildProbes writes the probe images to the fake registry (signed and
// attested as each probe needs) and returns the probes asked for.
func buildProbes(ctx context.Context, reg *fakeRegistry, key, stranger *signer, req Request) ([]probe, error) {
	type variant struct {
		repo, tag string
		sig       *signer
		preds     map[string]any
	}
	both := map[string]any{PredicateSLSA: provenance, PredicateCycloneDX: sbom}
	variants := map[string]variant{
		ProbeReference: {req.Image, "reference", key, both},
		ProbeUnsigned:  {req.Image, "unsigned", stranger, both},
		ProbeNoProv:    {req.Image, "no-provenance", key, map[string]any{PredicateCycloneDX: sbom}},
		ProbeNoSBOM:    {req.Image, "no-sbom", key, map[string]any{PredicateSLSA: provenance}},
		ProbeForeign:   {req.ForeignImage, "foreign", key, both},
	}
	images := map[string]image{}
	for _, n := range sortedKeys(variants) {
		v := variants[n]
		img, err := reg.pushImage(ctx, v.repo, v.tag)
		if err != nil {
			return nil, err
		}
		if err := reg.sign(ctx, img, v.sig); err != nil {
			return nil, fmt.Errorf("signing probe image %s: %w", n, err)
		}
		if err := reg.attest(ctx, img, key, v.preds); err != nil {
			return nil, fmt.Errorf("attesting probe image %s: %w", n, err)
		}
		images[n] = img
	}
	ref := images[ProbeReference].byDigest()
	all := []probe{
		{ProbeReference, "a signed image by digest from an allowed registry, with SLSA provenance and a CycloneDX SBOM attested", "admitted", ref, false, false},
		{ProbeTagOnly, "the reference image named by its tag only", "denied", req.Image + ":reference", false, false},
		{ProbeUnsigned, "an image by digest whose only signature is by a key no attestor trusts", "denied", images[ProbeUnsigned].byDigest(), false, false},
		{ProbeNoProv, "a signed image by digest without a provenance attestation", "denied", images[ProbeNoProv].byDigest(), false, false},
		{ProbeNoSBOM, "a signed image by digest without an SBOM attestation", "denied", images[ProbeNoSBOM].byDigest(), false, false},
		{ProbeForeign, "a signed, attested image by digest from a registry outside the allowlist", "denied", images[ProbeForeign].byDigest(), false, false},
		{ProbePriv, "the reference image in a privileged container", "denied", ref, true, false},
		{ProbeHostPath, "the reference image with a hostPath volume mounted", "denied", ref, false, true},
	}
	if len(req.Probes) == 0 {
		return all, nil
	}
	var out []probe
	for _, p := range all {
		if slices.Contains(req.Probes, p.name) {
			out = append(out, p)
		}
	}
	return out, nil
}

// pod is the probe's Pod, as a client would submit it.
func (p probe) pod(namespace string) map[string]any {
	container := map[string]any{"name": "app", "image": p.image}
	spec := map[string]any{"containers": []any{container}}
	if p.privileged {
		container["securityContext"] = map[string]any{"privileged": true}
	}
	if p.hostPath {
		container["volumeMounts"] = []any{map[string]any{"name": "host", "mountPath": "/host"}}
		spec["volumes"] = []any{map[string]any{"name": "host", "hostPath": map[string]any{"path": "/var/run"}}}
	}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Pod",
		"metadata":   map[string]any{"name": "hub-probe-" + p.name, "namespace": namespace},
		"spec":       spec,
	}
}
