package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// examples reads the shipped example policies.
func examples(t *testing.T) []PolicyDoc {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if err != nil || len(files) != 4 {
		t.Fatalf("examples: %v, %v", files, err)
	}
	var docs []PolicyDoc
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := yaml.Unmarshal(b, &obj); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, PolicyDoc{File: filepath.Base(f), Document: 1, Object: obj})
	}
	return docs
}

func run(t *testing.T, docs []PolicyDoc) map[string]ProbeResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, subs, err := Run(ctx, Request{Policies: docs, Image: "ghcr.io/hubgates/app", ForeignImage: "untrusted.example/hub-probe/app"})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 {
		t.Errorf("substitutions %q, want the provenance and SBOM rules'", subs)
	}
	out := map[string]ProbeResult{}
	for _, r := range res {
		out[r.Name] = r
	}
	if len(out) != len(AllProbes) {
		t.Fatalf("%d probes answered, want %d", len(out), len(AllProbes))
	}
	return out
}

// The shipped policies prove themselves: every probe that must be denied
// is denied by the rule that guards against it, and the reference is
// admitted, with the signatures and attestations really verified.
func TestExamplesProveThemselves(t *testing.T) {
	got := run(t, examples(t))
	want := map[string]string{
		ProbeReference: "",
		ProbeTagOnly:   "digest-allowlist/require-digest",
		ProbeUnsigned:  "provenance/signed-with-provenance",
		ProbeNoProv:    "provenance/signed-with-provenance",
		ProbeNoSBOM:    "sbom/sbom-attested",
		ProbeForeign:   "digest-allowlist/allowed-registries",
		ProbePriv:      "pod-security/no-privileged",
		ProbeHostPath:  "pod-security/no-host-path",
	}
	for name, by := range want {
		p := got[name]
		if p.Verdict != p.MustBe {
			t.Errorf("probe %s: %s, must be %s (rules %+v)", name, p.Verdict, p.MustBe, p.Rules)
			continue
		}
		var rules []string
		for _, r := range p.By {
			rules = append(rules, r.Policy+"/"+r.Rule)
		}
		if by != "" && !strings.Contains(strings.Join(rules, ","), by) {
			t.Errorf("probe %s denied by %v, want %s among them", name, rules, by)
		}
	}
}

// Tampered twins: each weakening of the policies lets the probe it guards
// through, and the engine says so.
func TestWeakenedPoliciesAdmit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(map[string]map[string]any)
		probe string
	}{
		{"provenance in Audit", func(p map[string]map[string]any) {
			vi := rules(p["provenance"])[0].(map[string]any)["verifyImages"].([]any)[0].(map[string]any)
			vi["failureAction"] = "Audit"
		}, ProbeUnsigned},
		{"no SBOM policy", func(p map[string]map[string]any) { delete(p, "sbom") }, ProbeNoSBOM},
		{"privileged allowed", func(p map[string]map[string]any) {
			spec := p["pod-security"]["spec"].(map[string]any)
			spec["rules"] = rules(p["pod-security"])[1:]
		}, ProbePriv},
		{"namespace excluded", func(p map[string]map[string]any) {
			r := rules(p["digest-allowlist"])[0].(map[string]any)
			r["exclude"] = map[string]any{"any": []any{map[string]any{"resources": map[string]any{"namespaces": []any{"default"}}}}}
		}, ProbeTagOnly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			byName := map[string]map[string]any{}
			for _, d := range examples(t) {
				byName[policyName(d.Object)] = d.Object
			}
			tc.edit(byName)
			var docs []PolicyDoc
			for _, n := range sortedKeys(byName) {
				docs = append(docs, PolicyDoc{File: n + ".yaml", Document: 1, Object: byName[n]})
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			res, _, err := Run(ctx, Request{Policies: docs, Image: "ghcr.io/hubgates/app", ForeignImage: "untrusted.example/hub-probe/app", Probes: []string{ProbeReference, tc.probe}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 2 || res[0].Verdict != "admitted" || res[1].Name != tc.probe || res[1].Verdict != "admitted" {
				t.Errorf("results %+v: want the reference and %s admitted", res, tc.probe)
			}
		})
	}
}

func rules(p map[string]any) []any { return p["spec"].(map[string]any)["rules"].([]any) }

func TestBadPolicyIsAPolicyError(t *testing.T) {
	_, _, err := Run(context.Background(), Request{
		Policies: []PolicyDoc{{File: "x.yaml", Document: 2, Object: map[string]any{"kind": "ClusterPolicy", "spec": map[string]any{"rules": "not a list"}}}},
		Image:    "ghcr.io/hubgates/app", ForeignImage: "untrusted.example/app",
	})
	if pe := (*policyError)(nil); err == nil || !strings.Contains(err.Error(), "x.yaml (document 2)") {
		t.Fatalf("err = %v (%T), want a policy error naming the document", err, pe)
	}
}
