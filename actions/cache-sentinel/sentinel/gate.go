package sentinel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"slices"

	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/signing"
)

// The gate's own inputs.
const (
	inputPaths           = "paths"
	inputExclude         = "exclude"
	inputKey             = "key"
	inputRestoreKeys     = "restore-keys"
	inputManifest        = "manifest"
	inputBundle          = "bundle"
	inputPublicKey       = "public-key"
	inputTrustedRoot     = "trusted-root"
	inputIdentityRegexp  = "certificate-identity-regexp"
	inputIssuer          = "certificate-oidc-issuer"
	inputProtectedRefs   = "protected-refs"
	inputTimeout         = "timeout"
	inputQuarantineDir   = "quarantine-dir"
	inputOnMismatch      = "on-mismatch"
	inputEmptyUntrusted  = "empty-untrusted"
	inputMaxAge          = "max-age"
	inputWorkers         = "workers"
	defaultActionsIssuer = "https://token.actions.githubusercontent.com"
)

// The gate's own outputs.
const (
	outputVerified       = "verified"
	outputQuarantined    = "quarantined"
	outputQuarantineRun  = "quarantine-folder"
	outputBytesChecked   = "bytes-checked"
	outputManifestDigest = "manifest-digest"
	outputSigner         = "signer"
	outputTrustDomain    = "trust-domain"
	outputKey            = "key"
	outputRestoreKeys    = "restore-keys"
	outputFiles          = "files"
	outputBytes          = "bytes"
)

// Gate is cache-sentinel as a hub gate: one action whose
// operation input chooses what it does (see the guide).
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  "cache-sentinel",
		Title: "sign caches and verify them before use",
		Description: "Makes GitHub Actions caches trustworthy. seal writes a manifest of every cached file's BLAKE3 digest, " +
			"size and mode and signs it with Sigstore (keyless with the job's OIDC token, or with a key); verify checks the " +
			"signature and every file against the manifest before the job reads the cache, and moves whatever does not match " +
			"into a quarantine folder; key computes cache keys scoped to the run's trust domain, so a fork's cache is never " +
			"restored by a trusted run.",
		Inputs: slices.Concat([]gate.Input{
			gate.OperationInput("What to do: seal (after building the cache, before actions/cache saves it), verify (right after actions/cache restores it, before anything reads it) or key (before actions/cache, to compute its key and restore-keys).",
				"seal", "verify", "key"),
			{Name: inputPaths, Kind: gate.List,
				Description: "seal, verify: the cache paths, relative to the workspace: the same folders or files actions/cache's path lists (globs are not expanded). Container actions see only the workspace, so keep caches in it (for example GOMODCACHE=${{ github.workspace }}/.cache/go-mod)."},
			{Name: inputExclude, Kind: gate.List,
				Description: "seal: doublestar globs over workspace-relative paths left out of the manifest. Verify quarantines anything the manifest does not list, so excluded files never come back from the cache."},
			{Name: inputKey, Kind: gate.String,
				Description: "key: the cache key to scope (required). seal: the key actions/cache saves under, recorded in the manifest (required). verify: when set, the key the manifest must have been sealed under (for example steps.<restore>.outputs.cache-matched-key)."},
			{Name: inputRestoreKeys, Kind: gate.List,
				Description: "key: restore-key prefixes to scope, most specific first."},
			{Name: inputManifest, Kind: gate.Path, AllowTemp: true, Default: ".cache-sentinel/manifest.json",
				Description: "seal, verify: the manifest file. Cache it with the cache paths (add it to actions/cache's path)."},
			{Name: inputBundle, Kind: gate.Path, AllowTemp: true, Default: ".cache-sentinel/manifest.sigstore.json",
				Description: "seal, verify: the manifest's Sigstore bundle. Cache it with the manifest."},
		}, signing.KeyInputs("seal: "), []gate.Input{
			{Name: inputPublicKey, Kind: gate.String,
				Description: "verify: accept only manifests signed with this key (PEM, the contents of cosign.pub) instead of keyless signatures."},
			{Name: inputTrustedRoot, Kind: gate.Path, AllowTemp: true,
				Description: "verify: a Sigstore trusted_root.json to verify keyless signatures against, with no network call. Empty fetches the public-good root through TUF."},
			{Name: inputIdentityRegexp, Kind: gate.String,
				Description: "verify: regular expression the signing certificate's identity must match. Empty means this repository's workflows on a protected ref (see protected-refs), or on this run's own ref when the run is not protected: ^<server>/<owner>/<repo>/\\.github/workflows/[^/@]+@(<refs>)$."},
			{Name: inputIssuer, Kind: gate.String, Default: defaultActionsIssuer,
				Description: "verify: the OIDC issuer the signing certificate must name."},
			{Name: inputProtectedRefs, Kind: gate.List,
				Description: "Refs whose runs are the protected trust domain (full refs; * matches within one segment, as in refs/tags/v*). Empty means the repository's default branch, from the event payload."},
		}, signing.ServiceInputs("seal: "), []gate.Input{
			{Name: inputTimeout, Kind: gate.Duration, Default: "2m",
				Description: "Longest time for the network calls (OIDC token, Fulcio, Rekor, TUF) together; transient failures are retried within it."},
			{Name: inputQuarantineDir, Kind: gate.Path, Default: ".cache-sentinel/quarantine",
				Description: "verify: the workspace folder that entries not matching the manifest are moved into: each run gets a new folder of its own under it (<UTC time>-<random>), where entries keep their workspace-relative path. Must lie outside the cache paths; a quarantine folder that is, or lies under, a symbolic link is refused."},
			{Name: inputOnMismatch, Kind: gate.Enum, Values: []string{"quarantine", "delete"}, Default: "quarantine",
				Description: "verify: move entries that do not match into quarantine-dir, or delete them."},
			{Name: inputEmptyUntrusted, Kind: gate.Bool, Default: "true",
				Description: "verify: when the manifest is missing, unsigned, wrongly signed or invalid, delete the cache paths so the job rebuilds from scratch instead of running untrusted files."},
			{Name: inputMaxAge, Kind: gate.Duration,
				Description: "verify: refuse manifests sealed longer ago than this (rollback protection). Empty accepts any age."},
			{Name: inputWorkers, Kind: gate.Int, Default: "0", Check: nonNegative,
				Description: "seal, verify: files hashed in parallel; 0 means one per CPU."},
		}),
		Outputs: []gate.Output{
			{Name: outputVerified, Description: "verify: true when the signature verified and every entry matched the manifest."},
			{Name: outputQuarantined, Description: "verify: number of entries moved to quarantine or deleted."},
			{Name: outputQuarantineRun, Description: "verify: the folder this run moved entries into (under quarantine-dir, workspace-relative), for a later step to upload; empty when nothing was moved."},
			{Name: outputBytesChecked, Description: "verify: bytes hashed and compared."},
			{Name: outputManifestDigest, Description: "seal, verify: the manifest's sha256 digest."},
			{Name: outputSigner, Description: "seal, verify: who signed the manifest: the certificate identity, or the key's sha256 ID."},
			{Name: outputTrustDomain, Description: "The run's trust domain: protected, internal or external."},
			{Name: outputKey, Description: "key: the scoped cache key for actions/cache's key."},
			{Name: outputRestoreKeys, Description: "key: the scoped restore keys, one per line, for actions/cache's restore-keys."},
			{Name: outputFiles, Description: "seal: number of files sealed."},
			{Name: outputBytes, Description: "seal: bytes sealed."},
		},
		Rules: Rules,
	},
	Run: run,
}

func nonNegative(v any) error {
	if n, ok := v.(int); ok && n < 0 {
		return errors.New("want zero or more")
	}
	return nil
}

// gcPercent is the garbage collector's pace while a gate runs. A walk
// allocates a little per entry and keeps most of it (the manifest), so at
// the default pace (100) the collector spends about a tenth of the CPU
// marking what stays live; at 400 it runs a quarter as often, for a peak
// heap up to five times the live one (the guide states the RSS measured).
const gcPercent = 400

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	class, err := classify(in)
	if err != nil {
		return nil, err
	}
	switch in.String(gate.InputOperation) {
	case "key":
		return runKey(in, class)
	case "seal":
		return runSeal(ctx, in, class)
	default:
		return runVerify(ctx, in, class)
	}
}

// classify reads the event payload and decides the run's trust domain.
func classify(in *gate.Inputs) (Classification, error) {
	ev := Event{Name: in.Env.EventName, Ref: in.Env.Ref, Repository: in.Env.Repository}
	if in.Env.EventPath != "" {
		b, err := os.ReadFile(in.Env.EventPath)
		if err != nil {
			return Classification{}, fmt.Errorf("reading the event payload GITHUB_EVENT_PATH: %w", err)
		}
		ev.Payload = b
	}
	c, err := Classify(ev, in.List(inputProtectedRefs))
	if errors.Is(err, ErrBadRefPattern) {
		return c, &gate.InputError{Input: inputProtectedRefs, Value: in.Raw(inputProtectedRefs), Problem: err.Error(), Err: err}
	}
	if err != nil {
		return c, gate.BadConfig(fmt.Errorf("GITHUB_EVENT_PATH %q: %w", in.Env.EventPath, err))
	}
	return c, nil
}

// tree builds the Tree of the paths input, with the manifest and bundle
// left out wherever they sit.
func tree(in *gate.Inputs) (Tree, error) {
	roots, err := ResolveRoots(in.Env.Workspace, in.List(inputPaths))
	if err != nil {
		var re *RootError
		if errors.As(err, &re) {
			return Tree{}, &gate.InputError{Input: inputPaths, Value: re.Root, Problem: re.Err.Error(), Err: err}
		}
		return Tree{}, err
	}
	t := Tree{Workspace: in.Env.Workspace, Roots: roots, Exclude: in.List(inputExclude), Workers: in.Int(inputWorkers)}
	if _, err := newMatcher(t.Exclude); err != nil {
		return Tree{}, &gate.InputError{Input: inputExclude, Value: in.Raw(inputExclude), Problem: err.Error(), Err: err}
	}
	for _, name := range []string{inputManifest, inputBundle} {
		if rel := in.Env.Rel(in.Path(name)); rel != in.Path(name) {
			t.Skip = append(t.Skip, rel)
		}
	}
	return t, nil
}

// identityRegexp returns the identity a keyless manifest must carry.
func identityRegexp(in *gate.Inputs, c Classification) (string, error) {
	if re := in.String(inputIdentityRegexp); re != "" {
		if _, err := regexp.Compile(re); err != nil {
			return "", gate.BadInputf(inputIdentityRegexp, re, "not a regular expression: %v", err)
		}
		return re, nil
	}
	if in.Env.Repository == "" {
		return "", gate.BadInputf(inputIdentityRegexp, "", "is required outside GitHub Actions (GITHUB_REPOSITORY is unset, so there is no default)")
	}
	refs := append([]string(nil), c.ProtectedRefs...)
	if c.Domain != DomainProtected && in.Env.Ref != "" {
		refs = append(refs, in.Env.Ref)
	}
	return DefaultIdentity(in.Env.ServerURL, in.Env.Repository, refs), nil
}
