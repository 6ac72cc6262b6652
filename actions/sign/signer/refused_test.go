package signer

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Only the answers of registries without OCI 1.1 support count as a
// refused referrer; a refusal of the credentials must fail the run.
func TestRefusedIsMissingSupportOnly(t *testing.T) {
	for code, want := range map[int]bool{
		http.StatusBadRequest: true, http.StatusNotFound: true, http.StatusMethodNotAllowed: true, http.StatusUnsupportedMediaType: true,
		http.StatusUnauthorized: false, http.StatusForbidden: false, http.StatusTooManyRequests: false, http.StatusInternalServerError: false,
	} {
		err := fmt.Errorf("pushing: %w", &transport.Error{StatusCode: code})
		if got := refused(context.Background(), err); got != want {
			t.Errorf("HTTP %d: refused = %v, want %v", code, got, want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if refused(ctx, &transport.Error{StatusCode: http.StatusBadRequest}) {
		t.Error("a cancelled run counts a 400 as missing support")
	}
}
