package audit

import (
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestUnpinnedImagesWorkflow(t *testing.T) {
	const head = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
	const steps = "    steps:\n      - run: true\n"
	tests := []struct {
		name string
		job  string
		want *want
	}{
		{"container string tag", "    container: node:20\n" + steps, &want{finding.High, 5, 16, `container image "node:20" is not pinned by digest`}},
		{"container string digest", "    container: node:20@sha256:" + testDigest + "\n" + steps, nil},
		{"container image tag", "    container:\n      image: ghcr.io/o/r:1\n" + steps, &want{finding.High, 6, 14, `e.g. "ghcr.io/o/r:1@sha256:<digest>"`}},
		{"container image digest", "    container:\n      image: ghcr.io/o/r@sha256:" + testDigest + "\n" + steps, nil},
		{"container no tag", "    container: ubuntu\n" + steps, &want{finding.High, 5, 16, `no tag means "latest"`}},
		{"short digest", "    container: ubuntu@sha256:abc\n" + steps, &want{finding.High, 5, 16, "not a full sha256 digest"}},
		{"upper-case digest", "    container: ubuntu@sha256:" + strings.ToUpper(testDigest) + "\n" + steps, &want{finding.High, 5, 16, "not pinned"}},
		{"service tag", "    services:\n      redis:\n        image: redis:7\n" + steps, &want{finding.High, 7, 16, `service "redis" image "redis:7"`}},
		{"service digest", "    services:\n      redis:\n        image: redis:7@sha256:" + testDigest + "\n" + steps, nil},
		{"matrix expression", "    container: ${{ matrix.image }}\n" + steps, &want{finding.Medium, 5, 16, "is an expression, so its digest pin cannot be checked"}},
		{"partial expression", "    container: node:${{ matrix.v }}\n" + steps, &want{finding.Medium, 5, 16, "is an expression"}},
		{"expression with literal digest", "    container: ${{ vars.REGISTRY }}/node@sha256:" + testDigest + "\n" + steps, nil},
		{"services expression", "    services: ${{ fromJSON(vars.SERVICES) }}\n" + steps, &want{finding.Medium, 5, 15, "are an expression"}},
		{"docker step tag", "    steps:\n      - uses: docker://alpine:3\n", &want{finding.High, 6, 15, `step image "docker://alpine:3"`}},
		{"docker step digest", "    steps:\n      - uses: docker://alpine@sha256:" + testDigest + "\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanTree(t, map[string]string{".github/workflows/ci.yml": head + tt.job}, Options{})
			checkOne(t, only(r.Findings, RuleUnpinnedImages), tt.want)
		})
	}
}

func TestUnpinnedImagesAction(t *testing.T) {
	tests := []struct {
		name  string
		image string
		files map[string]string
		want  *want
	}{
		{"registry tag", "docker://ghcr.io/o/r:1", nil, &want{finding.High, 5, 10, `action image "docker://ghcr.io/o/r:1"`}},
		{"registry digest", "docker://ghcr.io/o/r@sha256:" + testDigest, nil, nil},
		// A local Dockerfile is not flagged itself; its FROM lines are.
		{"local Dockerfile pinned", "Dockerfile", map[string]string{"act/Dockerfile": "FROM alpine@sha256:" + testDigest + "\n"}, nil},
		{"local Dockerfile unpinned", "Dockerfile", map[string]string{"act/Dockerfile": "FROM alpine:3\n"}, &want{finding.High, 1, 6, `base image "alpine:3"`}},
		{"local Containerfile by path", "build/Containerfile", map[string]string{"act/build/Containerfile": "FROM alpine:3\n"}, &want{finding.High, 1, 6, `base image "alpine:3"`}},
		// GitHub pulls a registry reference without docker:// too.
		{"registry tag without docker://", "ghcr.io/o/tool:1.2", nil, &want{finding.High, 5, 10, `action image "ghcr.io/o/tool:1.2" is not pinned by digest`}},
		{"Docker Hub tag without docker://", "alpine:3.20", nil, &want{finding.High, 5, 10, `action image "alpine:3.20"`}},
		{"registry digest without docker://", "ghcr.io/o/tool@sha256:" + testDigest, nil, nil},
		{"a file named like a tag wins", "tool:1", map[string]string{"act/tool:1": "FROM alpine@sha256:" + testDigest + "\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"act/action.yml": "name: n\ndescription: d\nruns:\n  using: docker\n  image: " + tt.image + "\n"}
			for k, v := range tt.files {
				files[k] = v
			}
			// Name only the action: a local Dockerfile is followed anyway.
			r := scanTree(t, files, Options{Paths: []string{"act/action.yml"}})
			checkOne(t, only(r.Findings, RuleUnpinnedImages), tt.want)
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), nil)
		})
	}
}

func TestUnpinnedImagesDockerfile(t *testing.T) {
	d := "@sha256:" + testDigest
	tests := []struct {
		name string
		src  string
		want *want
	}{
		{"tag", "FROM alpine:3.20\n", &want{finding.High, 1, 6, `base image "alpine:3.20" is not pinned by digest`}},
		{"digest", "FROM alpine" + d + "\n", nil},
		{"tag and digest", "FROM alpine:3.20" + d + "\n", nil},
		{"registry port and digest", "FROM localhost:5000/x/y:1" + d + "\n", nil},
		{"registry port and tag", "FROM localhost:5000/x/y:1\n", &want{finding.High, 1, 6, "not pinned"}},
		{"scratch", "FROM scratch\n", nil},
		{"lower-case instruction", "from alpine:3\n", &want{finding.High, 1, 6, "not pinned"}},
		{"stage name", "FROM alpine" + d + " AS base\nFROM base\n", nil},
		{"stage name any case", "FROM alpine" + d + " as Base\nFROM BASE AS second\nFROM second\n", nil},
		{"later stage is not a stage yet", "FROM later\nFROM alpine" + d + " AS later\n", &want{finding.High, 1, 6, `"later"`}},
		{"platform flag", "FROM --platform=linux/amd64 node:20 AS b\n", &want{finding.High, 1, 29, `"node:20"`}},
		{"platform variable", "FROM --platform=$BUILDPLATFORM golang:1.22\n", &want{finding.High, 1, 32, `"golang:1.22"`}},
		{"arg default", "ARG V=3.20\nFROM alpine:${V}\n", &want{finding.High, 2, 6, `resolves to "alpine:3.20"`}},
		{"arg default pinned", "ARG BASE=alpine" + d + "\nFROM $BASE\n", nil},
		{"arg quoted default", "ARG BASE=\"alpine:3\"\nFROM $BASE\n", &want{finding.High, 2, 6, `resolves to "alpine:3"`}},
		{"arg default default", "FROM ${IMG:-debian:12}\n", &want{finding.High, 1, 6, `resolves to "debian:12"`}},
		{"arg from arg", "ARG R=ghcr.io\nARG IMG=${R}/o/x:1\nFROM $IMG\n", &want{finding.High, 3, 6, `resolves to "ghcr.io/o/x:1"`}},
		{"arg after FROM is not global", "FROM alpine" + d + "\nARG V=1\nFROM x:$V\n", &want{finding.High, 3, 6, `build argument "V" has no default`}},
		{"arg without default", "ARG BASE\nFROM $BASE\n", &want{finding.Medium, 2, 6, "build argument with no default, so its pin cannot be checked"}},
		{"arg without default braces", "FROM ${BASE} AS x\n", &want{finding.Medium, 1, 6, "cannot be checked"}},
		{"unresolved tag", "FROM node:${V}\n", &want{finding.High, 1, 6, `build argument "V" has no default`}},
		{"unresolved registry literal digest", "FROM ${REG}/node" + d + "\n", nil},
		{"continuation", "FROM \\\n  # comment\n\n  --platform=linux/arm64 \\\n  alpine:3 AS x\n", &want{finding.High, 5, 3, `"alpine:3"`}},
		{"escape directive", "# escape=`\nFROM `\n  alpine:3\n", &want{finding.High, 3, 3, `"alpine:3"`}},
		{"comment", "# FROM evil:1\nFROM alpine" + d + "\n", nil},
		{"heredoc body", "FROM alpine" + d + "\nRUN <<EOF\nFROM evil:1\nEOF\n", nil},
		{"heredoc strip tabs", "FROM alpine" + d + "\nRUN <<-EOF\n\tFROM evil:1\n\tEOF\nFROM x:1\n", &want{finding.High, 5, 6, `"x:1"`}},
		{"copy from stage", "FROM alpine" + d + " AS b\nFROM scratch\nCOPY --from=b /a /a\nCOPY --from=0 /a /a\n", nil},
		{"copy from image", "FROM scratch\nCOPY --from=busybox:1 /bin/sh /sh\n", &want{finding.High, 2, 13, `image in COPY --from "busybox:1"`}},
		{"copy from pinned image", "FROM scratch\nCOPY --chown=1 --from=busybox" + d + " /bin/sh /sh\n", nil},
		{"crlf", "FROM alpine:3\r\n", &want{finding.High, 1, 6, `"alpine:3"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanTree(t, map[string]string{"Dockerfile": tt.src}, Options{})
			checkOne(t, only(r.Findings, RuleUnpinnedImages), tt.want)
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), nil)
		})
	}
}

// TestExpandArgs: build arguments expand as BuildKit expands them, and
// references to arguments without a value stay as written.
func TestExpandArgs(t *testing.T) {
	vars := argVars{"A": "a", "E": ""}
	lex := shell.NewLex('\\')
	tests := []struct{ in, out, unresolved string }{
		{"$A", "a", ""},
		{"${A}", "a", ""},
		{"x${A}y$A", "xaya", ""},
		{"${B}", "${B}", "B"},
		{"$B", "${B}", "B"},
		{"${B:-d}", "d", ""},
		{"${E:-d}", "d", ""},
		{"${E-d}", "", ""},
		{"${B-d}", "d", ""},
		{"${A:+p}", "p", ""},
		{"${E:+p}", "", ""},
		{"${E+p}", "p", ""},
		{"\\$A", "$A", ""},
		{"$", "$", ""},
		{"${B:-${A}}", "a", ""},
		{"'q$A'", "q$A", ""},
	}
	for _, tt := range tests {
		out, un := expandArgs(lex, '\\', tt.in, vars)
		if out != tt.out || strings.Join(un, ",") != tt.unresolved {
			t.Errorf("expandArgs(%q) = %q, %v; want %q, %q", tt.in, out, un, tt.out, tt.unresolved)
		}
	}
}

func TestImagePath(t *testing.T) {
	tests := []struct{ in, out string }{
		{"alpine", "library/alpine"},
		{"alpine:3", "library/alpine"},
		{"docker.io/alpine:3", "library/alpine"},
		{"octo/x:1", "octo/x"},
		{"ghcr.io/octo/x/y:1@sha256:" + testDigest, "octo/x/y"},
		{"localhost:5000/x:1", "x"},
		{"registry.example.com/x", "x"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(imagePath(tt.in), "/"); got != tt.out {
			t.Errorf("imagePath(%q) = %q, want %q", tt.in, got, tt.out)
		}
	}
}

func TestLooksLikeImage(t *testing.T) {
	for v, want := range map[string]bool{
		"alpine:3.20": true, "ghcr.io/o/r:1": true, "ghcr.io/o/r": true, "localhost:5000/x": true,
		"ghcr.io/o/r@sha256:" + testDigest: true, "o/r:v1": true,
		"Dockerfile": false, "docker/Dockerfile": false, "build/Containerfile": false, "alpine": false,
		"../Dockerfile": false, "a b:1": false,
	} {
		if got := looksLikeImage(v); got != want {
			t.Errorf("looksLikeImage(%q) = %v, want %v", v, got, want)
		}
	}
}
