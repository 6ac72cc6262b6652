// Package orgfake is an in-process fake of the parts of the GitHub REST API
// org-guard reads and writes: the Actions permissions of an organization or
// a repository (permissions, selected actions, workflow token defaults,
// fork pull request approval), immutable releases, secret scanning push
// protection and rulesets. It answers in the shapes GitHub's published
// REST API description gives (github/rest-api-description), keeps what is
// written so a read-back sees it, and can refuse a path with 403 or 404,
// answer a secondary rate limit, page a list one item at a time, or accept
// a write without keeping it.
package orgfake
