package sigstore

// Gates run FROM scratch: embed CA roots so TLS works without a base
// image's certificate bundle. Every gate that reaches the network signs or
// verifies through this package, so the roots are linked here rather than
// into every gate: parsing them costs a few milliseconds at start-up that
// the offline gates (sarif-gate) do not pay. Gates that reach
// the network by other clients (go-github) import the roots themselves.
import _ "golang.org/x/crypto/x509roots/fallback"
