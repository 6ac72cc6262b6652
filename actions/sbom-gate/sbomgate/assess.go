package sbomgate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
)

// assessment scores vulnerabilities and decides which signed VEX covers.
type assessment struct {
	params   RiskParams
	kev      *KEV
	epss     *EPSS
	vex      *VEXIndex
	products []string
	docs     []vexDoc
	// findings are about the VEX documents (unsigned, untrusted).
	findings []finding.Finding
	read     []evidence.Artifact
	kevFrom  string
	epssFrom string
}

// vexDoc is what became of one VEX document, for the summary.
type vexDoc struct {
	Name       string
	Statements int
	Signer     string
	Problem    string // why it is ignored; empty when trusted
}

// httpClient fetches the feeds; requests carry the run's deadline.
var httpClient = &http.Client{}

// retryBase is the first backoff between feed download attempts.
var retryBase = 500 * time.Millisecond

// newAssessment loads KEV, EPSS and the VEX documents for judging the
// vulnerabilities of subject (the SBOM file under review and its parse).
func newAssessment(ctx context.Context, in *gate.Inputs, subject file, sb *SBOM) (*assessment, error) {
	a := &assessment{params: RiskParams{
		Threshold: number(in, inputThreshold), KEVBonus: number(in, inputKEVBonus), EPSSBonus: number(in, inputEPSSBonus),
		EPSSProbability: number(in, inputEPSSProbability), EPSSPercentile: number(in, inputEPSSPercentile),
	}}
	a.products = in.List(inputProduct)
	if len(a.products) == 0 {
		a.products = append(a.products, sb.SubjectPURLs...)
		for _, n := range strings.Split(sb.Subject, ", ") {
			if n != "" {
				a.products = append(a.products, n)
			}
		}
	}
	ctx, cancel := timeoutCtx(ctx, in)
	defer cancel()
	f := &fetcher{client: httpClient, today: in.Env.Now.UTC().Format(time.DateOnly), tries: 3, base: retryBase}
	if root, rel := in.Root(inputFeedCache); root != nil {
		f.cache, f.dir = root, rel
	}
	kevFeed := feed{input: inputKEV, kind: "kev", max: maxKEVBytes, parse: func(b []byte) (err error) { a.kev, err = ParseKEV(b); return }}
	epssFeed := feed{input: inputEPSS, kind: "epss", max: maxEPSSFile, parse: func(b []byte) (err error) { a.epss, err = ParseEPSS(b); return }}
	for _, fd := range []feed{kevFeed, epssFeed} {
		art, err := loadFeed(ctx, in, f, fd)
		if err != nil {
			return nil, err
		}
		a.read = append(a.read, art)
	}
	a.kevFrom, a.epssFrom = in.String(inputKEV), in.String(inputEPSS)
	a.read[0].Path += " (KEV catalogue " + a.kev.Version + ", released " + a.kev.Date() + ")"
	a.read[1].Path += " (EPSS scores of " + a.epss.Date + ")"
	if err := a.loadVEX(ctx, in, subject); err != nil {
		return nil, err
	}
	return a, nil
}

// loadFeed reads a feed from the workspace file or the URL its input names.
func loadFeed(ctx context.Context, in *gate.Inputs, f *fetcher, fd feed) (evidence.Artifact, error) {
	src := in.String(fd.input)
	if isURL(src) {
		_, art, err := f.fetch(ctx, fd, src)
		return art, err
	}
	rel := strings.TrimPrefix(path.Clean(src), "./")
	b, err := in.Workspace().ReadFile(rel, fd.max)
	if err != nil {
		return evidence.Artifact{}, listFileError(fd.input, rel, err)
	}
	if err := fd.parse(b); err != nil {
		return evidence.Artifact{}, badFile(fd.input, rel, err)
	}
	return artifact(rel, b), nil
}

// bundleSuffix names the Sigstore bundle beside a signed document.
const bundleSuffix = ".sigstore.json"

// loadVEX reads the vex input: each document with its bundle beside it,
// or attestation bundles. Only statements whose signature verifies for an
// allowed signer are indexed; the others are findings.
func (a *assessment) loadVEX(ctx context.Context, in *gate.Inputs, subject file) error {
	files, err := readListInput(in, inputVEX, maxVEXBytes)
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, f := range files {
		listed[f.name] = true
	}
	var todo []file
	for _, f := range files {
		// A glob over a folder lists the bundles beside the documents too.
		if doc, ok := strings.CutSuffix(f.name, bundleSuffix); ok && listed[doc] {
			continue
		}
		todo = append(todo, f)
	}
	var trusted []Statement
	if len(todo) == 0 {
		a.vex = NewVEXIndex(nil)
		return nil
	}
	v, read, err := newVerifier(ctx, in)
	if err != nil {
		return err
	}
	a.read = append(a.read, read...)
	for _, f := range todo {
		a.read = append(a.read, f.artifact())
		stmts, doc, err := a.verifyDocument(in, v, f, subject)
		if err != nil {
			return err
		}
		a.docs = append(a.docs, doc)
		if doc.Problem == "" {
			trusted = append(trusted, stmts...)
		}
	}
	a.vex = NewVEXIndex(trusted)
	return nil
}

// isBundle reports whether a file is a Sigstore bundle.
func isBundle(data []byte) bool {
	head := data[:min(len(data), 512)]
	return strings.Contains(string(head), `"application/vnd.dev.sigstore.bundle`)
}

// verifyDocument parses one VEX file and checks its signature. A file that
// does not parse is bad input; a signature that is missing or does not
// verify makes a finding, and the document's statements are not trusted.
func (a *assessment) verifyDocument(in *gate.Inputs, v SignatureVerifier, f file, subject file) ([]Statement, vexDoc, error) {
	doc := vexDoc{Name: f.name}
	if isBundle(f.data) {
		payload, signer, err := v.VerifyAttestation(f.data, subject.data)
		if err != nil {
			if errors.Is(err, sigstore.ErrMalformedBundle) {
				return nil, doc, badFile(inputVEX, f.name, err)
			}
			doc.Problem = signatureProblem(err, "attestation for "+subject.name)
			a.findings = append(a.findings, vexFinding(RuleVEXUntrusted, f.name, doc.Problem))
			return nil, doc, nil
		}
		stmts, err := ParseVEX(f.name, payload)
		if err != nil {
			return nil, doc, badFile(inputVEX, f.name, fmt.Errorf("the attestation's statement: %w", err))
		}
		doc.Statements, doc.Signer = len(stmts), signer.String()
		return withSigner(stmts, signer), doc, nil
	}
	stmts, err := ParseVEX(f.name, f.data)
	if err != nil {
		return nil, doc, badFile(inputVEX, f.name, err)
	}
	doc.Statements = len(stmts)
	bundleName := f.name + bundleSuffix
	bundle, err := in.Workspace().ReadFile(bundleName, maxBundleBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		doc.Problem = "not signed: no " + bundleName
		a.findings = append(a.findings, vexFinding(RuleVEXUnsigned, f.name,
			fmt.Sprintf("VEX document %s is not signed (no %s beside it): %s", f.name, bundleName, ignored(len(stmts)))))
		return nil, doc, nil
	case err != nil:
		return nil, doc, listFileError(inputVEX, bundleName, err)
	}
	a.read = append(a.read, artifact(bundleName, bundle))
	signer, err := v.VerifyBlob(bundle, f.data)
	if err != nil {
		if errors.Is(err, sigstore.ErrMalformedBundle) {
			return nil, doc, badFile(inputVEX, bundleName, err)
		}
		doc.Problem = signatureProblem(err, f.name)
		a.findings = append(a.findings, vexFinding(RuleVEXUntrusted, f.name,
			fmt.Sprintf("VEX document %s: %s: %s", f.name, doc.Problem, ignored(len(stmts)))))
		return nil, doc, nil
	}
	doc.Signer = signer.String()
	return withSigner(stmts, signer), doc, nil
}

// signatureProblem says in words why a signature was refused.
func signatureProblem(err error, what string) string {
	switch {
	case errors.Is(err, sigstore.ErrUntrustedSigner):
		return err.Error()
	case errors.Is(err, sigstore.ErrSignatureInvalid):
		return "the signature does not verify for " + what + " (edited after signing, or signed for something else): " + excerpt(err.Error())
	}
	return err.Error()
}

// ignored says that a document's n statements do not count.
func ignored(n int) string {
	if n == 1 {
		return "its statement is ignored"
	}
	return fmt.Sprintf("its %d statements are ignored", n)
}

func withSigner(stmts []Statement, s Signer) []Statement {
	for i := range stmts {
		stmts[i].Signer = s.String()
	}
	return stmts
}

func vexFinding(rule, name, msg string) finding.Finding {
	return finding.Finding{Rule: rule, Severity: finding.Medium, Message: msg, Path: name, Fingerprint: finding.Fingerprint(rule, name, "")}
}

// judge scores a vulnerability and finds the signed statement that decides
// it.
func (a *assessment) judge(v Vulnerability) (Risk, *Statement) {
	r := Score(v, a.kev, a.epss, a.params)
	return r, a.vex.Decide(v, a.products)
}
