package orgguard

// The gate's image is FROM scratch, with no CA certificates; it talks to
// the GitHub API over TLS, so it carries Mozilla's roots as a fallback
// the system pool takes precedence over wherever one exists.
import _ "golang.org/x/crypto/x509roots/fallback"
