package drill

import (
	"context"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/hubgates/hub/actions/verify-signature/sigverify"
	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/signing"
	"github.com/hubgates/hub/shared/sigstore"
)

// LoadTrust reads the trusted root the rootInput file names, or, when it
// is empty, fetches the public-good one through TUF from the mirror
// mirrorInput names (a mirror that cannot be reached is an error, exit 3).
func LoadTrust(ctx context.Context, in *gate.Inputs, rootInput, mirrorInput string) (*root.TrustedRoot, []evidence.Artifact, error) {
	if in.Path(rootInput) == "" {
		mirror, err := signing.ServiceURL(mirrorInput, in.String(mirrorInput))
		if err != nil {
			return nil, nil, err
		}
		tr, err := sigverify.FetchTrustedRoot(ctx, mirror, nil)
		return tr, nil, err
	}
	b, err := in.ReadFile(rootInput, 4<<20)
	if err != nil {
		return nil, nil, err
	}
	tr, err := sigstore.ParseTrustedRoot(b)
	if err != nil {
		return nil, nil, gate.BadInputf(rootInput, in.Raw(rootInput), "%v", err)
	}
	return tr, []evidence.Artifact{{Path: in.Env.Rel(in.Path(rootInput)), Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))}}, nil
}
