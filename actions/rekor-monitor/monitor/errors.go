package monitor

import "errors"

// The sentinel errors of this package; compare with errors.Is.
var (
	// ErrUnavailable: the log did not answer, or kept failing, within the
	// retries and the deadline.
	ErrUnavailable = errors.New("rekor unavailable")
	// ErrMalformed: the log answered with something that is not what its
	// API documents.
	ErrMalformed = errors.New("malformed rekor response")
	// ErrInconsistent: the log's new tree is not an extension of the tree
	// the previous run saw (a failed consistency proof, a shrunk tree or a
	// changed root at the same size): the log forked or was rewritten.
	ErrInconsistent = errors.New("rekor log is inconsistent with the saved checkpoint")
	// ErrBadCheckpoint: the signed tree head does not verify against the
	// log's public key, or disagrees with the tree it describes.
	ErrBadCheckpoint = errors.New("rekor checkpoint does not verify")
	// ErrNoState: the state file is missing and starting a new one was not
	// asked for.
	ErrNoState = errors.New("no state file")
)
