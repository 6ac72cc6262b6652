package sentinel

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/atomicfile"
	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/gate"
)

// runSeal hashes the cache, writes the manifest and signs it.
func runSeal(ctx context.Context, in *gate.Inputs, c Classification) (*gate.Result, error) {
	t, err := tree(in)
	if err != nil {
		return nil, err
	}
	key := in.String(inputKey)
	if key == "" {
		return nil, gate.BadInputf(inputKey, "", "is required with operation seal: the key actions/cache saves the cache under, which the manifest records")
	}
	s, err := signer(in)
	if err != nil {
		return nil, err
	}
	for _, r := range t.Roots {
		if _, err := os.Lstat(filepath.Join(t.Workspace, filepath.FromSlash(r))); err != nil {
			return nil, gate.BadInputf(inputPaths, r, "cannot be sealed: %v", err)
		}
	}
	header := Manifest{CacheKey: key, Repository: in.Env.Repository, Ref: in.Env.Ref, SHA: in.Env.SHA,
		RunID: in.Env.RunID, TrustDomain: c.Domain, Created: in.Env.Now.UTC()}
	rep, err := Seal(ctx, t, header)
	if err != nil {
		return nil, err
	}
	res := &gate.Result{Outputs: map[string]string{outputTrustDomain: string(c.Domain)}, Findings: rep.Findings,
		Counters: map[string]int64{"hashing_ms": rep.Hashing.Milliseconds()}}
	if rep.Manifest == nil {
		res.Denied = true
		res.Reason = fmt.Sprintf("Not sealed: %d entries a trusted cache cannot hold; fix or exclude them.", len(rep.Findings))
		return res, nil
	}
	m := rep.Manifest
	data, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, in.Duration(inputTimeout))
	defer cancel()
	sig, err := s.Sign(sctx, data)
	if err != nil {
		return nil, fmt.Errorf("signing the manifest: %w", err)
	}
	manifestPath, bundlePath := in.Path(inputManifest), in.Path(inputBundle)
	for _, f := range []struct {
		path string
		data []byte
	}{{manifestPath, data}, {bundlePath, sig.Bundle}} {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return nil, fmt.Errorf("writing %s: %w", in.Env.Rel(f.path), err)
		}
		if err := atomicfile.WriteFile(f.path, f.data, 0o644); err != nil {
			return nil, err
		}
	}
	md := digest.FromBytes(digest.SHA256, data)
	res.Outputs[outputManifestDigest] = md.String()
	res.Outputs[outputSigner] = sig.Identity
	res.Outputs[outputFiles] = strconv.FormatInt(m.Files, 10)
	res.Outputs[outputBytes] = strconv.FormatInt(m.Bytes, 10)
	res.Counters["files"] = m.Files
	res.Counters["bytes"] = m.Bytes
	res.Read = []evidence.Artifact{
		{Path: in.Env.Rel(manifestPath), Digest: md.String(), Size: int64(len(data))},
		{Path: in.Env.Rel(bundlePath), Digest: digest.FromBytes(digest.SHA256, sig.Bundle).String(), Size: int64(len(sig.Bundle))},
	}
	res.Reason = fmt.Sprintf("Sealed %d files (%d bytes) of %s under key %s: manifest %s signed by %s.",
		m.Files, m.Bytes, strings.Join(t.Roots, ", "), key, md, signerName(sig.Kind, sig.Identity, sig.Issuer))
	res.Details = sealDetails(m, md.String(), sig.Kind, sig.Identity, sig.Issuer, sig.LogIndex, c, in.Env.Rel(manifestPath), in.Env.Rel(bundlePath))
	return res, nil
}
