package provenance

import "errors"

// The sentinel errors of this package; compare with errors.Is. Each is
// wrapped with the expected and the actual value.
var (
	// ErrMalformed: the provenance is not a Sigstore bundle holding a
	// DSSE-signed in-toto statement with SLSA provenance.
	ErrMalformed = errors.New("malformed provenance")
	// ErrSignature: the bundle does not verify against the trusted root.
	ErrSignature = errors.New("provenance signature does not verify")
	// ErrUntrustedBuilder: the provenance was signed or made by another
	// builder than the one expected.
	ErrUntrustedBuilder = errors.New("untrusted builder")
	// ErrMismatchSource: the artifact was built from another repository.
	ErrMismatchSource = errors.New("source repository does not match")
	// ErrMismatchBranch: the artifact was built from another branch.
	ErrMismatchBranch = errors.New("branch does not match")
	// ErrMismatchTag: the artifact was built from another tag.
	ErrMismatchTag = errors.New("tag does not match")
	// ErrMismatchVersionedTag: the artifact's tag is not the expected
	// semantic version.
	ErrMismatchVersionedTag = errors.New("versioned tag does not match")
	// ErrInvalidRef: a tag was expected but the build ran on another kind
	// of ref (a branch), or the ref is unreadable.
	ErrInvalidRef = errors.New("source ref is not of the expected kind")
	// ErrMismatchInputs: a workflow input differs from the expected value.
	ErrMismatchInputs = errors.New("workflow input does not match")
	// ErrMismatchArtifact: the artifact's digest is not a subject of the
	// provenance.
	ErrMismatchArtifact = errors.New("artifact is not a subject of the provenance")
	// ErrCertificateMismatch: the statement and the signing certificate
	// disagree about the builder, source or ref.
	ErrCertificateMismatch = errors.New("certificate and provenance disagree")
	// ErrUnavailable: the online path could not reach a service it needs.
	ErrUnavailable = errors.New("verification service unavailable")
)
