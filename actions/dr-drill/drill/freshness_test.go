package drill

import (
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

const drillWorkflow = "https://github.com/acme/app/.github/workflows/dr-drill.yml@refs/heads/main"

func signedDrill(t *testing.T, s *sigstoretest.Sigstore, created time.Time, passed bool) []byte {
	t.Helper()
	st := Statement{Type: "https://in-toto.io/Statement/v1", PredicateType: PredicateType,
		Subject:   []Subject{{Name: "releases", Digest: map[string]string{"sha256": strings.Repeat("c", 64)}}},
		Predicate: Predicate{Operation: OpRecall, Created: created.UTC(), Passed: passed, Releases: []Release{}}}
	payload, err := Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateStatement(payload); err != nil {
		t.Fatal(err)
	}
	d, err := s.SignDSSE(sigstoretest.Run{Workflow: drillWorkflow, Repository: "acme/app", Ref: "refs/heads/main"}, sigstore.InTotoPayloadType, payload)
	if err != nil {
		t.Fatal(err)
	}
	return d.Bundle
}

// The newest verifying record decides; one dated after its signature,
// or signed by another identity, is refused; a failed or old one denies.
func TestNewestAndFresh(t *testing.T) {
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tr, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		t.Fatal(err)
	}
	id := &sigstore.Identity{SubjectRegexp: `^https://github\.com/acme/app/\.github/workflows/dr-drill\.yml@`, Issuer: sigstoretest.ActionsIssuer}
	now := time.Now()
	old := Candidate{Source: "old", Bundle: signedDrill(t, s, now.Add(-8*24*time.Hour), true)}
	recent := Candidate{Source: "recent", Bundle: signedDrill(t, s, now.Add(-time.Hour), false)}
	future := Candidate{Source: "future", Bundle: signedDrill(t, s, now.Add(48*time.Hour), true)}

	rec, refused := Newest([]Candidate{old, recent, future}, v, id)
	if rec == nil || rec.Source != "recent" || len(refused) != 1 || !strings.HasPrefix(refused[0], "future: ") {
		t.Fatalf("newest %+v, refused %v", rec, refused)
	}
	if fs := Fresh(rec, refused, DefaultMaxAge, now, ""); len(fs) != 1 || fs[0].Rule != RuleFailed {
		t.Errorf("a failed drill: %v", fs)
	}
	rec, _ = Newest([]Candidate{old}, v, id)
	if fs := Fresh(rec, nil, DefaultMaxAge, now, ""); len(fs) != 1 || fs[0].Rule != RuleStale {
		t.Errorf("an 8-day-old drill: %v", fs)
	}
	if fs := Fresh(rec, nil, 9*24*time.Hour, now, ""); len(fs) != 0 {
		t.Errorf("within a 9-day window: %v", fs)
	}
	other := &sigstore.Identity{SubjectRegexp: `^https://github\.com/evil/`, Issuer: sigstoretest.ActionsIssuer}
	rec, refused = Newest([]Candidate{recent}, v, other)
	if fs := Fresh(rec, refused, DefaultMaxAge, now, ""); rec != nil || len(fs) != 1 || fs[0].Rule != RuleMissing {
		t.Errorf("another identity: %+v %v", rec, fs)
	}
}
