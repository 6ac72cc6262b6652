package provenance

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hubgates/hub/actions/verify-provenance/provenance/provenancetest"
)

// slsa-github-generator's builders are trusted at release tags only: the
// same provenance signed by the builder at a branch, a commit or a pull
// request's ref is the output of code anybody may have written, and must
// fail even when the policy's builder-id names no version.
func TestGeneratorBuilderAtAReleaseTagOnly(t *testing.T) {
	ctx := context.Background()
	s, o := virtual(t)
	host := newRegistry(t, true)
	p := Policy{SourceURI: appSource, BuilderID: containerGenerator, SourceBranch: "main"}
	for ref, wantErr := range map[string]error{
		"refs/tags/v2.1.0":      nil,
		"refs/heads/main":       ErrUntrustedBuilder,
		"refs/pull/1/merge":     ErrUntrustedBuilder,
		strings.Repeat("a", 40): ErrUntrustedBuilder,
	} {
		img := pushRandom(t, host+"/acme/app:"+strings.NewReplacer("/", "-").Replace(ref))
		builder := containerGenerator + "@" + ref
		run := provenancetest.Run{Workflow: builder, Repository: appRepo, Ref: "refs/heads/main", Event: "push"}
		build := provenancetest.Build{BuilderID: builder, Repository: appRepo, Ref: "refs/heads/main", Event: "push",
			Subjects: []provenancetest.Subject{{Name: "acme/app", SHA256: img.Digest.Hex}}}
		a, err := s.Attest(run, provenancetest.ContainerGeneratorStatement(build))
		if err != nil {
			t.Fatal(err)
		}
		if err := provenancetest.AttachCosign(ctx, img.Ref, []*provenancetest.Attestation{a}); err != nil {
			t.Fatal(err)
		}
		_, err = verifyImageOffline(t, o, img, p)
		switch {
		case wantErr == nil && err != nil:
			t.Errorf("builder at %s: %v", ref, err)
		case wantErr != nil && !errors.Is(err, wantErr):
			t.Errorf("builder at %s: %v, want %v", ref, err, wantErr)
		case wantErr != nil && !strings.Contains(err.Error(), "release tag"):
			t.Errorf("builder at %s: %v does not say a release tag is needed", ref, err)
		}
	}
}
