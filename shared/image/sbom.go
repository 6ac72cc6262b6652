package image

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// The media types of the SBOMs hub-image writes, which are also the
// artifact types of their OCI referrers.
const (
	SPDXMediaType      = "application/spdx+json"
	CycloneDXMediaType = "application/vnd.cyclonedx+json"
)

// SBOMs are a gate binary's SBOMs in SPDX 2.3 and CycloneDX 1.6 JSON.
type SBOMs struct {
	SPDX, CycloneDX []byte
}

// SBOMOptions say what the SBOMs of a binary describe.
type SBOMOptions struct {
	// Gate names the binary; Version is hub's version stamped into it;
	// Platform is the platform it was built for ("linux/arm64").
	Gate, Version, Platform string
	// Created is the documents' creation time: the image's, so the same
	// commit gives the same SBOMs.
	Created time.Time
}

// BinarySBOMs reads the Go build information of the binary at path (the
// module versions "go version -m" prints) and writes its SBOMs: the binary
// as the described package, with the platform as its arch and os
// qualifiers, and the standard library and every module linked into it as
// its components, each by package URL (pkg:golang/<module>@<version>; a
// replaced module by its replacement). Nothing else varies, so the same
// binary gives byte-identical SBOMs.
func BinarySBOMs(path string, opts SBOMOptions) (SBOMs, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return SBOMs{}, fmt.Errorf("sbom of %s: reading its build information: %w", path, err)
	}
	return buildInfoSBOMs(bi, opts)
}

// sbomComponent is one module of a binary.
type sbomComponent struct {
	name, version, purl string
}

func buildInfoSBOMs(bi *debug.BuildInfo, opts SBOMOptions) (SBOMs, error) {
	spec, err := lookupPlatform(opts.Platform)
	if err != nil {
		return SBOMs{}, fmt.Errorf("sbom of %s: %w", opts.Gate, err)
	}
	goVersion := strings.TrimPrefix(bi.GoVersion, "go")
	subject := sbomComponent{name: bi.Path, version: opts.Version,
		purl: fmt.Sprintf("pkg:golang/%s@%s?arch=%s&os=%s", bi.Path, opts.Version, spec.arch, spec.os)}
	comps := []sbomComponent{{name: "stdlib", version: goVersion, purl: "pkg:golang/stdlib@" + goVersion}}
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		comps = append(comps, sbomComponent{name: m.Path, version: m.Version, purl: "pkg:golang/" + m.Path + "@" + m.Version})
	}
	created := opts.Created.UTC().Format(time.RFC3339)
	docName := opts.Gate + "-" + strings.ReplaceAll(opts.Platform, "/", "-")
	s, err := spdxDocument(docName, opts, created, subject, comps)
	if err != nil {
		return SBOMs{}, err
	}
	c, err := cycloneDXDocument(s, created, subject, comps)
	if err != nil {
		return SBOMs{}, err
	}
	return SBOMs{SPDX: s, CycloneDX: c}, nil
}

func spdxDocument(name string, opts SBOMOptions, created string, subject sbomComponent, comps []sbomComponent) ([]byte, error) {
	pkg := func(id string, c sbomComponent) *v2_3.Package {
		return &v2_3.Package{
			PackageName: c.name, PackageSPDXIdentifier: common.ElementID(id), PackageVersion: c.version,
			PackageDownloadLocation: "NOASSERTION", PackageLicenseConcluded: "NOASSERTION", PackageLicenseDeclared: "NOASSERTION",
			PackageCopyrightText:      "NOASSERTION",
			PackageExternalReferences: []*v2_3.PackageExternalReference{{Category: common.CategoryPackageManager, RefType: "purl", Locator: c.purl}},
		}
	}
	doc := &v2_3.Document{
		SPDXVersion: v2_3.Version, DataLicense: v2_3.DataLicense, SPDXIdentifier: "DOCUMENT", DocumentName: name,
		DocumentNamespace: "https://github.com/hubgates/hub/sbom/" + opts.Gate + "/" + opts.Version + "/" + strings.ReplaceAll(opts.Platform, "/", "-"),
		CreationInfo:      &v2_3.CreationInfo{Created: created, Creators: []common.Creator{{CreatorType: "Tool", Creator: "hub-image-" + opts.Version}}},
		Packages:          []*v2_3.Package{pkg("Package-binary", subject)},
		Relationships: []*v2_3.Relationship{{
			RefA: common.MakeDocElementID("", "DOCUMENT"), RefB: common.MakeDocElementID("", "Package-binary"), Relationship: common.TypeRelationshipDescribe}},
	}
	for i, c := range comps {
		id := fmt.Sprintf("Package-module-%d", i)
		doc.Packages = append(doc.Packages, pkg(id, c))
		doc.Relationships = append(doc.Relationships, &v2_3.Relationship{
			RefA: common.MakeDocElementID("", "Package-binary"), RefB: common.MakeDocElementID("", id), Relationship: common.TypeRelationshipContains})
	}
	var b bytes.Buffer
	if err := spdxjson.Write(doc, &b, spdxjson.Indent("  ")); err != nil {
		return nil, fmt.Errorf("sbom of %s: writing SPDX: %w", opts.Gate, err)
	}
	return b.Bytes(), nil
}

// cycloneDXDocument writes the CycloneDX form; its serial number is derived
// from the SPDX document, so it is as reproducible.
func cycloneDXDocument(spdx []byte, created string, subject sbomComponent, comps []sbomComponent) ([]byte, error) {
	h := sha256.Sum256(spdx)
	h[6], h[8] = h[6]&0x0f|0x50, h[8]&0x3f|0x80 // a name-based (version 5 layout) UUID
	serial := fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.JSONSchema = ""
	bom.XMLNS = ""
	bom.SerialNumber = serial
	bom.Metadata = &cdx.Metadata{Timestamp: created, Component: &cdx.Component{
		BOMRef: subject.purl, Type: cdx.ComponentTypeApplication, Name: subject.name, Version: subject.version, PackageURL: subject.purl}}
	list := make([]cdx.Component, 0, len(comps))
	deps := make([]string, 0, len(comps))
	for _, c := range comps {
		list = append(list, cdx.Component{BOMRef: c.purl, Type: cdx.ComponentTypeLibrary, Name: c.name, Version: c.version, PackageURL: c.purl})
		deps = append(deps, c.purl)
	}
	bom.Components = &list
	bom.Dependencies = &[]cdx.Dependency{{Ref: subject.purl, Dependencies: &deps}}
	var b bytes.Buffer
	if err := cdx.NewBOMEncoder(&b, cdx.BOMFileFormatJSON).SetPretty(true).Encode(bom); err != nil {
		return nil, fmt.Errorf("sbom of %s: writing CycloneDX: %w", subject.name, err)
	}
	return b.Bytes(), nil
}
