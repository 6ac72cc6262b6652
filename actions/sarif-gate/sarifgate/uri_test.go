package sarifgate

import "testing"

func TestLocator(t *testing.T) {
	l := newLocator("/src/proj", "acme/proj")
	run := &Run{
		artifacts: []artifact{{Location: &artifactLocation{URI: "lib/a.go", URIBaseID: "SRC"}}},
		bases: map[string]artifactLocation{
			"SRC":      {URI: "file:///src/proj/"},
			"NESTED":   {URI: "pkg/", URIBaseID: "SRC"},
			"ROOTPATH": {URI: "file:///"},
			"LOOP":     {URI: "x/", URIBaseID: "LOOP"},
		},
	}
	idx := 0
	tests := []struct {
		name       string
		al         artifactLocation
		rel, uri   string
		sourceRoot bool
	}{
		{"relative", artifactLocation{URI: "app/main.py"}, "app/main.py", "app/main.py", true},
		{"dot segments", artifactLocation{URI: "./app/../app/main.py"}, "app/main.py", "app/main.py", true},
		{"escaped", artifactLocation{URI: "my%20dir/a.py"}, "my dir/a.py", "my%20dir/a.py", true},
		{"workspace path", artifactLocation{URI: "/src/proj/a.py"}, "a.py", "a.py", true},
		{"file uri in workspace", artifactLocation{URI: "file:///src/proj/a.py"}, "a.py", "a.py", true},
		{"runner checkout", artifactLocation{URI: "file:///home/runner/work/proj/proj/a/b.py"}, "a/b.py", "a/b.py", true},
		{"container job checkout", artifactLocation{URI: "/__w/proj/proj/b.py"}, "b.py", "b.py", true},
		{"windows runner", artifactLocation{URI: "file:///D:/a/proj/proj/src/c.cs"}, "src/c.cs", "src/c.cs", true},
		{"windows path", artifactLocation{URI: `D:\a\proj\proj\src\c.cs`}, "src/c.cs", "src/c.cs", true},
		{"container action workspace", artifactLocation{URI: "/github/workspace/Dockerfile"}, "Dockerfile", "Dockerfile", true},
		{"base", artifactLocation{URI: "b.go", URIBaseID: "SRC"}, "b.go", "b.go", true},
		{"nested base", artifactLocation{URI: "b.go", URIBaseID: "NESTED"}, "pkg/b.go", "pkg/b.go", true},
		{"root base is the checkout", artifactLocation{URI: "Dockerfile", URIBaseID: "ROOTPATH"}, "Dockerfile", "Dockerfile", true},
		{"undefined base", artifactLocation{URI: "c.go", URIBaseID: "%SRCROOT%"}, "c.go", "c.go", true},
		{"cyclic base", artifactLocation{URI: "d.go", URIBaseID: "LOOP"}, "d.go", "d.go", true},
		{"artifact index", artifactLocation{Index: &idx}, "lib/a.go", "lib/a.go", true},
		{"colon in first segment", artifactLocation{URI: "a:b/c.txt"}, "a:b/c.txt", "a%3Ab/c.txt", true},
		{"outside", artifactLocation{URI: "/usr/lib/python3/os.py"}, "", "file:///usr/lib/python3/os.py", false},
		{"parent", artifactLocation{URI: "../other/x.py"}, "", "../other/x.py", false},
		{"web", artifactLocation{URI: "https://example.com/x.js"}, "", "https://example.com/x.js", false},
		{"other repository checkout", artifactLocation{URI: "/home/runner/work/other/other/x.py"}, "", "file:///home/runner/work/other/other/x.py", false},
		{"nothing", artifactLocation{}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := l.resolve(&tt.al, run)
			if p.rel != tt.rel || p.uri != tt.uri || (p.base == SourceRootID) != tt.sourceRoot {
				t.Errorf("resolve = %+v, want rel %q uri %q source root %v", p, tt.rel, tt.uri, tt.sourceRoot)
			}
		})
	}
}

func TestEscapeColonInFirstSegment(t *testing.T) {
	if got := escape("c:d/e f"); got != "c%3Ad/e%20f" {
		t.Errorf("escape = %q", got)
	}
}
