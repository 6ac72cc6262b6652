package repro

import (
	"slices"

	"github.com/hubgates/hub/shared/finding"
)

// gateURL is where the gate's documentation lives; rule help links to it.
const gateURL = "https://github.com/hubgates/hub/tree/main/actions/reproducible"

// The rule ids: one for each kind of difference, so that noise can be
// accepted for exactly one kind.
const (
	RuleIndexPlatform = "index-platform"
	RuleManifestField = "manifest-field"
	RuleConfigField   = "config-field"
	RuleArchiveHeader = "archive-header"
	RuleEntryMissing  = "entry-missing"
	RuleEntryExtra    = "entry-extra"
	RuleEntryOrder    = "entry-order"
	RuleEntryType     = "entry-type"
	RuleEntryMode     = "entry-mode"
	RuleEntryOwner    = "entry-owner"
	RuleEntryMtime    = "entry-mtime"
	RuleEntryXattrs   = "entry-xattrs"
	RuleEntryLink     = "entry-link"
	RuleEntryContent  = "entry-content"
	RuleGoBuildinfo   = "go-buildinfo"
	RuleNoiseExpired  = "noise-expired"
)

// Rules are the gate's rules.
var Rules = withHelpURI([]finding.Rule{
	{ID: RuleIndexPlatform, Severity: finding.High, Summary: "A platform is in one image index only",
		Help: "The two indexes do not list the same platforms: a platform build failed or was left out. Build every platform in both builds."},
	{ID: RuleManifestField, Severity: finding.High, Summary: "An image manifest or index differs outside its platforms, config and layer contents",
		Help: "Media types, annotations, the number of layers or their compression differ. Build with the same tool and settings; a compressed layer whose uncompressed content is equal means another gzip level or implementation."},
	{ID: RuleConfigField, Severity: finding.High, Summary: "A field of the image configuration differs",
		Help: "created, history, env, labels, entrypoint or rootfs differ. Set created and history times from SOURCE_DATE_EPOCH, and keep build-time values (dates, paths, host names) out of env and labels."},
	{ID: RuleArchiveHeader, Severity: finding.High, Summary: "An archive's own header or compression differs",
		Help: "The gzip header (its mtime, file name, OS) or the compressed stream differs though the archive inside may be the same. Use gzip -n (or --no-name), a fixed level, and one implementation."},
	{ID: RuleEntryMissing, Severity: finding.High, Summary: "A file of the expected build is missing from the actual one",
		Help: "The rebuild lacks a file the first build has. Look for build steps that depend on the environment or on what was already on disk."},
	{ID: RuleEntryExtra, Severity: finding.High, Summary: "The actual build has a file the expected one does not",
		Help: "The rebuild adds a file. Look for caches, logs or temporary files picked up from the build machine."},
	{ID: RuleEntryOrder, Severity: finding.High, Summary: "Archive entries come in another order",
		Help: "The same entries are written in another order, usually in the order a directory listing returned them. Sort entries by name when writing the archive (tar --sort=name)."},
	{ID: RuleEntryType, Severity: finding.High, Summary: "An entry is of another type (file, directory, link)",
		Help: "The same path is a file in one build and a link or directory in the other."},
	{ID: RuleEntryMode, Severity: finding.High, Summary: "An entry's permission bits differ",
		Help: "Usually the umask of the build machine leaks into the archive. Set modes explicitly when archiving (tar --mode=go=rX,u+rw) or build under a fixed umask."},
	{ID: RuleEntryOwner, Severity: finding.High, Summary: "An entry's owner (uid, gid, user or group name) differs",
		Help: "The builder's user leaks into the archive. Archive with fixed owners (tar --owner=0 --group=0 --numeric-owner)."},
	{ID: RuleEntryMtime, Severity: finding.High, Summary: "An entry's modification time differs",
		Help: "Build times leak into the archive. Clamp times to SOURCE_DATE_EPOCH (tar --mtime=@$SOURCE_DATE_EPOCH --clamp-mtime), or accept the noise for a path glob with the noise input, until a date."},
	{ID: RuleEntryXattrs, Severity: finding.High, Summary: "An entry's extended attributes differ",
		Help: "Extended attributes (SELinux labels, capabilities, macOS metadata) of the build machine are archived. Archive without them (tar --no-xattrs) or set them explicitly."},
	{ID: RuleEntryLink, Severity: finding.High, Summary: "A link points elsewhere",
		Help: "A symbolic or hard link's target differs, often an absolute path of the build machine. Use relative targets."},
	{ID: RuleEntryContent, Severity: finding.High, Summary: "A file's content differs",
		Help: "The message gives the first differing byte and an escaped excerpt of both sides. Embedded dates, paths, random ids and map order are the usual causes."},
	{ID: RuleGoBuildinfo, Severity: finding.High, Summary: "A Go binary's build information differs",
		Help: "The Go version, a module version, or a build setting (-trimpath, -ldflags, CGO_ENABLED, vcs stamps) differs. Build with the same toolchain and go.sum, -trimpath, and -buildvcs=false or a clean checkout of the same commit."},
	{ID: RuleNoiseExpired, Severity: finding.Medium, Summary: "A noise option has expired and no longer applies",
		Help: "The date of a line of the noise input has passed, so the differences it accepted count again. Fix the cause, or review and renew the line with a new date."},
})

// noiseRules are the rules a noise line may name.
var noiseRules = slices.DeleteFunc(ruleIDs(), func(id string) bool { return id == RuleNoiseExpired })

func ruleIDs() []string {
	var out []string
	for _, r := range Rules {
		out = append(out, r.ID)
	}
	return out
}

func withHelpURI(rs []finding.Rule) []finding.Rule {
	for i := range rs {
		rs[i].HelpURI = gateURL + "#" + rs[i].ID
	}
	return rs
}
