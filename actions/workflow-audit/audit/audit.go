package audit

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/fsroot"
)

// MaxFileSize is the largest file, in bytes, that Scan parses. A larger file
// is still hashed and listed in [Report.Files], and is reported as an
// invalid-workflow finding rather than parsed.
const MaxFileSize = 4 << 20

// MaxYAMLNodes caps how many nodes a YAML document may expand to once its
// aliases are followed. A document over the cap (an "alias bomb") is
// reported as an invalid-workflow finding and not handed to the parser.
const MaxYAMLNodes = 1 << 20

// The kinds of file Scan reads, as reported in [File.Kind].
const (
	KindWorkflow   = "workflow"
	KindAction     = "action"
	KindDockerfile = "dockerfile"
	// KindDependabot is a Dependabot configuration, .github/dependabot.yml.
	KindDependabot = "dependabot"
	// KindRenovate is a Renovate configuration in JSON: renovate.json,
	// .github/renovate.json, .gitlab/renovate.json, .renovaterc or
	// .renovaterc.json.
	KindRenovate = "renovate"
)

// Options configures a scan. The zero value scans the default file set with
// no allow list.
type Options struct {
	// Paths are repository-relative files, directories or doublestar globs
	// to scan, with forward slashes. Empty means the default set (see the
	// package documentation).
	Paths []string
	// AllowUnpinned lists "owner" or "owner/repo" entries that may stay
	// unpinned: for "uses:" they match the action's owner/repo, for images
	// the first two components of the image's path inside its registry (see
	// the package documentation for the exact matching).
	AllowUnpinned []string
	// PATPattern is a regular expression (Go syntax) matched against secret
	// names to tell personal access tokens from other tokens handed to
	// "token" inputs (pat-usage). Empty means [DefaultPATPattern].
	PATPattern string
	// Persona selects how much is reported; the zero value is
	// PersonaRegular.
	Persona Persona
	// ForbiddenUses are forbidden-uses patterns ("owner/*",
	// "owner/repo[/path][@ref]", "!" to allow again).
	ForbiddenUses []string

	// keepWorkflowSources makes the report keep every workflow's content,
	// for the job spans of job waivers; files that mention "hub:" are kept
	// whatever its value, for their inline waivers.
	keepWorkflowSources bool
}

// ErrInvalidAllowEntry is wrapped by the errors [Options.Validate] returns
// for malformed AllowUnpinned entries.
var ErrInvalidAllowEntry = errors.New("invalid allow-unpinned entry")

// ErrInvalidPATPattern is wrapped by the error [Options.Validate] returns
// for a PATPattern that is not a regular expression.
var ErrInvalidPATPattern = errors.New("invalid PAT name pattern")

var allowEntryRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)?$`)

// Validate reports malformed options: every AllowUnpinned entry that is not
// "owner" or "owner/repo" (letters, digits, '.', '_' and '-', owner starting
// with a letter or digit) is named in the returned error, which wraps
// ErrInvalidAllowEntry; an empty Paths entry is a *PathError. Scan calls
// Validate first.
func (o Options) Validate() error {
	var errs []error
	for _, e := range o.AllowUnpinned {
		ok := allowEntryRe.MatchString(e)
		if ok {
			if _, repo, found := strings.Cut(e, "/"); found && (repo == "." || repo == "..") {
				ok = false
			}
		}
		if !ok {
			errs = append(errs, fmt.Errorf("%w %q: want \"owner\" or \"owner/repo\"", ErrInvalidAllowEntry, e))
		}
	}
	if o.PATPattern != "" {
		if _, err := regexp.Compile(o.PATPattern); err != nil {
			errs = append(errs, fmt.Errorf("%w %q: %v", ErrInvalidPATPattern, o.PATPattern, err))
		}
	}
	if _, err := parseUsesPatterns(o.ForbiddenUses); err != nil {
		errs = append(errs, err)
	}
	for i, p := range o.Paths {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, &PathError{Path: p, Err: fmt.Errorf("paths[%d] is empty", i)})
		}
	}
	return errors.Join(errs...)
}

// Report is the result of a scan.
type Report struct {
	// Findings are sorted with [finding.Sort].
	Findings []finding.Finding
	// Files lists every file that was read, sorted by path, including files
	// that could not be parsed.
	Files []File

	// uses are the uses: of other repositories, for the online rules and
	// fix mode.
	uses []usesRef

	// sources holds the content of the files the waivers need, by path,
	// as read by the scan: each file is read once, so the waivers see
	// exactly what the rules saw.
	sources map[string][]byte
}

// File is one scanned file.
type File struct {
	// Path is relative to the scan root, with forward slashes.
	Path string
	// SHA256 is the digest of the file's whole content, "sha256:<hex>".
	SHA256 string
	// Kind is KindWorkflow, KindAction or KindDockerfile.
	Kind string
}

// PathError is returned by [Scan] when a path it was asked to scan does not
// exist, resolves outside the scan root, matches nothing, has a kind Scan
// cannot read, or cannot be read. Callers treat it as a usage error.
type PathError struct {
	// Path is the path as given (or as found, for files met while walking).
	Path string
	// Err says what is wrong; it wraps fs.ErrNotExist, ErrOutsideRoot and
	// the like.
	Err error
}

// Error returns `path "<path>": <reason>`.
func (e *PathError) Error() string {
	return "path " + strconv.Quote(e.Path) + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *PathError) Unwrap() error { return e.Err }

// Errors wrapped in a [PathError].
var (
	// ErrOutsideRoot means a path, after cleaning and following symbolic
	// links, lies outside the scan root.
	ErrOutsideRoot = errors.New("resolves outside the scan root")
	// ErrUnsupportedKind means a file named in Options.Paths is not a
	// workflow, action metadata file or Dockerfile.
	ErrUnsupportedKind = errors.New("is not a workflow (.yml/.yaml), action.yml or Dockerfile")
	// ErrNoMatch means a glob in Options.Paths matched no file Scan reads.
	ErrNoMatch = errors.New("glob matches no workflow, action.yml or Dockerfile")
	// ErrUnsafeName means a path named in Options.Paths holds a control
	// character or is not UTF-8 (see unsafeName).
	ErrUnsafeName = errors.New("holds a control character or is not UTF-8; rename the file")
	// ErrNoFiles means a folder in Options.Paths holds no file Scan reads
	// (workflows count only directly in a .github/workflows folder).
	ErrNoFiles = errors.New("folder holds no workflow (.github/workflows/*.yml), action.yml or Dockerfile to scan")
)

// Scan reads the files opts selects under root and runs every rule in
// [Rules] over them. Problems in the files are findings in the report; the
// error is non-nil only when the scan could not be done: invalid options, a
// *PathError, or ctx's error (wrapped) after cancellation.
func Scan(ctx context.Context, root string, opts Options) (*Report, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scanning %q: %w", root, err)
	}
	rootReal, err := resolveRoot(root)
	if err != nil {
		return nil, err
	}
	fsys, err := fsroot.Open(rootReal)
	if err != nil {
		return nil, &PathError{Path: root, Err: err}
	}
	defer fsys.Close()
	col, err := collectTargets(ctx, rootReal, fsys, opts.Paths)
	if err != nil {
		return nil, err
	}
	targets := col.targets
	patName := patNameRe
	if opts.PATPattern != "" {
		patName = regexp.MustCompile(opts.PATPattern) // Validate compiled it
	}
	s := &scanner{
		ctx:   ctx,
		root:  rootReal,
		fsys:  fsys,
		check: &checkCtx{allow: newAllowList(opts.AllowUnpinned), patName: patName, persona: opts.Persona},
		queue: targets,
		seen:  map[string]bool{},
		keep:  opts.keepWorkflowSources,
	}
	for _, t := range targets {
		s.seen[t.rel] = true
	}
	for _, rel := range col.refused {
		s.found = append(s.found, refusedName(rel))
	}
	s.check.forbidden, _ = parseUsesPatterns(opts.ForbiddenUses) // Validate checked them
	if err := s.scanAll(); err != nil {
		return nil, err
	}
	if err := s.scanCallees(); err != nil {
		return nil, err
	}
	s.checkCoverage()
	return &Report{Findings: finalize(s.found), Files: sortedFiles(s.files), sources: s.sources, uses: s.uses}, nil
}
