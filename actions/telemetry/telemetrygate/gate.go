package telemetrygate

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/telemetry"
)

// The gate's own inputs.
const (
	inputOperation    = "operation"
	inputStreams      = "streams"
	inputPrivateKey   = "private-key"
	inputPassword     = "private-key-password"
	inputPublicKey    = "public-key"
	inputPrevious     = "previous-checkpoint"
	inputTimeout      = "timeout"
	inputEndpoint     = "s3-endpoint"
	inputRegion       = "s3-region"
	inputBucket       = "s3-bucket"
	inputPrefix       = "s3-prefix"
	inputRetention    = "retention"
	outputObjects     = "objects"
	operationSeal     = "seal"
	operationVerify   = "verify"
	operationShip     = "ship"
	outputCheckpoints = "checkpoints"
	outputEvents      = "events"
	outputHead        = "head"
)

// Gate is telemetry as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  "telemetry",
		Title: "seal and verify tamper-evident telemetry",
		Description: "Seals hub's NDJSON telemetry streams (every gate appends one event, each carrying the SHA-256 of the line before it) " +
			"with a checkpoint signed as a DSSE envelope (the chain's head, its length, the time, and the head of the stream sealed before), " +
			"and verifies sealed streams: an event edited, inserted, deleted, reordered or cut off, a checkpoint signed by another key, " +
			"and a stream missing between two sealed ones are each a finding naming the first bad line.",
		Inputs: []gate.Input{
			{Name: inputOperation, Kind: gate.Enum, Values: []string{operationVerify, operationSeal, operationShip}, Default: operationVerify,
				Description: "seal writes <stream>" + telemetry.CheckpointSuffix + " beside each stream, signed with private-key; verify checks each stream against its checkpoint and public-key, and the streams against each other; ship uploads each sealed stream and its checkpoint to an S3 bucket with Object Lock, in compliance mode for retention, and reads back what the store kept."},
			{Name: inputStreams, Kind: gate.List, Required: true,
				Description: "Telemetry NDJSON files or doublestar globs (telemetry/*.ndjson), relative to the workspace. Globs skip the checkpoints. seal seals them in path order, each checkpoint naming the head of the one before; verify orders them by their checkpoints' sealing times."},
			{Name: inputPrivateKey, Kind: gate.Secret,
				Description: "seal: the signing key, the contents of a cosign key file or of a PEM ECDSA key (P-256, P-384 or P-521), or a KMS key: awskms://... or hashivault://<key name> (VAULT_ADDR and VAULT_TOKEN in the step's env)."},
			{Name: inputPassword, Kind: gate.Secret,
				Description: "seal: the password of an encrypted cosign key (COSIGN_PASSWORD)."},
			{Name: inputPublicKey, Kind: gate.String,
				Description: "verify: the public key (PEM, the contents of cosign.pub) every checkpoint must be signed with."},
			{Name: inputPrevious, Kind: gate.Path,
				Description: "The checkpoint of the stream sealed before these (from the previous job or run, as shipped). seal records its head in the first new checkpoint; verify requires the oldest stream to follow it. Empty: the first stream starts a new series."},
			{Name: inputEndpoint, Kind: gate.String, Default: "https://s3.amazonaws.com",
				Description: "ship: the S3 endpoint, scheme and host (http:// only for a loopback address). Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the step's env."},
			{Name: inputRegion, Kind: gate.String, Default: "us-east-1",
				Description: "ship: the bucket's region."},
			{Name: inputBucket, Kind: gate.String,
				Description: "ship: the bucket, created with S3 Object Lock enabled."},
			{Name: inputPrefix, Kind: gate.String, Default: "hub-telemetry/",
				Description: "ship: the key prefix; objects are named <prefix>sha256-<hex of the content>.ndjson and .checkpoint.sigstore.json."},
			{Name: inputRetention, Kind: gate.Duration, Default: "8760h",
				Description: "ship: how long each object is locked in compliance mode (nobody, the account's root included, can delete it or shorten this before then). At least 24h."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "2m",
				Description: "Longest time for the operation, a KMS signing call and every S3 request included."},
		},
		Outputs: []gate.Output{
			{Name: outputCheckpoints, Description: "seal: the checkpoints written, workspace-relative, one per line."},
			{Name: outputObjects, Description: "ship: the object keys stored or found already stored, one per line."},
			{Name: outputEvents, Description: "The number of events sealed or verified, over all streams."},
			{Name: outputHead, Description: "The head (sha256:<hex>) of the last stream sealed, or of the newest stream verified."},
		},
		Rules: Rules,
	},
	Run: run,
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	streams, err := signer.Resolve(in.Workspace(), in.List(inputStreams))
	if err != nil {
		return nil, signer.ArtifactsInputError(inputStreams, err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, in.Duration(inputTimeout),
		fmt.Errorf("the %s operation did not finish within the timeout of %v", in.String(inputOperation), in.Duration(inputTimeout)))
	defer cancel()
	switch in.String(inputOperation) {
	case operationSeal:
		s, err := newSigner(in)
		if err != nil {
			return nil, err
		}
		return seal(ctx, in, streams, s, time.Now().UTC())
	case operationShip:
		w, err := newWORM(in)
		if err != nil {
			return nil, err
		}
		return ship(ctx, in, streams, w, time.Now().UTC())
	default:
		pemKey := in.String(inputPublicKey)
		if pemKey == "" {
			return nil, gate.BadInputf(inputPublicKey, "", "is required by operation verify")
		}
		pub, err := sigstore.LoadPublicKey([]byte(pemKey))
		if err != nil {
			return nil, gate.BadInputf(inputPublicKey, "", "%v", err)
		}
		v, err := sigstore.NewKeyVerifier(pub)
		if err != nil {
			return nil, gate.BadInputf(inputPublicKey, "", "%v", err)
		}
		id, err := sigstore.KeyID(pub)
		if err != nil {
			return nil, gate.BadInputf(inputPublicKey, "", "%v", err)
		}
		return verify(in, streams, trust{v: v, keyID: id})
	}
}

// newSigner reads the sealing key: DSSE signing needs a key (keyless
// checkpoints would need a Rekor DSSE entry, which hub does not write).
func newSigner(in *gate.Inputs) (sigstore.DSSESigner, error) {
	pemKey := in.String(inputPrivateKey)
	if pemKey == "" {
		return nil, gate.BadInputf(inputPrivateKey, "", "is required by operation seal")
	}
	if sigstore.IsKMSReference(pemKey) {
		s, err := sigstore.NewKMSSigner(pemKey, sigstore.KMSAuth{
			Address: in.Env.Getenv("VAULT_ADDR"),
			Token:   in.Env.Getenv("VAULT_TOKEN"),
			Path:    in.Env.Getenv("TRANSIT_SECRET_ENGINE_PATH"),
			Region:  cmp.Or(in.Env.Getenv("AWS_REGION"), in.Env.Getenv("AWS_DEFAULT_REGION")),
		})
		if err != nil {
			return nil, &gate.InputError{Input: inputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
		}
		return s, nil
	}
	key, err := sigstore.LoadPrivateKey([]byte(pemKey), []byte(in.String(inputPassword)))
	if err != nil {
		return nil, &gate.InputError{Input: inputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
	}
	s, err := sigstore.NewKeySigner(key)
	if err != nil {
		return nil, &gate.InputError{Input: inputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
	}
	return s, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
