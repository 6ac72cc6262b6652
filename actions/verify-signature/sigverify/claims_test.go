package sigverify

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// current is what Fulcio writes today for a tag push of a release
// workflow; deprecated is what certificates from before 2023 carry.
var (
	current = certificate.Extensions{
		SourceRepositoryURI: "https://github.com/Acme/Tool",
		SourceRepositoryRef: "refs/tags/v1.2.0",
		BuildTrigger:        "push",
		BuildConfigURI:      "https://github.com/Acme/Tool/.github/workflows/release.yml@refs/tags/v1.2.0",
		// The deprecated ones disagree, to show they are not read.
		GithubWorkflowRepository: "other/repo",
		GithubWorkflowRef:        "refs/heads/other",
		GithubWorkflowTrigger:    "pull_request",
	}
	deprecated = certificate.Extensions{
		GithubWorkflowRepository: "acme/tool",
		GithubWorkflowRef:        "refs/tags/v1.2.0",
		GithubWorkflowTrigger:    "push",
	}
)

func TestClaimsCheck(t *testing.T) {
	all := Claims{Repository: "acme/tool", Ref: "refs/tags/v1.2.0", Trigger: "push", WorkflowPath: ".github/workflows/release.yml"}
	cases := []struct {
		name string
		c    Claims
		ext  certificate.Extensions
		want []string
	}{
		{"all current", all, current, nil},
		{"./ path", Claims{WorkflowPath: "./.github/workflows/release.yml"}, current, nil},
		{"none required", Claims{}, certificate.Extensions{}, nil},
		{"deprecated only", Claims{Repository: "ACME/tool", Ref: "refs/tags/v1.2.0", Trigger: "push"}, deprecated, nil},
		{"deprecated has no build config", all, deprecated,
			[]string{`expected workflow path ".github/workflows/release.yml", got a certificate that does not state one`}},
		{"other repository", Claims{Repository: "acme/tool-fork"}, current, []string{`expected repository "acme/tool-fork", got "Acme/Tool"`}},
		{"branch, not tag", Claims{Ref: "refs/heads/main"}, current, []string{`expected ref "refs/heads/main", got "refs/tags/v1.2.0"`}},
		{"other trigger and workflow", Claims{Trigger: "workflow_dispatch", WorkflowPath: ".github/workflows/ci.yml"}, current,
			[]string{`expected trigger "workflow_dispatch", got "push"`, `expected workflow path ".github/workflows/ci.yml", got ".github/workflows/release.yml"`}},
		{"empty certificate", Claims{Ref: "refs/tags/v1.2.0"}, certificate.Extensions{}, []string{`expected ref "refs/tags/v1.2.0", got a certificate that does not state one`}},
	}
	for _, c := range cases {
		if got := c.c.Check(c.ext); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestWorkflowPath(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/o/r/.github/workflows/a.yml@refs/heads/main":     ".github/workflows/a.yml",
		"https://ghe.example.com/o/r/.github/workflows/b/c.yaml@refs/tags/x": ".github/workflows/b/c.yaml",
		"https://github.com/o/r": "",
		"not a uri":              "",
	} {
		if got := workflowPath(in); got != want {
			t.Errorf("workflowPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCtxFetcher(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/1.root.json":
			_, _ = w.Write([]byte("0123456789"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := &ctxFetcher{ctx: t.Context()}
	if b, err := f.DownloadFile(srv.URL+"/1.root.json", 10, 0); err != nil || string(b) != "0123456789" {
		t.Errorf("got %q, %v", b, err)
	}
	if _, err := f.DownloadFile(srv.URL+"/1.root.json", 9, 0); err == nil || !strings.Contains(err.Error(), "larger than 9 bytes") {
		t.Errorf("oversize: %v", err)
	}
	var httpErr *metadata.ErrDownloadHTTP
	if _, err := f.DownloadFile(srv.URL+"/2.root.json", 10, 0); err == nil || !errors.As(err, &httpErr) || httpErr.StatusCode != 404 {
		t.Errorf("404: %v", err)
	}
}
