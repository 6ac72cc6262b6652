// Package ociref resolves OCI image references to digests and attaches
// Sigstore bundles to images, for the gates that sign and verify images.
//
// An image is resolved once ([Resolve]): a tag is looked up in the
// registry and from then on only the digest is used, so an image re-tagged
// between signing and verifying can never be checked under the old
// signature. What is signed for an image is cosign's simple-signing payload
// ([Payload]), which binds the repository to the manifest digest.
//
// Bundles are attached as OCI 1.1 artifacts whose subject is the image,
// whose artifact type and one layer are the Sigstore bundle media type and
// whose config is the OCI empty descriptor ([Attach]); they are found
// through the registry's referrers API, or through the referrers tag
// schema ("sha256-<hex>" index) on registries without it ([Bundles]).
// Compatibility with other tools' attachments has not been tested.
package ociref
