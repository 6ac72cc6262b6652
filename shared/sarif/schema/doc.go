// Package schema validates SARIF logs against the OASIS SARIF 2.1.0 JSON
// schema (errata 01), embedded from sarif-schema-2.1.0.json: unmodified,
// from github.com/oasis-tcs/sarif-spec, sarif-2.1/schema, commit
// e0583813964ec43cea53b6b531b402866095ed1f (112,768 bytes, SHA-256
// c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e),
// under the OASIS IPR policy.
//
// Tests use it to prove that every log hub writes is valid SARIF; gates that
// read other tools' SARIF can use it to reject what is not.
package schema
