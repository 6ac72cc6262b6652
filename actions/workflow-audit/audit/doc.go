// Package audit is the scanning core of hub's workflow-audit gate: it finds a
// repository's GitHub Actions workflows, action metadata files and
// Dockerfiles, parses them into a small normalised model with positions, and
// runs rules over that model. Problems are reported as [finding.Finding]
// values, never as Go errors; a Go error from [Scan] means the scan itself
// could not be done (a bad path, an unreadable file, a cancelled context).
//
// # Rules
//
// See [Rules] for the machine-readable list.
//
//   - unpinned-uses (high): a step "uses:" or a job-level reusable workflow
//     "uses:" names another repository ("owner/repo[/path]@ref") at a ref that
//     is not a full, lower-case 40-hex commit SHA. Tags, branches and short
//     SHAs (7-39 hex digits) all fire; so do a missing "@ref", a malformed
//     reference and an expression (GitHub does not evaluate expressions in
//     "uses:"). "./local" actions are fine, and "docker://" values belong to
//     unpinned-images. A trailing "# v4.2.2" comment is not part of the value
//     and is the recommended way to keep the tag readable.
//   - unpinned-images (high): a container image that is not pinned by
//     "@sha256:<64 hex>": "docker://" step uses, a job "container:" (string
//     or "image:"), "services.<id>.image", a Docker action's "runs.image" when
//     it is "docker://..." or a registry reference that names no file
//     ("ghcr.io/o/tool:1", "alpine:3.20": GitHub pulls those too), Dockerfile FROM lines and Dockerfile
//     "COPY --from=<image>". An image that contains a "${{ }}" expression
//     (and does not end in a literal digest) cannot be checked and is
//     reported at medium severity, as is a FROM whose image is entirely a
//     build argument without a default. "FROM scratch" and FROM/COPY --from
//     of a build stage name (case-insensitive) are fine. A Docker action
//     whose "runs.image" is a local Dockerfile path is not flagged itself:
//     the image is built at run time from that Dockerfile's FROM lines, so
//     the Dockerfile is scanned (it is added to the scan even when Paths did
//     not name it) and its FROM lines are what get checked.
//   - invalid-workflow (high): a file GitHub (or docker build) would reject:
//     broken YAML, actionlint's syntax-level errors from [actionlint.Parse]
//     (unknown keys, missing "on"/"jobs"/"runs-on"/"steps", wrong node
//     kinds), an action.yml without "runs" or with an unknown "runs.using",
//     a Dockerfile FROM without an image, a file that is binary or not UTF-8,
//     a file larger than [MaxFileSize], YAML whose aliases expand beyond
//     [MaxYAMLNodes] nodes, and a workflow actionlint panics on (recovered).
//     actionlint's "anchor is defined but not used" is not reported: GitHub
//     accepts unused anchors.
//   - excessive-permissions (medium): GITHUB_TOKEN permissions. No
//     "permissions:" at the top and none on a job leaves the repository
//     default: reported once at "on:" when no job sets any, otherwise once
//     per job lacking them. A workflow that only runs on workflow_call takes
//     its caller's permissions and is not reported for lacking them.
//     "write-all" is high, "read-all" low; "id-token: write" in a workflow
//     a privileged trigger starts (pull_request_target, workflow_run,
//     issue_comment, issues, discussion...) is high. A write scope no step
//     of the jobs holding it uses is medium, judged conservatively: only
//     jobs made entirely of steps the rule understands are judged (run
//     scripts that do not use gh, git push/tag, the REST API, OIDC or a
//     publishing tool and are not handed the token; actions from a list of
//     read-only and of known writing actions), so an unknown action, a
//     local action, github-script or a reusable workflow call means no
//     finding. Any run step counts as using id-token (the runner gives every
//     process the OIDC request variables) and, after a checkout that keeps
//     its credentials, contents (any tool can push). A workflow-level write scope is reported when no inheriting
//     job uses it, or when only some do (move it to them).
//   - secrets-inherit (medium): "secrets: inherit" on a reusable workflow
//     call, at the "inherit" value; high when the callee is in another
//     repository and not pinned to a commit SHA. Expressions that load the
//     whole secrets context (toJSON(secrets), secrets.*, a computed
//     secrets[...] index) are reported too; a quoted literal index names one
//     secret and is fine.
//   - pat-usage (medium): a secret other than GITHUB_TOKEN given to
//     actions/checkout "token:" or "ssh-key:", to GH_TOKEN, GITHUB_TOKEN,
//     GH_ENTERPRISE_TOKEN or GITHUB_PAT in any env block, to a git remote
//     URL on a GitHub host or git's http.extraheader in a run script, or to
//     an action input named for GitHub (github-token, repo-token...);
//     inputs only called "token" or "*-token" fire when the secret's name
//     matches [DefaultPATPattern], so other services' tokens given to their
//     own actions do not. A registry password written literally in a job's
//     container or service credentials is high.
//   - artipacked (medium): actions/checkout without "persist-credentials:
//     false" (a literal false; an expression is left alone) followed by an
//     artifact upload (actions/upload-artifact, upload-pages-artifact) in the
//     same job or composite action: high when a path covers the whole
//     workspace ("." or ${{ github.workspace }}), medium otherwise; or in a
//     job of a privileged trigger that checks out pull request code.
//   - cache-poisoning (high): a step that restores a GitHub Actions cache
//     (the actions in cacheActions, after zizmor's list of cache-aware
//     actions: actions/cache and cache/restore unless lookup-only,
//     setup-go from v4 and setup-node from v5 by default, setup-uv,
//     setup-rust-toolchain, mise, setup-zig, setup-gradle, composer-install
//     and setup-bun unless turned off, setup-python/java/graalvm/dotnet,
//     setup-ruby's bundler-cache and maturin-action's sccache when turned
//     on, sccache-action and the nix and apt caches always) in a workflow
//     that publishes (a release event, a tag push, a push to a release
//     branch, a deployment environment) or that a privileged trigger
//     starts, or in a job that publishes with a known action or command.
//     An input written as an expression is medium ("may restore") unless
//     it is a literal or, in a workflow that runs only on tags and
//     releases, a tag guard such as startsWith(github.ref, 'refs/tags/').
//     actions/cache/save is not reported.
//   - self-hosted-untrusted (high): a job on a "self-hosted" label, or on a
//     matrix value that is one, in a workflow a fork or outsider can start
//     (pull_request*, issue_comment, issues, discussion*, workflow_run,
//     fork, watch). A label that is not GitHub-hosted (ubuntu-*, windows-*,
//     macos-*) or a runner group is medium: it may be a self-hosted runner
//     or a larger GitHub-hosted one.
//   - missing-concurrency (low): a workflow that publishes with no
//     "concurrency:" at the top or on any job, at "on:". Reusable workflows
//     are left to their callers.
//   - known-compromised (critical): a "uses:" of a commit or a tag listed in
//     the embedded, dated advisories.json (tj-actions/changed-files,
//     reviewdog/action-setup, aquasecurity/trivy-action and setup-trivy).
//     Tag ranges keep their prefix: trivy-action's attacker moved "0.34.2",
//     not the later "v0.34.2". Actions that loaded a compromised one by a
//     moving tag (the reviewdog actions built on action-setup@v1) are low:
//     they ran the compromised code in the advisory's window whatever their
//     own pin.
//   - template-injection (critical): a ${{ }} expression in code (a run:
//     script of a workflow or composite action; github-script's "script";
//     the code inputs of appleboy/ssh-action, azure/cli, azure/powershell,
//     amadevus/pwsh-script, jannekem/run-python-script-action,
//     cardinalby/js-eval-action, mikefarah/yq, sergeysova/jq-action and
//     devorbitus/yq-action-output) whose value an outsider may choose.
//     Expressions are parsed with actionlint's expression parser and
//     followed through ||, &&, format, join, toJSON, fromJSON, bracket
//     access and object filters; comparisons, contains/startsWith/endsWith
//     and hashFiles yield no text. Attacker-controlled contexts (issue, pull
//     request, comment, review and discussion titles and bodies; head
//     refs, labels and fork descriptions; commit messages and author names
//     and e-mails; wiki page names; workflow_run head_branch, display_title
//     and head commit; github.head_ref; the whole event) are critical on a
//     privileged trigger and high elsewhere. github.event fields that hold
//     numbers, SHAs, ids, timestamps, URLs, logins or names, and fields set
//     by writers (repository, release, label, sender...) are never
//     reported; other github.event fields are medium. String inputs
//     (workflow_dispatch, workflow_call, composite actions,
//     client_payload) are medium; boolean, number, choice and environment
//     inputs are not reported. steps.*.outputs and needs.*.outputs, and
//     env.X that no env: block sets (a step wrote it to $GITHUB_ENV), are
//     low on privileged triggers and reported elsewhere only by the
//     pedantic persona. env.X and matrix.X are resolved to what the step,
//     job or workflow set them to; toJSON(env) carries every variable. The
//     finding is at the "${{" itself, its fingerprint key the expression;
//     the env: pattern (env: TITLE: ${{ ... }}, then "$TITLE") is the fix
//     and is never reported.
//   - dangerous-triggers (critical): a job of a privileged workflow
//     (pull_request_target, workflow_run, issue_comment, issues,
//     discussion, discussion_comment) that checks out a pull request's
//     code: actions/checkout with a "ref:" or "repository:" naming the head
//     (head.sha, head.ref, head.repo, merge_commit_sha, github.head_ref,
//     workflow_run head_sha/head_branch/head_repository/pull_requests,
//     refs/pull/N/head or /merge, env variables and matrix entries set
//     from those, step and job outputs named for a head, ref, branch or
//     SHA, and on issue_comment any step or job output), "gh pr checkout", or git
//     fetch/checkout/switch/pull/reset... of such a ref; reported at the
//     ref value or the command. A job that downloads another run's
//     artifacts (download-artifact with run-id,
//     dawidd6/action-download-artifact, github-script downloadArtifact, gh
//     run download) and then executes workspace code (a local script or
//     action, source, an interpreter given a file, npm/make/go/cargo/pip
//     and other build tools, building actions), or after a checkout
//     unpacks an archive into the workspace (unzip without -d, tar x
//     without -C), is reported at that step.
//     Critical when the job can read a secret other than GITHUB_TOKEN, has
//     a write or id-token scope, or neither it nor the workflow sets
//     permissions; high otherwise. Jobs and steps whose "if:" requires a
//     same-repository head, a merged pull request or a non-PR workflow_run
//     are skipped; labelling, commenting and reading metadata never fire.
//   - github-env (high): on a privileged trigger, a run: command that
//     writes to $GITHUB_ENV or $GITHUB_PATH (>> redirects, tee, pwsh
//     Out-File/Add-Content/Set-Content, { ...; } groups and loops, here-
//     documents) or prints ::set-env/::add-path, unless what it writes is
//     constant: echo/printf/cat of literal text, runner paths ($HOME,
//     $RUNNER_TEMP...), expressions that carry no text and env variables
//     set to such values (zizmor likewise leaves echo of literals alone).
//     Critical when the value is attacker-controlled ($GITHUB_HEAD_REF, an
//     attacker expression or a variable set from one) or the job already
//     checked out the pull request or downloaded another run's artifacts.
//     Composite actions, whose callers are unknown, are checked too:
//     medium when the value comes from an input or the event, low for
//     any other non-constant value.
//   - insecure-commands (high): ACTIONS_ALLOW_UNSECURE_COMMANDS set to true
//     (compared case-insensitively) in workflow, job or step env, in a
//     composite action step's env, or written to $GITHUB_ENV; medium when
//     its value is an expression.
//
// Rules after zizmor's audits, each described in its Help (and the
// README): bot-conditions, unsound-contains, unsound-condition,
// obfuscation, forbidden-uses (configured by Options.ForbiddenUses),
// use-trusted-publishing, unredacted-secrets, secrets-outside-env,
// undocumented-permissions, typosquat-uses, superfluous-actions,
// misfeature, unpinned-tools, adhoc-packages, insecure-url-scheme,
// self-repository, anonymous-definition, dependabot-cooldown and
// dependabot-execution (on .github/dependabot.yml). Options.Persona
// decides which of their findings, and of the rules above, are reported
// (see Persona).
//
// The online rules (impostor-commit, ref-confusion, ref-version-mismatch,
// stale-action-refs, archived-uses, known-vulnerable-actions) run after
// the scan, in [CheckOnline], and need a GitHub token; [PinUses] is fix
// mode.
//
// # Allow list
//
// [Options.AllowUnpinned] entries are "owner" or "owner/repo", compared
// case-insensitively. For "uses:" an entry matches the action's owner, or
// its owner and repository (any path inside it). For images the registry
// host is dropped and the first two path components are compared, with a
// bare Docker Hub name normalised to "library/<name>": "actions" allows
// ghcr.io/actions/x:1 (and, since the host is ignored,
// docker.io/actions/x:1); "library" allows every Docker Hub official image;
// "library/alpine" allows alpine:3. Images whose value is an expression or
// an unresolved build argument are never allowed by the list.
//
// # Positions and fingerprints
//
// Line and Col point at the offending value (the "uses:" value, the image,
// the FROM image token), 1-based; parser errors carry the position the
// parser gives, and Col is 0 when it gives none (some YAML errors; yaml.v3
// reports only a line for action.yml, and the column is borrowed from
// actionlint's YAML parser when it fails on the same line). File-level
// problems (size, binary content, a Dockerfile without FROM) have no
// position. A finding's fingerprint is [finding.Fingerprint] of its rule,
// path and the offending value as written, so it survives edits that move
// lines; the n-th repeat (n >= 2) of the same value in one file uses
// "<value>#n" as the key. Exact duplicates (one YAML anchor reached through
// several aliases) are reported once.
//
// # Files
//
// With no [Options.Paths], Scan reads every ".github/workflows/*.yml|*.yaml"
// (direct children of any directory path ending in .github/workflows; GitHub
// does not read subdirectories), every action.yml/action.yaml, and every
// Dockerfile ("Dockerfile", "*.Dockerfile", "Dockerfile.*" but not
// "*.dockerignore"), skipping .git, node_modules, vendor and testdata
// directories. Symbolic links found while walking are followed only when
// they resolve to a regular file inside root; others are skipped.
//
// Paths entries are repository-relative (an absolute path is accepted when
// it lies inside root). A directory is walked with the same
// rules (the directory itself is walked even if it is named testdata). A
// file named directly, or matched by a doublestar glob, is classified by name
// only: action.yml/action.yaml is action metadata, a Dockerfile name is a
// Dockerfile, and any other .yml/.yaml is a workflow wherever it lives. A
// file named directly with any other name is an error; glob matches with
// other names are ignored, and so are glob matches below .git,
// node_modules, vendor or testdata unless the pattern names that directory.
// Globs match files only and never walk directories. A directory named in
// Paths that holds no file Scan reads is an error (ErrNoFiles). A file
// whose path holds a control character or is not UTF-8 is never read: it
// is an invalid-workflow finding at its nearest printable folder.
package audit
