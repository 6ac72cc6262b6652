package sentinel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
)

// maxBundleBytes bounds the bundle read: real bundles are a few KiB.
const maxBundleBytes = 16 << 20

// verification carries a verify run's state to its result.
type verification struct {
	in       *gate.Inputs
	t        Tree
	q        *Quarantine
	res      *gate.Result
	emptyBad bool
}

// runVerify checks the bundle, then the manifest, then every entry.
func runVerify(ctx context.Context, in *gate.Inputs, c Classification) (*gate.Result, error) {
	t, err := tree(in)
	if err != nil {
		return nil, err
	}
	q := &Quarantine{Root: in.Workspace(), Delete: in.String(inputOnMismatch) == "delete", Now: in.Env.Now}
	if !q.Delete {
		qdir := in.Path(inputQuarantineDir)
		if err := CheckApart(t.Workspace, t.Roots, qdir); err != nil {
			return nil, gate.BadInputf(inputQuarantineDir, in.Raw(inputQuarantineDir), "%v: quarantined files must leave the cache", err)
		}
		// The folder as named, not as resolved: a link on the way is
		// refused, wherever it points.
		rel := in.Lexical(inputQuarantineDir)
		if err := checkNoLinks(in.Workspace(), rel); err != nil {
			return nil, gate.BadInputf(inputQuarantineDir, in.Raw(inputQuarantineDir), "%v", err)
		}
		q.Dir = rel
	}
	tr, err := trustFrom(in, c)
	if err != nil {
		return nil, err
	}
	vr := &verification{in: in, t: t, q: q, emptyBad: in.Bool(inputEmptyUntrusted), res: &gate.Result{
		Outputs:  map[string]string{outputTrustDomain: string(c.Domain), outputVerified: "false", outputQuarantined: "0", outputBytesChecked: "0"},
		Counters: map[string]int64{"files": 0, "bytes": 0, "hits": 0, "misses": 0, "quarantined": 0, "hashing_ms": 0},
	}}
	manifestPath, bundlePath := in.Path(inputManifest), in.Path(inputBundle)
	mrel, brel := in.Env.Rel(manifestPath), in.Env.Rel(bundlePath)
	mroot, mname := in.Root(inputManifest)
	broot, bname := in.Root(inputBundle)
	// The manifest is only opened here: it is read whole only once its
	// signature holds, so an unsigned manifest of any size costs no memory.
	mfile, mstat, merr := mroot.OpenRegular(mname)
	if merr == nil {
		defer mfile.Close()
		if mstat.Size() > maxManifestBytes {
			merr = fmt.Errorf("%w: %d bytes, more than %d", errTooLarge, mstat.Size(), int64(maxManifestBytes))
		}
	}
	bdata, berr := broot.ReadFile(bname, maxBundleBytes)
	switch {
	case errors.Is(merr, fs.ErrNotExist) && errors.Is(berr, fs.ErrNotExist):
		empty, err := cacheEmpty(t)
		if err != nil {
			return nil, err
		}
		if empty {
			vr.res.Reason = "Cache miss: nothing was restored and there is no manifest, so there is nothing to verify."
			return vr.res, nil
		}
		return vr.untrusted(RuleUnsignedCache, mrel, fmt.Sprintf("the cache paths hold files but there is no manifest %s and no bundle %s: nothing says who wrote them", mrel, brel))
	case errors.Is(merr, fs.ErrNotExist):
		return vr.untrusted(RuleUnsignedCache, mrel, fmt.Sprintf("there is a bundle %s but no manifest %s", brel, mrel))
	case errors.Is(merr, errTooLarge), errors.Is(merr, fsroot.ErrNotRegular), errors.Is(merr, fsroot.ErrEscapes):
		return vr.untrusted(RuleManifestInvalid, mrel, fmt.Sprintf("manifest %s: %v", mrel, merr))
	case merr != nil:
		return nil, merr
	case errors.Is(berr, fs.ErrNotExist):
		return vr.untrusted(RuleUnsignedCache, brel, fmt.Sprintf("the manifest %s is not signed: there is no bundle %s", mrel, brel))
	case errors.Is(berr, fsroot.ErrTooLarge), errors.Is(berr, fsroot.ErrNotRegular), errors.Is(berr, fsroot.ErrEscapes):
		return vr.untrusted(RuleSignatureInvalid, brel, fmt.Sprintf("bundle %s: %v", brel, berr))
	case berr != nil:
		return nil, berr
	}
	if tr.root != nil {
		vr.res.Read = append(vr.res.Read, *tr.root)
	}
	v, err := tr.verifier(ctx)
	if err != nil {
		return nil, err
	}
	// The signature is checked over the manifest as it streams by; its
	// SHA-256 is taken on the way, and the copy read afterwards for
	// parsing must have the same.
	hashed := sha256.New()
	sres, err := v.VerifyReader(bdata, io.TeeReader(mfile, hashed), tr.identity)
	if err != nil {
		rule := signatureRule(err)
		if rule == "" {
			return nil, err
		}
		return vr.untrusted(rule, mrel, fmt.Sprintf("manifest %s: %v", mrel, err))
	}
	md := digest.Digest{Algorithm: digest.SHA256, Hex: hex.EncodeToString(hashed.Sum(nil))}
	mbytes, err := mroot.ReadFile(mname, maxManifestBytes)
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s: %w", mrel, err)
	}
	if got := digest.FromBytes(digest.SHA256, mbytes); got != md {
		return vr.untrusted(RuleManifestInvalid, mrel, fmt.Sprintf("manifest %s changed while it was verified: expected %s, got %s", mrel, md, got))
	}
	mdata := unsafeString(mbytes)
	vr.res.Outputs[outputManifestDigest] = md.String()
	vr.res.Read = append([]evidence.Artifact{
		{Path: mrel, Digest: md.String(), Size: int64(len(mdata))},
		{Path: brel, Digest: digest.FromBytes(digest.SHA256, bdata).String(), Size: int64(len(bdata))},
	}, vr.res.Read...)
	signer := signerName(sres.Kind, sres.Identity, sres.Issuer)
	vr.res.Outputs[outputSigner] = sres.Identity
	m, err := ParseManifestString(mdata)
	if err != nil {
		return vr.untrusted(RuleManifestInvalid, mrel, fmt.Sprintf("manifest %s (signed by %s): %v", mrel, signer, err))
	}
	if problem := headerProblem(in, c, m); problem != "" {
		return vr.untrusted(RuleManifestInvalid, mrel, fmt.Sprintf("manifest %s (signed by %s) %s", mrel, signer, problem))
	}
	rep, err := Verify(ctx, t, m, q)
	if errors.Is(err, ErrRootsDiffer) {
		return vr.untrusted(RuleManifestInvalid, mrel, fmt.Sprintf("manifest %s (signed by %s): %v", mrel, signer, err))
	}
	if err != nil {
		return nil, err
	}
	res := vr.res
	res.Findings = rep.Findings
	res.Denied = len(rep.Findings) > 0
	res.Outputs[outputVerified] = strconv.FormatBool(!res.Denied)
	res.Outputs[outputQuarantined] = strconv.Itoa(len(rep.Quarantined))
	res.Outputs[outputQuarantineRun] = q.run
	res.Outputs[outputBytesChecked] = strconv.FormatInt(rep.BytesChecked, 10)
	res.Counters = map[string]int64{"files": rep.Files, "bytes": rep.BytesChecked, "hits": rep.Hits, "misses": rep.Misses,
		"quarantined": int64(len(rep.Quarantined)), "hashing_ms": rep.Hashing.Milliseconds()}
	if res.Denied {
		res.Reason = fmt.Sprintf("%d entries did not match manifest %s signed by %s: %d %s, %d missing; %d entries matched.",
			len(rep.Findings), md, signer, len(rep.Quarantined), vr.removedWhere(), rep.Misses, rep.Hits)
	} else {
		res.Reason = fmt.Sprintf("Verified %d files (%d bytes) against manifest %s signed by %s.", rep.Files, rep.BytesChecked, md, signer)
	}
	res.Details = verifyDetails(m, md.String(), signer, c, rep, vr.removedWhere())
	return res, nil
}

// headerProblem checks that a verified manifest was sealed for this cache
// by a run this run may trust; it returns what is wrong, or "".
func headerProblem(in *gate.Inputs, c Classification, m *Manifest) string {
	switch {
	case in.Env.Repository != "" && !strings.EqualFold(m.Repository, in.Env.Repository):
		return fmt.Sprintf("was sealed for repository %q, not %q", m.Repository, in.Env.Repository)
	case in.String(inputKey) != "" && m.CacheKey != in.String(inputKey):
		return fmt.Sprintf("was sealed for cache key %q, not %q", m.CacheKey, in.String(inputKey))
	case !c.Domain.Accepts(m.TrustDomain):
		return fmt.Sprintf("was sealed by a run in trust domain %s; this run (%s) accepts only caches sealed in domains at least as trusted as its own, %s", m.TrustDomain, c.Why, c.Domain)
	case in.Duration(inputMaxAge) > 0 && in.Env.Now.Sub(m.Created) > in.Duration(inputMaxAge):
		return fmt.Sprintf("was sealed at %s, longer ago than max-age %s", m.Created.Format("2006-01-02T15:04:05Z"), in.Raw(inputMaxAge))
	}
	return ""
}

// untrusted denies a cache nothing in which can be trusted, and empties
// the cache paths when asked to.
func (vr *verification) untrusted(rule, path, msg string) (*gate.Result, error) {
	res := vr.res
	res.Denied = true
	res.Findings = []finding.Finding{newFinding(rule, path, rule, msg)}
	res.Reason = "Nothing in the cache is trusted: " + msg + "."
	if vr.emptyBad {
		removed, err := vr.q.Empty(vr.t.Roots)
		if err != nil {
			return nil, err
		}
		res.Outputs[outputQuarantined] = strconv.Itoa(len(removed))
		res.Counters["quarantined"] = int64(len(removed))
		res.Reason += fmt.Sprintf(" Emptied %d cache paths so the job rebuilds them.", len(removed))
	} else {
		res.Reason += " The cache paths were left as they are (empty-untrusted is false): do not use them."
	}
	return res, nil
}

func (vr *verification) removedWhere() string {
	if vr.q.Delete {
		return "deleted"
	}
	if vr.q.run != "" {
		return "quarantined in " + vr.q.run
	}
	return "quarantined in " + vr.q.Dir
}

// errTooLarge is returned for a manifest or bundle larger than any real
// one: a file planted to exhaust memory is refused, not read.
var errTooLarge = errors.New("larger than any real one")

// unsafeString views b as a string without a copy: the manifest is
// parsed from it, and b is not written again.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// cacheEmpty reports whether every cache path is absent or an empty
// directory: what actions/cache leaves on a cache miss.
func cacheEmpty(t Tree) (bool, error) {
	for _, r := range t.Roots {
		p := filepath.Join(t.Workspace, filepath.FromSlash(r))
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return false, err
		}
		if !fi.IsDir() {
			return false, nil
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return false, err
		}
		if len(entries) > 0 {
			return false, nil
		}
	}
	return true, nil
}
