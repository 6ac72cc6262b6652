package evidencegate

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/hubgates/hub/actions/dr-drill/drill"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
)

// recordVerifier returns the check of a record's bundle: it must exist and
// verify over the record's bytes for record-identity.
func recordVerifier(ctx context.Context, in *gate.Inputs) (func(Collected) error, []evidence.Artifact, error) {
	re := in.String(inputRecordID)
	if strings.TrimSpace(re) == "" {
		return nil, nil, gate.BadInputf(inputRecordID, "", "is required when signed-gates is given")
	}
	if _, err := regexp.Compile(re); err != nil {
		return nil, nil, gate.BadInputf(inputRecordID, re, "%v", err)
	}
	tr, read, err := drill.LoadTrust(ctx, in, inputTrustedRoot, inputTUFMirror)
	if err != nil {
		return nil, nil, err
	}
	v, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		return nil, nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
	}
	id := &sigstore.Identity{SubjectRegexp: re, Issuer: in.String(inputIssuer)}
	return func(c Collected) error {
		if c.Bundle == nil {
			return errors.New("no bundle " + c.Path + ".sigstore.json beside it")
		}
		// Checked against the digest of the bytes read and summarised,
		// not a second read that could differ.
		b, err := sigstore.ParseBundle(c.Bundle)
		if err != nil {
			return err
		}
		_, err = v.VerifyDigest(b, sigstore.Digest{Algorithm: "sha256", Value: c.Digest.Bytes()}, id)
		return err
	}, read, nil
}
