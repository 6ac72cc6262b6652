package sbomgate

import (
	"net/url"
	"sort"
	"strings"

	"github.com/package-url/packageurl-go"
)

// platformQualifiers are the package URL qualifiers that name the platform
// a component was built for. Parity compares components across platforms,
// so they are kept apart from the component's identity.
var platformQualifiers = map[string]bool{"arch": true, "os": true, "distro": true, "platform": true}

// locationQualifiers say where a package was fetched from or which file
// held it, not which package it is: two SBOM tools disagree on them for the
// same component, so they are not part of its identity.
var locationQualifiers = map[string]bool{
	"repository_url": true, "download_url": true, "vcs_url": true, "file_name": true,
	"checksum": true, "checksums": true, "package-id": true, "upstream": true, "mediatype": true,
}

// lowerCaseTypes are the package URL types whose namespace and name are
// case-insensitive (the purl specification's per-type rules): they are
// lower-cased so "pkg:PyPI/Django" and "pkg:pypi/django" are one package.
var lowerCaseTypes = map[string]bool{
	"alpm": true, "apk": true, "bitbucket": true, "composer": true, "deb": true,
	"github": true, "gitlab": true, "hex": true, "npm": true, "pypi": true, "luarocks": true,
}

// PURL is a package URL taken apart and normalized: type and, for the
// types the specification says so, namespace and name lower-cased; pypi
// names with "-" for "_"; rpm's epoch folded into the version as
// "epoch:version"; qualifiers split into identity, platform and location.
type PURL struct {
	Type      string
	Namespace string
	Name      string
	Version   string
	Subpath   string
	// Qualifiers are the identity qualifiers ("classifier=sources"), as
	// "key=value" sorted.
	Qualifiers []string
	// Platform are the platform qualifiers ("arch=amd64"), sorted.
	Platform []string
}

// ParsePURL reads and normalizes a package URL.
func ParsePURL(s string) (PURL, error) {
	p, err := packageurl.FromString(strings.TrimSpace(s))
	if err != nil {
		return PURL{}, err
	}
	out := PURL{Type: strings.ToLower(p.Type), Namespace: p.Namespace, Name: p.Name, Version: p.Version, Subpath: strings.Trim(p.Subpath, "/")}
	if lowerCaseTypes[out.Type] {
		out.Namespace, out.Name = strings.ToLower(out.Namespace), strings.ToLower(out.Name)
	}
	if out.Type == "pypi" {
		out.Name = strings.ReplaceAll(out.Name, "_", "-")
	}
	for _, q := range p.Qualifiers {
		k := strings.ToLower(q.Key)
		switch {
		case k == "epoch" && out.Type == "rpm" && q.Value != "" && q.Value != "0":
			if out.Version != "" && !strings.Contains(out.Version, ":") {
				out.Version = q.Value + ":" + out.Version
			}
		case platformQualifiers[k]:
			out.Platform = append(out.Platform, k+"="+q.Value)
		case locationQualifiers[k], k == "epoch":
		default:
			out.Qualifiers = append(out.Qualifiers, k+"="+q.Value)
		}
	}
	sort.Strings(out.Qualifiers)
	sort.Strings(out.Platform)
	return out, nil
}

// Package is the versionless identity "pkg:type/namespace/name", with the
// identity qualifiers and subpath: what diff compares versions of.
func (p PURL) Package() string {
	var b strings.Builder
	b.WriteString("pkg:")
	b.WriteString(p.Type)
	b.WriteByte('/')
	if p.Namespace != "" {
		b.WriteString(escapePath(p.Namespace))
		b.WriteByte('/')
	}
	b.WriteString(url.PathEscape(p.Name))
	if len(p.Qualifiers) > 0 {
		b.WriteByte('?')
		b.WriteString(strings.Join(p.Qualifiers, "&"))
	}
	if p.Subpath != "" {
		b.WriteByte('#')
		b.WriteString(p.Subpath)
	}
	return b.String()
}

// WithVersion is Package with "@version" after the name: the identity
// parity compares across platforms.
func (p PURL) WithVersion() string {
	pkg := p.Package()
	if p.Version == "" {
		return pkg
	}
	cut := len(pkg)
	if i := strings.IndexAny(pkg, "?#"); i >= 0 {
		cut = i
	}
	return pkg[:cut] + "@" + url.PathEscape(p.Version) + pkg[cut:]
}

// String is the whole normalized package URL, platform qualifiers included.
func (p PURL) String() string {
	s := p.WithVersion()
	if len(p.Platform) == 0 {
		return s
	}
	quals := append(append([]string(nil), p.Qualifiers...), p.Platform...)
	sort.Strings(quals)
	cut := len(s)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		cut = i
	}
	rest := ""
	if p.Subpath != "" {
		rest = "#" + p.Subpath
	}
	return s[:cut] + "?" + strings.Join(quals, "&") + rest
}

// escapePath escapes each segment of a namespace.
func escapePath(ns string) string {
	segs := strings.Split(ns, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
