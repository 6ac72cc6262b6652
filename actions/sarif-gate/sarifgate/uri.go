package sarifgate

import (
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode"
)

// SourceRootID is the uriBaseId of every repository-relative URI the gate
// writes: code scanning resolves it to the checkout.
const SourceRootID = "%SRCROOT%"

// containerWorkspace is where GitHub mounts the workspace in a container
// action: SARIF written by another container action names files there.
const containerWorkspace = "/github/workspace"

// runnerWorkDirs are the parent folders of a checkout on GitHub's runners:
// <dir>/<repo>/<repo> is GITHUB_WORKSPACE on Linux and macOS (work), in
// container jobs (__w), on self-hosted runners (_work) and on Windows (a,
// as in D:\a\repo\repo).
var runnerWorkDirs = map[string]bool{"work": true, "_work": true, "__w": true, "a": true}

// schemeRE matches a URI scheme; a single letter is a Windows drive.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+:`)

// locator turns the URIs tools write into repository-relative ones.
type locator struct {
	workspace string // absolute, forward slashes, no trailing slash
	repoName  string // the repository's name, from owner/name
}

func newLocator(workspace, repository string) *locator {
	ws := strings.TrimRight(strings.ReplaceAll(workspace, `\`, "/"), "/")
	_, name, _ := strings.Cut(repository, "/")
	return &locator{workspace: ws, repoName: name}
}

// place is where a location points after resolution.
type place struct {
	// rel is the repository-relative path, "" when the location is outside
	// the repository or not a file.
	rel string
	// uri and base are what the output artifactLocation carries.
	uri, base string
}

// resolve resolves an artifactLocation of run r: an index into its
// artifacts, a uriBaseId defined in its originalUriBaseIds (an undefined
// base such as CodeQL's %SRCROOT%, or one outside the repository, is the
// repository root), then a file:// URI, an absolute path or a relative
// one. Absolute paths inside the workspace, the container workspace or a
// runner checkout of this repository become repository-relative.
func (l *locator) resolve(al *artifactLocation, r *Run) place {
	uri, base := al.URI, al.URIBaseID
	if uri == "" && al.Index != nil && *al.Index >= 0 && *al.Index < len(r.artifacts) {
		if a := r.artifacts[*al.Index].Location; a != nil {
			uri, base = a.URI, a.URIBaseID
		}
	}
	if uri == "" {
		return place{}
	}
	if base != "" && !isAbsURI(uri) {
		if root, ok := resolveBase(base, r.bases, 0); ok {
			// A base outside the repository (Trivy's ROOTPATH is
			// file:///) says nothing code scanning uses: it reads the
			// relative URI against the checkout, and so does the gate.
			if p := l.place(joinURI(root, uri)); p.rel != "" {
				return p
			}
		}
	}
	return l.place(uri)
}

// resolveBase follows a uriBaseId through originalUriBaseIds to an
// absolute URI; depth guards against cycles.
func resolveBase(id string, bases map[string]artifactLocation, depth int) (string, bool) {
	b, ok := bases[id]
	if !ok || depth > 8 || b.URI == "" {
		return "", false
	}
	if isAbsURI(b.URI) {
		return b.URI, true
	}
	if b.URIBaseID == "" {
		return "", false
	}
	parent, ok := resolveBase(b.URIBaseID, bases, depth+1)
	if !ok {
		return "", false
	}
	return joinURI(parent, b.URI), true
}

func isAbsURI(u string) bool {
	return schemeRE.MatchString(u) || strings.HasPrefix(u, "/") || isDrive(u)
}

func isDrive(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '/' || p[2] == '\\') &&
		(('a' <= p[0] && p[0] <= 'z') || ('A' <= p[0] && p[0] <= 'Z'))
}

func joinURI(root, rel string) string {
	if !strings.HasSuffix(root, "/") {
		root += "/"
	}
	return root + strings.TrimPrefix(rel, "./")
}

// place classifies a URI that has no base left to resolve.
func (l *locator) place(uri string) place {
	var p string
	switch {
	case schemeRE.MatchString(uri) && !isDrive(uri):
		u, err := url.Parse(uri)
		if err != nil || !strings.EqualFold(u.Scheme, "file") || (u.Host != "" && u.Host != "localhost") {
			return keep(uri)
		}
		p = u.Path
		if len(p) > 3 && p[0] == '/' && isDrive(p[1:]) {
			p = p[1:] // file:///C:/x
		}
	default:
		p = uri
		if unescaped, err := url.PathUnescape(uri); err == nil {
			p = unescaped
		}
	}
	p = strings.ReplaceAll(p, `\`, "/")
	if strings.HasPrefix(p, "/") || isDrive(p) {
		if rel, ok := l.relative(p); ok {
			return inRepo(rel)
		}
		return keep(fileURI(p))
	}
	clean := path.Clean(p)
	if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return keep(escape(p))
	}
	return inRepo(clean)
}

// relative strips the workspace, the container workspace or a runner
// checkout path of this repository from an absolute path.
func (l *locator) relative(abs string) (string, bool) {
	abs = path.Clean(abs)
	for _, root := range []string{l.workspace, containerWorkspace} {
		if root != "" && strings.HasPrefix(abs, root+"/") {
			return strings.TrimPrefix(abs, root+"/"), true
		}
	}
	if l.repoName == "" {
		return "", false
	}
	segs := strings.Split(abs, "/")
	for i := 0; i+3 < len(segs); i++ {
		if runnerWorkDirs[segs[i]] && segs[i+1] == l.repoName && segs[i+2] == l.repoName {
			return strings.Join(segs[i+3:], "/"), true
		}
	}
	return "", false
}

func inRepo(rel string) place { return place{rel: rel, uri: escape(rel), base: SourceRootID} }

// keep leaves a location the gate cannot place in the repository as a URI
// the schema accepts.
func keep(uri string) place {
	if _, err := url.Parse(uri); err != nil || strings.ContainsFunc(uri, unicode.IsSpace) {
		return place{uri: escape(uri)}
	}
	return place{uri: uri}
}

// fileURI writes an absolute path as a file:// URI.
func fileURI(p string) string {
	if isDrive(p) {
		p = "/" + p
	}
	return "file://" + (&url.URL{Path: p}).EscapedPath()
}

// escape percent-encodes a path as a relative URI reference; a colon in
// the first segment would read as a scheme, so it is escaped there.
func escape(p string) string {
	u := (&url.URL{Path: p}).EscapedPath()
	first, rest, found := strings.Cut(u, "/")
	first = strings.ReplaceAll(first, ":", "%3A")
	if found {
		return first + "/" + rest
	}
	return first
}
