// Package evidencegate is the evidence gate: it collects the evidence
// records the run's gates wrote (shared/evidence), checks them against a
// required-gates policy (which gates must have run and passed, for this
// repository and commit, on which subjects, how recently), and turns them
// into one in-toto Statement about the release's artifacts or images whose
// predicate ([PredicateType], JSON Schema in schema/) lists each gate's
// verdict, findings counts and inputs digest, the run's identity and the
// dashboards a reviewer follows.
//
// The statement is signed as a DSSE envelope in a Sigstore bundle
// (keyless in GitHub Actions, a key or a KMS key elsewhere), written to a
// file and attached to every image subject as an OCI referrer. A record
// that is missing, failed, unreadable, stale or about another run or
// subject is a finding, and then nothing is signed: a bundle exists only
// for a release whose every required gate passed.
//
// [VerifyBundle] is the other half, used by the promote gate: it checks a
// bundle's signature and identity and returns the statement.
package evidencegate
