// Package ociref resolves OCI image references to digests and attaches
// Sigstore signatures to images, for the gates that sign and verify images.
//
// An image is resolved once ([Resolve]): a tag is looked up in the
// registry and from then on only the digest is used, so an image re-tagged
// between signing and verifying can never be checked under the old
// signature. What is signed for an image is cosign's simple-signing payload
// ([Payload]), which binds the repository to the manifest digest.
//
// A signature is attached in either or both of two layouts:
//
//   - OCI referrers: the Sigstore bundle as an OCI 1.1 artifact whose
//     subject is the image, whose artifact type and one layer are the
//     Sigstore bundle media type and whose config is the OCI empty
//     descriptor ([Attach], or [AttachAnnotated] with manifest
//     annotations); found through the registry's referrers API,
//     or through the referrers tag schema ("sha256-<hex>" index) on
//     registries without it ([Bundles]).
//   - cosign's tag layout: the image at tag "sha256-<hex>.sig"
//     ([CosignTag]) with one layer per signature, the payload, whose
//     annotations carry the signature, certificate, chain and Rekor bundle
//     ([AttachCosign], [ReadCosign]). It is written and read with cosign
//     v2's own library, so "cosign verify" reads what is written here and
//     the reverse. [CosignSignature] turns a Sigstore bundle into such a
//     layer, [CosignLayer.SigstoreBundle] a layer back into a bundle for
//     sigstore-go, and [CheckPayload] checks that the payload, which the
//     layer supplies, names the image verified. [ReadCosign] reads
//     attestations (".att") too, whose layers are DSSE envelopes
//     ([DSSEMediaType]); [CosignLayer.SigstoreBundle] converts them the
//     same way, with the same annotations.
//
// cosign also attaches its signature image as an OCI referrer
// ("--registry-referrers-mode=oci-1-1", artifact type
// [CosignSignatureArtifactType]), read with [CosignReferrers], and "cosign
// sign --new-bundle-format" attaches a Sigstore bundle referrer holding a
// DSSE envelope whose in-toto statement (predicate type
// [CosignSignPredicateType]) names the image's digest; [Bundles] returns
// those with the others.
package ociref
