package repro

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/hubgates/hub/shared/digest"
)

// canon renders a digest in hub's one canonical form.
func canon(h v1.Hash) string { return canonString(h.String()) }

// canonString normalizes a digest written in any form; text that is not a
// digest is returned as it is.
func canonString(s string) string {
	if n, err := digest.Normalize(s); err == nil {
		return n
	}
	return s
}
