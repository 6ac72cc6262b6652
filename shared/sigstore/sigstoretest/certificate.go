package sigstoretest

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/sigstore/fulcio/pkg/certificate"
)

// Run is the GitHub Actions run a certificate is issued to, as Fulcio
// reads it from the run's OIDC token. The empty fields of the run's
// details take the defaults [Run.WithDefaults] gives them.
type Run struct {
	// Workflow is the workflow that signs, with its ref:
	// "https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>".
	// It is the certificate's identity (subject alternative name) and
	// build signer; for a reusable workflow, the reusable one.
	Workflow string
	// Repository is the repository the run was for, "owner/repo".
	Repository string
	// Ref is the git ref the run was for ("refs/heads/main").
	Ref string
	// SHA is the commit.
	SHA string
	// Event is the event that started the run.
	Event string
	// ConfigPath is the run's top-level workflow file.
	ConfigPath string
	// RepositoryID and OwnerID are the repository's and its owner's
	// numeric GitHub IDs.
	RepositoryID, OwnerID string
}

// WithDefaults returns r with its empty details set: a fixed commit,
// event "push", config ".github/workflows/release.yml" and fixed IDs. A
// test writing a statement about the run reads them from here, so that
// the statement and the certificate agree.
func (r Run) WithDefaults() Run {
	if r.SHA == "" {
		r.SHA = "4d329c75e7ec1725f7c9ce917a8799d408d06be3"
	}
	if r.Event == "" {
		r.Event = "push"
	}
	if r.ConfigPath == "" {
		r.ConfigPath = ".github/workflows/release.yml"
	}
	if r.RepositoryID == "" {
		r.RepositoryID = "486325809"
	}
	if r.OwnerID == "" {
		r.OwnerID = "80431187"
	}
	return r
}

// InvocationURI is the run's URL, which provenance records as the
// invocation.
func (r Run) InvocationURI() string {
	return "https://github.com/" + r.Repository + "/actions/runs/1/attempts/1"
}

// Issue makes a ten-minute code-signing certificate for pub carrying every
// claim Fulcio copies from a GitHub Actions token of run (issuer,
// workflow, build signer, runner environment, source repository, ref and
// commit, build config, trigger, run), as public-good Fulcio issues them.
func (s *Sigstore) Issue(pub crypto.PublicKey, run Run) (*x509.Certificate, error) {
	r := run.WithDefaults()
	san, err := url.Parse(r.Workflow)
	if err != nil || san.Scheme != "https" || !strings.Contains(r.Workflow, "@") {
		return nil, fmt.Errorf("run workflow %q: want https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>", r.Workflow)
	}
	owner, _, ok := strings.Cut(r.Repository, "/")
	if !ok {
		return nil, fmt.Errorf("run repository %q: want owner/repo", r.Repository)
	}
	repoURL := "https://github.com/" + r.Repository
	return s.certify(pub, san, certificate.Extensions{
		Issuer:                              ActionsIssuer,
		GithubWorkflowTrigger:               r.Event,
		GithubWorkflowSHA:                   r.SHA,
		GithubWorkflowName:                  r.ConfigPath,
		GithubWorkflowRepository:            r.Repository,
		GithubWorkflowRef:                   r.Ref,
		BuildSignerURI:                      r.Workflow,
		BuildSignerDigest:                   r.SHA,
		RunnerEnvironment:                   "github-hosted",
		SourceRepositoryURI:                 repoURL,
		SourceRepositoryDigest:              r.SHA,
		SourceRepositoryRef:                 r.Ref,
		SourceRepositoryIdentifier:          r.RepositoryID,
		SourceRepositoryOwnerURI:            "https://github.com/" + owner,
		SourceRepositoryOwnerIdentifier:     r.OwnerID,
		BuildConfigURI:                      repoURL + "/" + r.ConfigPath + "@" + r.Ref,
		BuildConfigDigest:                   r.SHA,
		BuildTrigger:                        r.Event,
		RunInvocationURI:                    r.InvocationURI(),
		SourceRepositoryVisibilityAtSigning: "public",
	})
}

// certify makes a ten-minute code-signing certificate for pub, signed by
// the intermediate, naming san with the Fulcio extensions exts.
func (s *Sigstore) certify(pub crypto.PublicKey, san *url.URL, exts certificate.Extensions) (*x509.Certificate, error) {
	rendered, err := exts.Render()
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	now := time.Now().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:    serial,
		NotBefore:       now,
		NotAfter:        now.Add(10 * time.Minute),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		URIs:            []*url.URL{san},
		ExtraExtensions: rendered,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.interCert, pub, s.interKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
