package signing

import (
	"strings"

	"github.com/hubgates/hub/shared/gate"
)

// KeyInputs declares private-key and private-key-password as [Signer]
// reads them. scope starts each description, for a gate that signs in one
// mode only (cache-sentinel: "seal: "); "" starts it with a capital.
func KeyInputs(scope string) []gate.Input {
	return []gate.Input{
		{Name: InputPrivateKey, Kind: gate.Secret,
			Description: scoped(scope, "sign with this key instead of keyless: the contents of a cosign key file (cosign generate-key-pair) or of an unencrypted PKCS #8 or EC PEM key. Or a KMS key: awskms://[endpoint]/<key ID, ARN or alias/name> (AWS credentials and AWS_REGION in the step's env), or hashivault://<key name> (VAULT_ADDR and VAULT_TOKEN, and TRANSIT_SECRET_ENGINE_PATH if not \"transit\"); gcpkms:// and azurekms:// are refused.")},
		{Name: InputPassword, Kind: gate.Secret,
			Description: scoped(scope, "the password of an encrypted cosign key (COSIGN_PASSWORD).")},
	}
}

// ServiceInputs declares fulcio-url and rekor-url, the public-good
// instances by default, as [Signer] reads them for keyless signing.
func ServiceInputs(scope string) []gate.Input {
	return []gate.Input{
		{Name: InputFulcioURL, Kind: gate.String, Default: "https://fulcio.sigstore.dev",
			Description: scoped(scope, "the Fulcio certificate authority for keyless signing.")},
		{Name: InputRekorURL, Kind: gate.String, Default: "https://rekor.sigstore.dev",
			Description: scoped(scope, "the Rekor transparency log keyless signatures are recorded in.")},
	}
}

func scoped(scope, text string) string {
	if scope == "" {
		return strings.ToUpper(text[:1]) + text[1:]
	}
	return scope + text
}
