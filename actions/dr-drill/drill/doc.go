// Package drill is the dr-drill gate: disaster-recovery drills whose
// results are signed, so that promotion can require a recent, passing
// one.
//
// The recall operation takes the last releases (images by tag or digest),
// pulls each by digest, checks that its digest, its signature, its
// provenance and its other referrers (SBOMs, evidence) still resolve and
// verify, restores it into a scratch folder, and times it. The result is
// a drill record, an in-toto statement of [PredicateType] (JSON Schema in
// schema/), signed as a DSSE envelope, written to a file and attached as
// an OCI referrer to a drill subject image when one is given.
//
// The freshness operation ([Freshness]), which promote uses too, finds
// the newest drill record that verifies for the expected identity and
// denies when it failed or is older than max-drill-age (7 days by
// default).
package drill
