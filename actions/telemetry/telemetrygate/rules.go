package telemetrygate

import (
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/telemetry"
)

// The rule IDs. The chain's rules are named after telemetry's kinds.
const (
	RuleEdited             = string(telemetry.Edited)
	RuleInserted           = string(telemetry.Inserted)
	RuleDeleted            = string(telemetry.Deleted)
	RuleReordered          = string(telemetry.Reordered)
	RuleTruncated          = string(telemetry.Truncated)
	RuleMalformed          = string(telemetry.Malformed)
	RuleUnsealed           = string(telemetry.Unsealed)
	RuleCheckpointMissing  = "checkpoint-missing"
	RuleCheckpointInvalid  = "checkpoint-invalid"
	RuleCheckpointIdentity = "checkpoint-untrusted"
	RuleGap                = "gap"
	RuleWORMUnlocked       = "worm-unlocked"
	RuleRetentionShort     = "retention-short"
	RuleStoreMismatch      = "store-mismatch"
)

// Rules describes every rule the gate reports, for SARIF and the README.
var Rules = []finding.Rule{
	{ID: RuleEdited, Severity: finding.Critical, Summary: "An event was changed after it was written",
		Help: "The line's hash is not the one the next event (or the checkpoint, for the last sealed event) records: its bytes changed after the stream was written."},
	{ID: RuleInserted, Severity: finding.Critical, Summary: "An event was added to the stream",
		Help: "The line sits between two events that are chained to each other, not to it: it was added after they were written."},
	{ID: RuleDeleted, Severity: finding.Critical, Summary: "Events were removed from the stream",
		Help: "The line's sequence number skips those before it: the events between were removed."},
	{ID: RuleReordered, Severity: finding.Critical, Summary: "Events are out of order",
		Help: "The line's event belongs elsewhere in the stream: lines were moved."},
	{ID: RuleTruncated, Severity: finding.Critical, Summary: "The stream is shorter than sealed, or its last line is cut",
		Help: "The checkpoint seals more events than the file holds, or the last line has no newline: events were removed from the end, or a write was cut short."},
	{ID: RuleMalformed, Severity: finding.Critical, Summary: "A line is not a chained event",
		Help: "The line is not JSON, or has no seq and prev: it was not written by hub's telemetry, or was overwritten."},
	{ID: RuleUnsealed, Severity: finding.Info, Summary: "Events follow the sealed head",
		Help: "The stream goes on after the events its checkpoint seals (this gate's own event among them, when its telemetry-file is the stream); they are chained but no signature covers them yet. Seal the stream again to cover them."},
	{ID: RuleCheckpointMissing, Severity: finding.Critical, Summary: "A stream has no checkpoint",
		Help: "<stream>" + telemetry.CheckpointSuffix + " does not exist: without it, events cut from the end of the stream cannot be told from events never written. Seal streams with operation seal at the end of each job."},
	{ID: RuleCheckpointInvalid, Severity: finding.Critical, Summary: "A checkpoint does not verify",
		Help: "The checkpoint's bundle is malformed, its statement is not a telemetry checkpoint, or its signature was not made over it."},
	{ID: RuleCheckpointIdentity, Severity: finding.Critical, Summary: "A checkpoint was signed by another key",
		Help: "The checkpoint's signature is valid but not made by public-key: someone else sealed (or resealed) the stream."},
	{ID: RuleGap, Severity: finding.Critical, Summary: "A stream is missing between two sealed streams",
		Help: "Each checkpoint records the head of the stream sealed before it. A stream whose previous head is not the head of the stream sealed just before it (or of previous-checkpoint) follows a stream that is not there: a whole stream was removed or withheld."},
	{ID: RuleWORMUnlocked, Severity: finding.Critical, Summary: "The bucket has no object lock",
		Help: "ship stores telemetry only where it cannot be deleted or overwritten: the bucket must have been created with S3 Object Lock enabled. Nothing was shipped."},
	{ID: RuleRetentionShort, Severity: finding.Critical, Summary: "An object is retained for less than asked, or not in compliance mode",
		Help: "Read back after upload, the object's lock mode is not COMPLIANCE (governance mode can be bypassed with a permission) or its retain-until date is earlier than retention asks (from the time it was stored, for an object an earlier run shipped)."},
	{ID: RuleStoreMismatch, Severity: finding.Critical, Summary: "An object's bytes are not the ones its name says",
		Help: "Objects are named by the SHA-256 of their content. Read back, the current version under that name hashes to something else: a new version was put over it."},
}
