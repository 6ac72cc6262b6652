package provenancetest

import (
	"encoding/json"
	"strings"
)

// Subject is one thing a statement is about.
type Subject struct {
	// Name is the artifact's name or the image's repository.
	Name string
	// SHA256 is its digest in hex.
	SHA256 string
}

// Build is what a builder records about a build.
type Build struct {
	// BuilderID is the builder.id: the builder's workflow with its ref.
	BuilderID string
	// Repository ("owner/repo"), Ref, SHA, Event and ConfigPath describe
	// the run, as in [Run]; the same defaults apply.
	Repository, Ref, SHA, Event, ConfigPath string
	// Inputs are the workflow_dispatch inputs.
	Inputs map[string]any
	// Subjects are what was built.
	Subjects []Subject
}

func (b Build) run() Run {
	return Run{Repository: b.Repository, Ref: b.Ref, SHA: b.SHA, Event: b.Event, ConfigPath: b.ConfigPath}.WithDefaults()
}

func (b Build) subjects() []map[string]any {
	out := []map[string]any{}
	for _, s := range b.Subjects {
		out = append(out, map[string]any{"name": s.Name, "digest": map[string]string{"sha256": s.SHA256}})
	}
	return out
}

// eventPayload is the part of the GitHub event the generators record.
func (b Build) eventPayload() map[string]any {
	p := map[string]any{"ref": b.Ref, "repository": map[string]any{"full_name": b.Repository}}
	if b.Inputs != nil {
		p["inputs"] = b.Inputs
	}
	return p
}

func refType(ref string) string {
	if strings.HasPrefix(ref, "refs/tags/") {
		return "tag"
	}
	return "branch"
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and values built here: cannot fail
	}
	return b
}

// ContainerGeneratorStatement is SLSA v0.2 provenance as the SLSA GitHub
// generator's generator_container_slsa3.yml writes it for an image.
func ContainerGeneratorStatement(b Build) []byte {
	r := b.run()
	return mustJSON(map[string]any{
		"_type":         "https://in-toto.io/Statement/v0.1",
		"predicateType": "https://slsa.dev/provenance/v0.2",
		"subject":       b.subjects(),
		"predicate": map[string]any{
			"builder":   map[string]any{"id": b.BuilderID},
			"buildType": "https://github.com/slsa-framework/slsa-github-generator/container@v1",
			"invocation": map[string]any{
				"configSource": map[string]any{"uri": "git+https://github.com/" + r.Repository + "@" + r.Ref,
					"digest": map[string]string{"sha1": r.SHA}, "entryPoint": r.ConfigPath},
				"environment": map[string]any{
					"github_event_name":    r.Event,
					"github_event_payload": b.eventPayload(),
					"github_ref":           r.Ref,
					"github_ref_type":      refType(r.Ref),
					"github_repository":    r.Repository,
					"github_sha1":          r.SHA,
				},
			},
			"materials": []map[string]any{{"uri": "git+https://github.com/" + r.Repository + "@" + r.Ref,
				"digest": map[string]string{"sha1": r.SHA}}},
		},
	})
}

// GitHubAttestationStatement is SLSA v1 provenance as
// actions/attest-build-provenance writes it: the builder is the run's own
// workflow.
func GitHubAttestationStatement(b Build) []byte {
	r := b.run()
	return mustJSON(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"predicateType": "https://slsa.dev/provenance/v1",
		"subject":       b.subjects(),
		"predicate": map[string]any{
			"buildDefinition": map[string]any{
				"buildType": "https://actions.github.io/buildtypes/workflow/v1",
				"externalParameters": map[string]any{"workflow": map[string]any{
					"ref": r.Ref, "repository": "https://github.com/" + r.Repository, "path": r.ConfigPath}},
				"internalParameters": map[string]any{"github": map[string]any{
					"event_name": r.Event, "repository_id": r.RepositoryID, "repository_owner_id": r.OwnerID, "runner_environment": "github-hosted"}},
				"resolvedDependencies": []map[string]any{{"uri": "git+https://github.com/" + r.Repository + "@" + r.Ref,
					"digest": map[string]string{"gitCommit": r.SHA}}},
			},
			"runDetails": map[string]any{
				"builder":  map[string]any{"id": b.BuilderID},
				"metadata": map[string]any{"invocationId": r.InvocationURI()},
			},
		},
	})
}

// DelegatedStatement is SLSA v1 provenance of a builder of the SLSA GitHub
// generator's BYOB framework, as its delegator writes it: builder.id is
// the builder, while the delegator signs.
func DelegatedStatement(b Build) []byte {
	r := b.run()
	return mustJSON(map[string]any{
		"_type":         "https://in-toto.io/Statement/v0.1",
		"predicateType": "https://slsa.dev/provenance/v1",
		"subject":       b.subjects(),
		"predicate": map[string]any{
			"buildDefinition": map[string]any{
				"buildType":          "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0",
				"externalParameters": map[string]any{"inputs": map[string]any{}, "vars": map[string]any{}},
				"internalParameters": map[string]any{
					"GITHUB_EVENT_NAME":    r.Event,
					"GITHUB_REF":           r.Ref,
					"GITHUB_REF_TYPE":      refType(r.Ref),
					"GITHUB_REPOSITORY":    r.Repository,
					"GITHUB_SHA":           r.SHA,
					"GITHUB_WORKFLOW_REF":  r.Repository + "/" + r.ConfigPath + "@" + r.Ref,
					"GITHUB_EVENT_PAYLOAD": b.eventPayload(),
				},
				"resolvedDependencies": []map[string]any{{"uri": "git+https://github.com/" + r.Repository + "@" + r.Ref,
					"digest": map[string]string{"gitCommit": r.SHA}}},
			},
			"runDetails": map[string]any{
				"builder":  map[string]any{"id": b.BuilderID},
				"metadata": map[string]any{"invocationId": r.InvocationURI()},
			},
		},
	})
}
