package telemetrygate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/signing"
)

// maxShipped bounds a stream shipped: it is read into memory once to be
// hashed, uploaded and compared.
const maxShipped = 256 << 20

// worm is the S3 store streams are shipped to.
type worm struct {
	client    *minio.Client
	bucket    string
	prefix    string
	retention time.Duration
}

// newWORM reads the ship inputs. Credentials come from the step's env as
// the AWS tools read them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN).
func newWORM(in *gate.Inputs) (*worm, error) {
	bucket := in.String(inputBucket)
	if bucket == "" {
		return nil, gate.BadInputf(inputBucket, "", "is required by operation ship")
	}
	raw, err := signing.ServiceURL(inputEndpoint, in.String(inputEndpoint))
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(raw)
	if u.Path != "" {
		return nil, gate.BadInputf(inputEndpoint, raw, "want the endpoint's scheme and host only, without a path")
	}
	if in.Duration(inputRetention) < 24*time.Hour {
		return nil, gate.BadInputf(inputRetention, in.Raw(inputRetention), "want at least 24h: S3 Object Lock retention is counted in days")
	}
	id, secret := in.Env.Getenv("AWS_ACCESS_KEY_ID"), in.Env.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return nil, gate.BadInputf(inputBucket, bucket, "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the step's env")
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(id, secret, in.Env.Getenv("AWS_SESSION_TOKEN")),
		Secure: u.Scheme == "https", Region: in.String(inputRegion),
	})
	if err != nil {
		return nil, gate.BadInputf(inputEndpoint, raw, "%v", err)
	}
	return &worm{client: c, bucket: bucket, prefix: in.String(inputPrefix), retention: in.Duration(inputRetention)}, nil
}

// shipped is one object in the store.
type shipped struct {
	key, digest string
	until       time.Time
	existed     bool
}

// ship uploads each sealed stream and its checkpoint to the bucket, named
// by content digest, under compliance-mode retention, and checks after
// each upload what the store kept: the object's bytes, its lock mode and
// its retain-until date. A bucket without object lock, a retention
// shorter than asked or not in compliance mode, and an object whose
// current bytes are not the ones named are findings. A stream whose chain
// is broken or that has no checkpoint is not shipped.
func ship(ctx context.Context, in *gate.Inputs, streams []signer.Artifact, w *worm, now time.Time) (*gate.Result, error) {
	res := &gate.Result{Counters: map[string]int64{"streams": int64(len(streams))}}
	add := func(path, rule, msg string) {
		res.Findings = append(res.Findings, finding.Finding{Rule: rule, Severity: finding.Critical, Path: path,
			Message: msg, Fingerprint: finding.Fingerprint(rule, path, msg)})
	}
	mode, _, _, _, err := w.client.GetObjectLockConfig(ctx, w.bucket)
	if err != nil && !isNoLockConfig(err) {
		return nil, fmt.Errorf("reading the object lock configuration of bucket %q: %w", w.bucket, err)
	}
	if err != nil || mode == "" {
		add("", RuleWORMUnlocked, fmt.Sprintf("bucket %q has no object lock: objects in it can be deleted and overwritten; create it with object lock enabled", w.bucket))
		return shipResult(res, nil), nil
	}
	root := in.Workspace()
	var objects []shipped
	var b strings.Builder
	b.WriteString("| File | Object | Retained until | |\n|---|---|---|---|\n")
	for _, a := range streams {
		st, d, err := readStream(root, a.Rel)
		if err != nil {
			return nil, err
		}
		res.Read = append(res.Read, d)
		if p := st.Check(); p != nil {
			res.Findings = append(res.Findings, problemFinding(a.Rel, p))
			continue
		}
		res.Counters["events"] += int64(st.Count())
		cp, err := readCheckpoint(root, a.Rel)
		if errors.Is(err, errNoCheckpoint) {
			add(a.Rel, RuleCheckpointMissing, fmt.Sprintf("%s does not exist: seal the stream before shipping it", checkpointPath(a.Rel)))
			continue
		}
		if err != nil {
			return nil, gate.FileInputError(inputStreams, checkpointPath(a.Rel), err)
		}
		data, err := root.ReadFile(a.Rel, maxShipped)
		if err != nil {
			return nil, gate.FileInputError(inputStreams, a.Rel, err)
		}
		for _, f := range []struct {
			path, suffix string
			data         []byte
		}{{a.Rel, ".ndjson", data}, {checkpointPath(a.Rel), ".checkpoint.sigstore.json", cp}} {
			o, err := w.put(ctx, f.data, f.suffix, now)
			if err != nil {
				return nil, fmt.Errorf("shipping %s: %w", f.path, err)
			}
			objects = append(objects, o)
			verdict := "✅ stored"
			if o.existed {
				verdict = "✅ already stored"
			}
			if problem, err := w.check(ctx, o); err != nil {
				return nil, fmt.Errorf("checking %s in the store: %w", o.key, err)
			} else if problem != nil {
				add(f.path, problem.rule, problem.msg)
				verdict = "❌ " + problem.rule
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", gate.MarkdownCode(f.path), o.key, o.until.Format(time.RFC3339), verdict)
		}
	}
	res.Details = b.String()
	return shipResult(res, objects), nil
}

// put uploads data as the object named by its digest, under compliance
// retention until now + retention, unless an object of that name exists:
// the upload is conditional (If-None-Match: *), so nothing is ever
// overwritten, and an object already there is checked like a new one.
func (w *worm) put(ctx context.Context, data []byte, suffix string, now time.Time) (shipped, error) {
	sum := sha256.Sum256(data)
	o := shipped{digest: "sha256:" + hex.EncodeToString(sum[:])}
	o.key = w.prefix + "sha256-" + hex.EncodeToString(sum[:]) + suffix
	o.until = now.Add(w.retention).UTC().Truncate(time.Second).Add(time.Second)
	opts := minio.PutObjectOptions{Mode: minio.Compliance, RetainUntilDate: o.until, SendContentMd5: true,
		ContentType: "application/octet-stream"}
	opts.SetMatchETagExcept("*")
	_, err := w.client.PutObject(ctx, w.bucket, o.key, bytes.NewReader(data), int64(len(data)), opts)
	if resp := minio.ToErrorResponse(err); err != nil && resp.StatusCode == 412 {
		o.existed = true
		return o, nil
	}
	return o, err
}

type storeProblem struct{ rule, msg string }

// check reads back what the store holds under o.key: its bytes (the
// current version must be the content its name says), then its lock mode
// and retain-until date from the object's headers. HEAD answers them on
// AWS and S3-compatible stores alike, where GetObjectRetention's answer
// differs (versitygw v1.8.0 names its XML root ObjectLockRetention, not
// Retention, and minio-go refuses it).
func (w *worm) check(ctx context.Context, o shipped) (*storeProblem, error) {
	info, err := w.client.StatObject(ctx, w.bucket, o.key, minio.StatObjectOptions{})
	if err != nil {
		return nil, err
	}
	obj, err := w.client.GetObject(ctx, w.bucket, o.key, minio.GetObjectOptions{VersionID: info.VersionID})
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(obj, maxShipped+1)); err != nil {
		return nil, err
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != o.digest {
		return &storeProblem{RuleStoreMismatch, fmt.Sprintf("object %s holds %s, not the %s its name says", o.key, got, o.digest)}, nil
	}
	mode := info.Metadata.Get("X-Amz-Object-Lock-Mode")
	until, _ := time.Parse(time.RFC3339, info.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"))
	want := o.until
	if o.existed {
		// Stored by an earlier run: it owes the retention from when it
		// was stored.
		want = info.LastModified.Add(w.retention).Truncate(time.Second)
	}
	switch {
	case mode != string(minio.Compliance):
		return &storeProblem{RuleRetentionShort, fmt.Sprintf("object %s is locked in mode %q, not COMPLIANCE: it can be deleted before its time", o.key, mode)}, nil
	case until.Before(want):
		return &storeProblem{RuleRetentionShort, fmt.Sprintf("object %s is retained until %s, shorter than the %s asked (until %s)", o.key, orNever(until), w.retention, want.Format(time.RFC3339))}, nil
	}
	return nil, nil
}

func orNever(t time.Time) string {
	if t.IsZero() {
		return "never (no retention)"
	}
	return t.Format(time.RFC3339)
}

// isNoLockConfig reports whether err says the bucket has no object lock
// configuration (S3's ObjectLockConfigurationNotFoundError).
func isNoLockConfig(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == "ObjectLockConfigurationNotFoundError" || code == "ObjectLockConfigurationNotFound"
}

func shipResult(res *gate.Result, objects []shipped) *gate.Result {
	var keys []string
	existed := 0
	for _, o := range objects {
		keys = append(keys, o.key)
		if o.existed {
			existed++
		}
	}
	res.Counters["objects"] = int64(len(objects))
	res.Denied = len(res.Findings) > 0
	if res.Denied {
		res.Reason = fmt.Sprintf("%d problem%s: the telemetry is not safely in WORM storage.", len(res.Findings), plural(len(res.Findings)))
	} else {
		res.Reason = fmt.Sprintf("Shipped %d object%s (%d already stored), each locked in compliance mode for at least the retention asked and read back intact.", len(objects), plural(len(objects)), existed)
	}
	res.Outputs = map[string]string{outputObjects: strings.Join(keys, "\n"), outputEvents: strconv.FormatInt(res.Counters["events"], 10)}
	return res
}
