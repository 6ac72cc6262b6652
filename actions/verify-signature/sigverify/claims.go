package sigverify

import (
	"fmt"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// Claims are GitHub workflow facts a keyless signature's certificate must
// state, read from the extensions Fulcio writes for GitHub Actions tokens.
// An empty field is not checked.
type Claims struct {
	// Repository is "owner/repo", compared without regard to case as
	// GitHub names are.
	Repository string `json:"repository,omitempty"`
	// Ref is the full git ref the run was for, "refs/tags/v1.2.0".
	Ref string `json:"ref,omitempty"`
	// Trigger is the event that started the run, "push".
	Trigger string `json:"trigger,omitempty"`
	// WorkflowPath is the top-level workflow file of the run,
	// ".github/workflows/release.yml".
	WorkflowPath string `json:"workflowPath,omitempty"`
}

// IsZero reports whether no claim is required.
func (c Claims) IsZero() bool { return c == Claims{} }

// Check returns one message per claim the extensions do not satisfy. The
// current extensions (source repository URI and ref, build trigger, build
// config URI) are read first, the deprecated GitHub ones (1.3.6.1.4.1.57264.
// 1.2 to 1.6) when the current one is absent, as older certificates carry
// only those. A claim the certificate does not state fails.
func (c Claims) Check(ext certificate.Extensions) []string {
	var out []string
	if c.Repository != "" {
		got := ext.GithubWorkflowRepository
		if u := ext.SourceRepositoryURI; u != "" {
			got = repoFromURI(u)
		}
		if !strings.EqualFold(got, c.Repository) {
			out = append(out, mismatch("repository", c.Repository, got))
		}
	}
	if c.Ref != "" {
		got := first(ext.SourceRepositoryRef, ext.GithubWorkflowRef)
		if got != c.Ref {
			out = append(out, mismatch("ref", c.Ref, got))
		}
	}
	if c.Trigger != "" {
		got := first(ext.BuildTrigger, ext.GithubWorkflowTrigger)
		if got != c.Trigger {
			out = append(out, mismatch("trigger", c.Trigger, got))
		}
	}
	if c.WorkflowPath != "" {
		got := workflowPath(ext.BuildConfigURI)
		if got != strings.TrimPrefix(c.WorkflowPath, "./") {
			out = append(out, mismatch("workflow path", c.WorkflowPath, got))
		}
	}
	return out
}

func mismatch(what, want, got string) string {
	if got == "" {
		return fmt.Sprintf("expected %s %q, got a certificate that does not state one", what, want)
	}
	return fmt.Sprintf("expected %s %q, got %q", what, want, got)
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// repoFromURI returns "owner/repo" of "https://github.com/owner/repo".
func repoFromURI(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	_, path, _ := strings.Cut(rest, "/")
	return strings.TrimSuffix(path, "/")
}

// workflowPath returns ".github/workflows/f.yml" of a build config URI,
// "https://github.com/owner/repo/.github/workflows/f.yml@refs/heads/main".
func workflowPath(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "@")
	parts := strings.SplitN(rest, "/", 4) // host, owner, repo, path
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}
