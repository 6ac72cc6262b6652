package sbomgate

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

// PlatformSBOM is one platform's SBOM in a parity check.
type PlatformSBOM struct {
	Platform string
	SBOM     *SBOM
}

// Difference is a package not alike on every platform: missing from some,
// or at different versions.
type Difference struct {
	// Package is the versionless package URL (or "name:<name>").
	Package string
	// Versions maps each platform that has the package to its versions.
	Versions map[string][]string
	// Missing lists the platforms without it.
	Missing []string
}

// Rule is the rule the difference breaks.
func (d Difference) Rule() string {
	if len(d.Missing) > 0 {
		return RuleParityMissing
	}
	return RuleParityVersion
}

// Parity compares the platforms' components by their versioned package
// URLs without platform qualifiers, and returns every package that differs,
// sorted.
func Parity(ps []PlatformSBOM) []Difference {
	type entry struct {
		pkg      string
		versions map[string][]string
	}
	keys := map[string]map[string]bool{} // parity key -> platforms
	pkgs := map[string]*entry{}
	for _, p := range ps {
		for _, c := range p.SBOM.Components {
			k := c.ParityKey()
			if keys[k] == nil {
				keys[k] = map[string]bool{}
			}
			keys[k][p.Platform] = true
			e := pkgs[c.PackageKey()]
			if e == nil {
				e = &entry{pkg: c.PackageKey(), versions: map[string][]string{}}
				pkgs[c.PackageKey()] = e
			}
			if !slices.Contains(e.versions[p.Platform], c.Version) {
				e.versions[p.Platform] = append(e.versions[p.Platform], c.Version)
			}
		}
	}
	differing := map[string]bool{}
	for k, on := range keys {
		if len(on) < len(ps) {
			differing[packageOfKey(k)] = true
		}
	}
	var out []Difference
	for pkg := range differing {
		e := pkgs[pkg]
		d := Difference{Package: pkg, Versions: e.versions}
		for _, p := range ps {
			if _, ok := e.versions[p.Platform]; !ok {
				d.Missing = append(d.Missing, p.Platform)
			}
			slices.Sort(e.versions[p.Platform])
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Difference) int { return strings.Compare(a.Package, b.Package) })
	return out
}

// packageOfKey drops the version from a parity key.
func packageOfKey(k string) string {
	if strings.HasPrefix(k, "name:") {
		name, _, _ := strings.Cut(k, "@")
		return name
	}
	p, err := ParsePURL(k)
	if err != nil {
		return k
	}
	return p.Package()
}

// archRE finds an architecture in a file name.
var archRE = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])(x86_64|x86-64|amd64|aarch64|arm64|armv7|arm-v7|armv6|arm-v6|ppc64le|s390x|riscv64|i386|386)(?:[^a-z0-9]|$)`)

var archPlatforms = map[string]string{
	"x86_64": "linux/amd64", "x86-64": "linux/amd64", "amd64": "linux/amd64",
	"aarch64": "linux/arm64", "arm64": "linux/arm64",
	"armv7": "linux/arm/v7", "arm-v7": "linux/arm/v7", "armv6": "linux/arm/v6", "arm-v6": "linux/arm/v6",
	"ppc64le": "linux/ppc64le", "s390x": "linux/s390x", "riscv64": "linux/riscv64", "i386": "linux/386", "386": "linux/386",
}

// platformOf splits a sboms entry into its platform and path.
func platformOf(entry string) (platform, file string, ok bool) {
	if p, f, cut := strings.Cut(entry, "="); cut && strings.Contains(p, "/") {
		return strings.TrimSpace(p), strings.TrimSpace(f), true
	}
	m := archRE.FindStringSubmatch(path.Base(strings.ReplaceAll(entry, "\\", "/")))
	if m == nil {
		return "", entry, false
	}
	return archPlatforms[strings.ToLower(m[1])], entry, true
}

func runParity(ctx context.Context, in *gate.Inputs) (*opResult, error) {
	op := &opResult{outputs: map[string]string{}, counters: map[string]int64{}}
	var ps []PlatformSBOM
	var err error
	ref := in.String(inputImage)
	switch {
	case ref != "" && len(in.List(inputSBOMs)) > 0:
		return nil, gate.BadConfig(fmt.Errorf("input %q and input %q: give one of them", inputImage, inputSBOMs))
	case ref != "":
		ps, op.read, err = parityFromImage(ctx, in, ref)
	case len(in.List(inputSBOMs)) < 2:
		return nil, gate.BadInputf(inputSBOMs, in.Raw(inputSBOMs), "parity needs the SBOMs of two or more platforms (or an image)")
	default:
		ps, op.read, err = parityFromFiles(in)
	}
	if err != nil {
		return nil, err
	}
	if len(ps) < 2 {
		return nil, gate.BadInputf(inputImage, ref, "parity needs two or more platforms; the index has %d", len(ps))
	}
	diffs := Parity(ps)
	fileOf := map[string]string{}
	var counts []string
	for _, p := range ps {
		if ref == "" {
			// Findings are placed in the SBOM files; a registry's have no
			// place in the repository.
			fileOf[p.Platform] = p.SBOM.Name
		}
		counts = append(counts, p.Platform+"="+strconv.Itoa(len(p.SBOM.Components)))
		op.counters["components"] += int64(len(p.SBOM.Components))
	}
	for _, d := range diffs {
		op.findings = append(op.findings, parityFinding(d, ps, fileOf))
	}
	op.outputs[outputPlatforms] = strconv.Itoa(len(ps))
	op.outputs[outputComponents] = strings.Join(counts, "\n")
	op.outputs[outputDifferences] = strconv.Itoa(len(diffs))
	op.counters["platforms"] = int64(len(ps))
	op.counters["differences"] = int64(len(diffs))
	if len(diffs) == 0 {
		op.reason = fmt.Sprintf("%d platforms list the same components (%s).", len(ps), strings.Join(counts, ", "))
	} else {
		verb := map[bool]string{true: "package differs", false: "packages differ"}[len(diffs) == 1]
		op.reason = fmt.Sprintf("%d %s across %d platforms (%s).", len(diffs), verb, len(ps), strings.Join(counts, ", "))
	}
	op.details = parityDetails(ps, diffs)
	return op, nil
}

// parityFromFiles reads the sboms input.
func parityFromFiles(in *gate.Inputs) ([]PlatformSBOM, []evidence.Artifact, error) {
	var ps []PlatformSBOM
	var read []evidence.Artifact
	seen := map[string]string{}
	for _, e := range in.List(inputSBOMs) {
		platform, name, ok := platformOf(e)
		if !ok {
			return nil, nil, gate.BadInputf(inputSBOMs, e, "cannot tell the platform: write it as platform=path (linux/arm64=%s) or name the architecture in the file name", excerpt(name))
		}
		if prev, dup := seen[platform]; dup {
			return nil, nil, gate.BadInputf(inputSBOMs, e, "platform %s is given twice (also by %q)", platform, excerpt(prev))
		}
		seen[platform] = e
		rel := strings.TrimPrefix(path.Clean(name), "./")
		b, err := in.Workspace().ReadFile(rel, maxSBOMBytes)
		if err != nil {
			return nil, nil, listFileError(inputSBOMs, rel, err)
		}
		f := file{name: rel, data: b}
		s, err := readSBOMFile(inputSBOMs, f)
		if err != nil {
			return nil, nil, err
		}
		read = append(read, f.artifact())
		ps = append(ps, PlatformSBOM{Platform: platform, SBOM: s})
	}
	return ps, read, nil
}

// parityFromImage reads the SBOM referrers of the image input's platforms.
func parityFromImage(ctx context.Context, in *gate.Inputs, ref string) ([]PlatformSBOM, []evidence.Artifact, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, nil, gate.BadInputf(inputImage, ref, "not an image reference: %v", err)
	}
	ctx, cancel := timeoutCtx(ctx, in)
	defer cancel()
	ps, read, err := ImageSBOMs(ctx, r, remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return nil, nil, imageError(inputImage, ref, err)
	}
	return ps, read, nil
}

// parityFinding reports one difference, placed in the SBOM of the first
// platform it is missing from (or differs on). Its fingerprint is the
// versionless package URL, so a waiver can name it.
func parityFinding(d Difference, ps []PlatformSBOM, fileOf map[string]string) finding.Finding {
	var have []string
	for _, p := range ps {
		if vs, ok := d.Versions[p.Platform]; ok {
			have = append(have, p.Platform+" "+versionList(vs))
		}
	}
	rule, at := d.Rule(), ps[0].Platform
	var msg string
	if rule == RuleParityMissing {
		at = d.Missing[0]
		msg = fmt.Sprintf("%s is missing on %s (present on %s)", d.Package, strings.Join(d.Missing, ", "), strings.Join(have, "; "))
	} else {
		msg = fmt.Sprintf("%s differs in version across platforms: %s", d.Package, strings.Join(have, "; "))
	}
	return finding.Finding{Rule: rule, Severity: finding.High, Message: msg, Path: fileOf[at], Fingerprint: d.Package}
}

func versionList(vs []string) string {
	shown := make([]string, len(vs))
	for i, v := range vs {
		shown[i] = v
		if v == "" {
			shown[i] = "(no version)"
		}
	}
	return strings.Join(shown, ", ")
}
