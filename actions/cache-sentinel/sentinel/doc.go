// Package sentinel is the cache-sentinel gate: signed BLAKE3 manifests for
// GitHub Actions caches, verified before the cache is used.
//
// [Seal] walks the cache paths and hashes every regular file with BLAKE3
// (zeebo/blake3's SIMD code, a bounded pool of workers, a fixed buffer per
// worker), producing a [Manifest]: a versioned, deterministic JSON document
// ([FormatV1]) listing every file, directory and symbolic link with its
// size, mode, link target and digest, plus the cache key and the run that
// sealed it. The gate signs the manifest's bytes with package
// shared/sigstore.
//
// [Verify] compares a restored tree with a verified manifest and hands
// whatever differs to a [Quarantine], which moves it out of the cache
// paths or deletes it. [ParseManifest] refuses any manifest that could
// name a place outside the cache (see [CheckRelPath]).
//
// [Classify] decides a run's trust domain from its event, and [Keys]
// scopes actions/cache keys by domain, so a less trusted run can neither
// write a key a more trusted run restores nor have its manifest accepted
// by one ([Domain.Accepts]).
//
// [Gate] wires these to the hub gate runtime; the guide (actions/
// cache-sentinel/guide.md) documents the modes, the format and the scheme.
package sentinel
