// Package atomicfile writes files so that readers see the old content or the
// new content, never a partial file: a temporary file in the same directory,
// synced to disk (except by WriteReport), then renamed over the target.
// Every file a hub gate writes for a later step (SARIF, evidence, manifests)
// goes through it.
package atomicfile
