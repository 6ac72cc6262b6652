// Package promotegate is the promote gate: "verify everything, then copy
// by digest". For one image it verifies, with the verify-signature and
// verify-provenance gates' own functions, its signature and its SLSA
// provenance; its evidence bundle (package evidencegate: signed by the
// release workflow, every required gate passed, about this digest, recent
// enough); and the freshness of the last disaster-recovery drill (package
// drill). Only then does it copy the image (index or manifest) with every
// OCI referrer and cosign tag attached to it to the target repository
// with go-containerregistry, digests preserved, and verify the copy
// holds them all before it moves the target tag.
//
// Every failed check is a finding that names what is missing or wrong
// (exit 1); a registry, TUF mirror or other service that cannot be
// reached leaves the run undecided (exit 3), never passed.
package promotegate
