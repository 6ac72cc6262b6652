package image

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DefaultPlatforms are the platforms a gate image is built for unless told
// otherwise: the two architectures of GitHub-hosted and common self-hosted
// Linux runners.
var DefaultPlatforms = []string{"linux/amd64", "linux/arm64"}

// DefaultOwner is the GitHub owner of the hub repository, used in image
// references and in the org.opencontainers.image.source label.
const DefaultOwner = "hubgates"

// DefaultRegistry is the registry the release images are pushed to.
const DefaultRegistry = "ghcr.io"

// knownPlatforms maps each supported platform string to its GOOS, GOARCH and
// the extra environment that pins the code generation ("GOARM=7", ...), so
// that the binary does not depend on the builder's GOAMD64 or GOARM64.
var knownPlatforms = map[string]platformSpec{
	"linux/amd64":   {os: "linux", arch: "amd64", env: []string{"GOAMD64=v1"}},
	"linux/arm64":   {os: "linux", arch: "arm64", env: []string{"GOARM64=v8.0"}},
	"linux/arm/v7":  {os: "linux", arch: "arm", variant: "v7", env: []string{"GOARM=7"}},
	"linux/arm/v6":  {os: "linux", arch: "arm", variant: "v6", env: []string{"GOARM=6"}},
	"linux/386":     {os: "linux", arch: "386", env: []string{"GO386=sse2"}},
	"linux/ppc64le": {os: "linux", arch: "ppc64le", env: []string{"GOPPC64=power8"}},
	"linux/s390x":   {os: "linux", arch: "s390x"},
	"linux/riscv64": {os: "linux", arch: "riscv64", env: []string{"GORISCV64=rva20u64"}},
}

type platformSpec struct {
	os, arch, variant string
	env               []string
}

func (p platformSpec) v1() v1.Platform {
	return v1.Platform{OS: p.os, Architecture: p.arch, Variant: p.variant}
}

// KnownPlatforms returns the platform strings Build and BuildBinary accept,
// sorted.
func KnownPlatforms() []string {
	out := make([]string, 0, len(knownPlatforms))
	for p := range knownPlatforms {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func lookupPlatform(p string) (platformSpec, error) {
	spec, ok := knownPlatforms[p]
	if !ok {
		return platformSpec{}, fmt.Errorf("unknown platform %q (known: %s)", p, strings.Join(KnownPlatforms(), ", "))
	}
	return spec, nil
}

// ParsePlatforms splits a comma-separated platform list such as
// "linux/amd64,linux/arm64", validates every entry and returns them sorted,
// so that the order in which they were given does not change the index.
func ParsePlatforms(list string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		out = append(out, p)
	}
	if err := validatePlatforms(out); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

func validatePlatforms(ps []string) error {
	if len(ps) == 0 {
		return errors.New("no platforms given")
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if _, err := lookupPlatform(p); err != nil {
			return err
		}
		if seen[p] {
			return fmt.Errorf("platform %q given twice", p)
		}
		seen[p] = true
	}
	return nil
}

// HostPlatform returns the Linux platform string of the machine's
// architecture, e.g. "linux/amd64": the platform a local Docker engine runs
// natively.
func HostPlatform() string {
	return "linux/" + hostArch
}

var (
	// Repository path components as the OCI distribution spec allows them.
	gateRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	// GitHub owner names, lower case as image references need them.
	ownerRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9]){0,38}$`)
	// Docker tag syntax, so that the version can also be the image tag, and
	// free of the quotes and spaces that -ldflags would split on.
	versionRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	// Revisions are commit ids or similar.
	revisionRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{0,128}$`)
)

// ValidateGate reports whether gate can be used as a gate name: a directory
// under actions/ and a component of the image repository path, so lower case
// letters, digits and single separators.
func ValidateGate(gate string) error {
	if gate == "" {
		return errors.New("empty gate name")
	}
	if !gateRE.MatchString(gate) {
		return fmt.Errorf("gate name %q: want lower case letters and digits separated by '.', '_', '__' or '-'", gate)
	}
	return nil
}

// ValidateOwner reports whether owner can be the GitHub owner in an image
// reference: a GitHub user or organization name in lower case.
func ValidateOwner(owner string) error {
	if owner == "" {
		return errors.New("empty owner")
	}
	if !ownerRE.MatchString(owner) {
		return fmt.Errorf("owner %q: want a GitHub owner name in lower case (letters, digits, single hyphens, at most 39 characters)", owner)
	}
	return nil
}

// ValidateVersion reports whether version can be stamped into a gate binary
// and used as an image tag.
func ValidateVersion(version string) error {
	if version == "" {
		return errors.New("empty version")
	}
	if !versionRE.MatchString(version) {
		return fmt.Errorf("version %q: want letters, digits, '_', '.', '-' (not first), at most 128 characters", version)
	}
	return nil
}

// ValidateRevision reports whether revision can be the source revision
// label: empty (no label) or a commit id or similar token.
func ValidateRevision(revision string) error {
	if !revisionRE.MatchString(revision) {
		return fmt.Errorf("revision %q: want letters, digits, '_', '.', '-', at most 128 characters", revision)
	}
	return nil
}

// maxCreated is the latest time a ustar header can hold (8^11-1 seconds).
var maxCreated = time.Unix(1<<33-1, 0)

// ValidateCreated reports whether t can be the creation time of an image:
// whole seconds between the Unix epoch and the year 2242.
func ValidateCreated(t time.Time) error {
	if t.Before(time.Unix(0, 0)) || t.After(maxCreated) {
		return fmt.Errorf("created time %s: want between %s and %s", t.UTC().Format(time.RFC3339), time.Unix(0, 0).UTC().Format(time.RFC3339), maxCreated.UTC().Format(time.RFC3339))
	}
	if t.Nanosecond() != 0 {
		return fmt.Errorf("created time %s: want whole seconds", t.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// Options describe one gate image index. Build validates them; NewOptions
// and the With... functions build a valid set.
type Options struct {
	// Gate is the gate name: the image title and the last component of its
	// repository.
	Gate string
	// Version is the hub version stamped into the binary and put in the
	// org.opencontainers.image.version label.
	Version string
	// Revision is the source revision (commit id), put in the
	// org.opencontainers.image.revision label when not empty.
	Revision string
	// Owner is the GitHub owner of the hub repository; the source label is
	// https://github.com/<Owner>/hub. Empty means DefaultOwner.
	Owner string
	// Platforms lists the platforms of the index, like "linux/amd64". Empty
	// means DefaultPlatforms. The index lists them sorted, whatever the order
	// here.
	Platforms []string
	// Binaries maps every platform in Platforms to the path of the static
	// gate binary built for it (see BuildBinary).
	Binaries map[string]string
	// Extras are second binaries the gate runs, beside /gate.
	Extras []Extra
	// Created is the creation time recorded in the image config and used as
	// the modification time of every file in the layer, like
	// SOURCE_DATE_EPOCH. The zero value means the Unix epoch.
	Created time.Time
}

// Option sets one field of Options, validating the value.
type Option func(*Options) error

// NewOptions returns Options for gate with version "dev", owner DefaultOwner,
// DefaultPlatforms and creation time the Unix epoch, changed by opts. It
// returns the first error an option reports. Binaries still have to be given
// (WithBinary) before Build accepts the result.
func NewOptions(gate string, opts ...Option) (Options, error) {
	if err := ValidateGate(gate); err != nil {
		return Options{}, err
	}
	o := Options{
		Gate:      gate,
		Version:   "dev",
		Owner:     DefaultOwner,
		Platforms: slices.Clone(DefaultPlatforms),
		Binaries:  map[string]string{},
		Created:   time.Unix(0, 0).UTC(),
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return Options{}, err
		}
	}
	return o, nil
}

// WithVersion sets the version stamped into the image labels.
func WithVersion(version string) Option {
	return func(o *Options) error {
		if err := ValidateVersion(version); err != nil {
			return err
		}
		o.Version = version
		return nil
	}
}

// WithRevision sets the source revision label; empty leaves the label out.
func WithRevision(revision string) Option {
	return func(o *Options) error {
		if err := ValidateRevision(revision); err != nil {
			return err
		}
		o.Revision = revision
		return nil
	}
}

// WithOwner sets the GitHub owner of the hub repository.
func WithOwner(owner string) Option {
	return func(o *Options) error {
		if err := ValidateOwner(owner); err != nil {
			return err
		}
		o.Owner = owner
		return nil
	}
}

// WithPlatforms sets the platforms of the index; each must be one of
// KnownPlatforms and none may repeat.
func WithPlatforms(platforms ...string) Option {
	return func(o *Options) error {
		if err := validatePlatforms(platforms); err != nil {
			return err
		}
		o.Platforms = slices.Sorted(slices.Values(platforms))
		return nil
	}
}

// WithBinary sets the gate binary for one platform.
func WithBinary(platform, path string) Option {
	return func(o *Options) error {
		if _, err := lookupPlatform(platform); err != nil {
			return err
		}
		if path == "" {
			return fmt.Errorf("empty binary path for platform %s", platform)
		}
		if o.Binaries == nil {
			o.Binaries = map[string]string{}
		}
		o.Binaries[platform] = path
		return nil
	}
}

// WithCreated sets the creation time (see Options.Created).
func WithCreated(t time.Time) Option {
	return func(o *Options) error {
		if err := ValidateCreated(t); err != nil {
			return err
		}
		o.Created = t.UTC()
		return nil
	}
}

// Validate reports the first problem with o, after applying the defaults
// documented on Options; Build calls it.
func (o Options) Validate() error {
	_, err := o.normalized()
	return err
}

func (o Options) normalized() (Options, error) {
	if err := ValidateGate(o.Gate); err != nil {
		return o, err
	}
	if err := ValidateVersion(o.Version); err != nil {
		return o, fmt.Errorf("gate %s: %w", o.Gate, err)
	}
	if err := ValidateRevision(o.Revision); err != nil {
		return o, fmt.Errorf("gate %s: %w", o.Gate, err)
	}
	if o.Owner == "" {
		o.Owner = DefaultOwner
	}
	if err := ValidateOwner(o.Owner); err != nil {
		return o, fmt.Errorf("gate %s: %w", o.Gate, err)
	}
	if len(o.Platforms) == 0 {
		o.Platforms = slices.Clone(DefaultPlatforms)
	}
	if err := validatePlatforms(o.Platforms); err != nil {
		return o, fmt.Errorf("gate %s: %w", o.Gate, err)
	}
	o.Platforms = slices.Sorted(slices.Values(o.Platforms))
	for _, p := range o.Platforms {
		if o.Binaries[p] == "" {
			return o, fmt.Errorf("gate %s: no binary for platform %s", o.Gate, p)
		}
	}
	for p := range o.Binaries {
		if !slices.Contains(o.Platforms, p) {
			return o, fmt.Errorf("gate %s: binary given for platform %s, which is not among the platforms %s", o.Gate, p, strings.Join(o.Platforms, ","))
		}
	}
	seenExtra := map[string]bool{}
	for _, e := range o.Extras {
		if seenExtra[e.Path] {
			return o, fmt.Errorf("gate %s: extra binary %s given twice", o.Gate, e.Path)
		}
		seenExtra[e.Path] = true
		for _, p := range o.Platforms {
			if e.Binaries[p] == "" {
				return o, fmt.Errorf("gate %s: extra binary %s has no binary for platform %s", o.Gate, e.Path, p)
			}
		}
	}
	slices.SortFunc(o.Extras, func(a, b Extra) int { return strings.Compare(a.Path, b.Path) })
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0)
	}
	if err := ValidateCreated(o.Created); err != nil {
		return o, fmt.Errorf("gate %s: %w", o.Gate, err)
	}
	o.Created = o.Created.UTC()
	return o, nil
}
