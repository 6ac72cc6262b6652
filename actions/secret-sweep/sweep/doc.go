// Package sweep is the secret-sweep gate: it sweeps the running job, not
// its git history, for secrets that a later step could read and send away
// (what the tj-actions and trivy-action compromises of 2025 lifted from
// runners): the environment and command line of every process it can see,
// the workspace and the folders about to be uploaded, the home folder and
// the files where credentials are known to land.
//
// Two detectors run over every piece of text. Gitleaks' default rule set,
// linked in, finds known token formats; GitHub's classic tokens and npm's
// tokens carry a CRC32 checksum, and a match whose checksum fails is not
// reported. The values of the secrets the caller hands in are held only
// as SHA-256 digests and found with a rolling hash, so no value is kept
// or printed. A finding names the place, the format and at most the
// format's public prefix (ghp_), and its fingerprint hashes the value's
// digest with the place.
//
// The gate runs in two scopes. As a container action (scope container) it
// sees its own container: the workspace, /github/home and its own
// environment, which holds whatever the job's env gave every step. Run on
// the runner's process and file namespaces (scope host, docker run
// --pid=host --cap-add SYS_PTRACE -v /:/host:ro) it reads every process's
// environment and the runner's folders.
package sweep
