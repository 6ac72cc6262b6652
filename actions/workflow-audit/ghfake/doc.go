// Package ghfake is an in-memory GitHub REST API for workflow-audit's
// tests: the endpoints the online rules and fix mode call (repositories,
// tags, branches, git refs and tags, compare, global security advisories),
// answering with the response shapes of GitHub's published REST API
// description, pagination links and error bodies included. It is served
// with net/http/httptest; nothing in it is used outside tests.
package ghfake
