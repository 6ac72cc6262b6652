package provenance

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slsa-framework/slsa-verifier/v2/verifiers/utils"
)

// The SLSA provenance predicate types this package reads.
const (
	PredicateSLSAv02 = "https://slsa.dev/provenance/v0.2"
	PredicateSLSAv1  = "https://slsa.dev/provenance/v1"
)

// Subject is one artifact an in-toto statement is about.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Claims are what a provenance says about a build, read from its signing
// certificate and from its in-toto statement. The policy is checked
// against these values, so they are recorded in the summary and the
// evidence as they were read.
type Claims struct {
	// Issuer is the certificate's OIDC issuer.
	Issuer string `json:"issuer,omitempty"`
	// Signer is the certificate's subject alternative name: for GitHub
	// Actions, the workflow that signed, "https://github.com/<owner>/<repo>/
	// .github/workflows/<file>@<ref>", which for SLSA builders is the
	// builder.
	Signer string `json:"signer,omitempty"`
	// CertificateSource and CertificateRef are the certificate's Fulcio
	// SourceRepositoryURI and SourceRepositoryRef extensions: the
	// repository and ref the build ran for, as GitHub's token said.
	CertificateSource string `json:"certificateSource,omitempty"`
	CertificateRef    string `json:"certificateRef,omitempty"`

	// Delegator is the delegator workflow that signed for the builder,
	// when the provenance comes from a delegated (BYOB) builder.
	Delegator string `json:"delegator,omitempty"`

	// PredicateType is the statement's predicate type.
	PredicateType string `json:"predicateType"`
	// BuildType is the statement's build type.
	BuildType string `json:"buildType,omitempty"`
	// BuilderID is the statement's builder.id: for a delegated builder,
	// the builder rather than the delegator that signed.
	BuilderID string `json:"builderId"`
	// Source is the source repository the statement names, normalised to
	// "git+https://host/owner/repo".
	Source string `json:"source"`
	// Ref is the git ref the statement names ("refs/tags/v1.2.3").
	Ref string `json:"ref,omitempty"`
	// BaseRef is the branch a tag push came from, when the statement
	// records the push event ("refs/heads/main").
	BaseRef string `json:"baseRef,omitempty"`
	// Inputs are the workflow_dispatch inputs the statement records (none
	// for a build started by another event).
	Inputs map[string]string `json:"inputs,omitempty"`
	// Subjects are the artifacts the statement is about.
	Subjects []Subject `json:"subjects"`
}

// statement is the part of an in-toto statement this package reads; the
// predicate's shape depends on PredicateType.
type statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []Subject       `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

// predicateV02 is the part of SLSA provenance v0.2 read here.
type predicateV02 struct {
	Builder struct {
		ID string `json:"id"`
	} `json:"builder"`
	BuildType  string `json:"buildType"`
	Invocation struct {
		ConfigSource struct {
			URI string `json:"uri"`
		} `json:"configSource"`
		Environment struct {
			EventName    string       `json:"github_event_name"`
			EventPayload eventPayload `json:"github_event_payload"`
		} `json:"environment"`
	} `json:"invocation"`
}

// eventPayload is the part of the GitHub event that started the build
// read here, as the SLSA GitHub generator records it.
type eventPayload struct {
	BaseRef string         `json:"base_ref"`
	Inputs  map[string]any `json:"inputs"`
}

// dispatchInputs are the inputs of a workflow_dispatch event. Other events
// have none, whatever their payload holds: slsa-verifier reads inputs only
// from workflow_dispatch (common.GetWorkflowInputs).
func dispatchInputs(event string, p eventPayload) map[string]string {
	if event != "workflow_dispatch" {
		return nil
	}
	return stringMap(p.Inputs)
}

// predicateV1 is the part of SLSA provenance v1 read here, for the build
// types of GitHub's attest-build-provenance (externalParameters.workflow)
// and of the SLSA GitHub generator (externalParameters.source or
// resolvedDependencies, and the event in internalParameters).
type predicateV1 struct {
	BuildDefinition struct {
		BuildType          string `json:"buildType"`
		ExternalParameters struct {
			Workflow *struct {
				Repository string `json:"repository"`
				Ref        string `json:"ref"`
			} `json:"workflow"`
			Source *struct {
				URI string `json:"uri"`
			} `json:"source"`
		} `json:"externalParameters"`
		InternalParameters struct {
			EventName    string       `json:"GITHUB_EVENT_NAME"`
			EventPayload eventPayload `json:"GITHUB_EVENT_PAYLOAD"`
		} `json:"internalParameters"`
		ResolvedDependencies []struct {
			URI string `json:"uri"`
		} `json:"resolvedDependencies"`
	} `json:"buildDefinition"`
	RunDetails struct {
		Builder struct {
			ID string `json:"id"`
		} `json:"builder"`
	} `json:"runDetails"`
}

// DecodeStatement reads the claims of an in-toto statement holding SLSA
// provenance v0.2 or v1. The certificate fields are left empty.
func DecodeStatement(payload []byte) (*Claims, error) {
	var st statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return nil, fmt.Errorf("%w: in-toto statement: %v", ErrMalformed, err)
	}
	c := &Claims{PredicateType: st.PredicateType, Subjects: st.Subject}
	var sourceURI string
	switch st.PredicateType {
	case PredicateSLSAv02:
		var p predicateV02
		if err := json.Unmarshal(st.Predicate, &p); err != nil {
			return nil, fmt.Errorf("%w: SLSA v0.2 predicate: %v", ErrMalformed, err)
		}
		c.BuilderID, c.BuildType = p.Builder.ID, p.BuildType
		sourceURI = p.Invocation.ConfigSource.URI
		env := p.Invocation.Environment
		c.BaseRef = env.EventPayload.BaseRef
		c.Inputs = dispatchInputs(env.EventName, env.EventPayload)
	case PredicateSLSAv1:
		var p predicateV1
		if err := json.Unmarshal(st.Predicate, &p); err != nil {
			return nil, fmt.Errorf("%w: SLSA v1 predicate: %v", ErrMalformed, err)
		}
		bd := p.BuildDefinition
		c.BuilderID, c.BuildType = p.RunDetails.Builder.ID, bd.BuildType
		c.BaseRef = bd.InternalParameters.EventPayload.BaseRef
		// The generators record the event in internalParameters; the
		// externalParameters.inputs of a delegated builder are the
		// builder's own inputs, not the workflow's.
		c.Inputs = dispatchInputs(bd.InternalParameters.EventName, bd.InternalParameters.EventPayload)
		switch {
		case bd.ExternalParameters.Workflow != nil && bd.ExternalParameters.Workflow.Repository != "":
			sourceURI = bd.ExternalParameters.Workflow.Repository + "@" + bd.ExternalParameters.Workflow.Ref
		case bd.ExternalParameters.Source != nil && bd.ExternalParameters.Source.URI != "":
			sourceURI = bd.ExternalParameters.Source.URI
		case len(bd.ResolvedDependencies) > 0:
			sourceURI = bd.ResolvedDependencies[0].URI
		}
	default:
		return nil, fmt.Errorf("%w: expected predicate type %q or %q, got %q", ErrMalformed, PredicateSLSAv02, PredicateSLSAv1, st.PredicateType)
	}
	if c.BuilderID == "" {
		return nil, fmt.Errorf("%w: the provenance names no builder", ErrMalformed)
	}
	if sourceURI == "" {
		return nil, fmt.Errorf("%w: the provenance names no source repository", ErrMalformed)
	}
	src, ref, err := utils.ParseGitURIAndRef(utils.NormalizeGitURI(sourceURI))
	if err != nil {
		return nil, fmt.Errorf("%w: source %q: %v", ErrMalformed, sourceURI, err)
	}
	c.Source, c.Ref = src, ref
	if len(c.Subjects) == 0 {
		return nil, fmt.Errorf("%w: the statement has no subject", ErrMalformed)
	}
	return c, nil
}

// stringMap renders JSON input values as the text a workflow saw: strings
// as they are, numbers and booleans in their JSON spelling.
func stringMap(m map[string]any) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			continue
		}
		out[k] = string(b)
	}
	return out
}

// HasSubject reports whether a subject of the statement has the digest
// hex under algorithm alg ("sha256").
func (c *Claims) HasSubject(alg, hex string) bool {
	for _, s := range c.Subjects {
		if strings.EqualFold(s.Digest[alg], hex) {
			return true
		}
	}
	return false
}
