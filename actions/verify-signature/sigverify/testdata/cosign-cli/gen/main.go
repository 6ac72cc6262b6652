// Command gen runs a fixture script against a virtual Sigstore and an OCI
// registry, both in this process, and saves what the registry then holds
// as an OCI image layout. make.sh in the folder above runs it; it is not
// part of any test.
//
//	go run ./gen -trusted-root FILE -save DIR [-push NAME]... -- SCRIPT [ARG]...
//
// It starts shared/sigstore/sigstoretest (OIDC token endpoint, Fulcio,
// Rekor) and go-containerregistry's registry (with the referrers API),
// writes the virtual Sigstore's trusted_root.json to FILE, pushes a new
// small random image to $REGISTRY/fixture/app:NAME for each -push, and
// runs SCRIPT with, in its environment:
//
//	FULCIO_URL, REKOR_URL  the virtual Fulcio and Rekor
//	SIGSTORE_ID_TOKEN      an identity token the virtual Fulcio accepts,
//	                       of the GitHub Actions run of
//	                       hubgates/fixture/.github/workflows/ci.yml@refs/heads/main
//	REGISTRY               the registry's host:port
//	IMAGE_<NAME>           each pushed image by digest (NAME upper-cased,
//	                       "-" turned to "_")
//
// When SCRIPT succeeds, every tagged manifest of the registry and every
// referrer of a tagged manifest is saved to DIR (replaced), an OCI image
// layout whose index.json names each manifest by
// "org.opencontainers.image.ref.name": "<repository>:<tag>" for a tag,
// "<repository>@<digest>" for an untagged referrer.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// refName is the annotation index.json names each manifest by.
const refName = "org.opencontainers.image.ref.name"

type pushes []string

func (p *pushes) String() string     { return strings.Join(*p, ",") }
func (p *pushes) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	var images pushes
	rootFile := flag.String("trusted-root", "", "write the virtual Sigstore's trusted_root.json here")
	saveDir := flag.String("save", "", "save the registry's content here as an OCI image layout")
	flag.Var(&images, "push", "push a random image to $REGISTRY/fixture/app:NAME (repeatable)")
	flag.Parse()
	if *rootFile == "" || *saveDir == "" || flag.NArg() == 0 {
		log.Fatal("usage: gen -trusted-root FILE -save DIR [-push NAME]... -- SCRIPT [ARG]...")
	}
	if err := run(*rootFile, *saveDir, images, flag.Args()); err != nil {
		log.Fatal(err)
	}
}

func run(rootFile, saveDir string, images []string, script []string) error {
	ctx := context.Background()
	s, err := sigstoretest.New()
	if err != nil {
		return err
	}
	defer s.Close()
	js, err := s.TrustedRootJSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(rootFile, append(js, '\n'), 0o644); err != nil {
		return err
	}
	token, err := sigstore.ActionsToken{RequestURL: s.TokenURL(), RequestToken: sigstoretest.RequestToken, Audience: "sigstore"}.Token(ctx)
	if err != nil {
		return err
	}
	reg := httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")

	env := append(os.Environ(), "FULCIO_URL="+s.Fulcio.URL, "REKOR_URL="+s.Rekor.URL,
		"SIGSTORE_ID_TOKEN="+token, "REGISTRY="+host)
	for _, n := range images {
		ref, err := name.NewTag(host + "/fixture/app:" + n)
		if err != nil {
			return fmt.Errorf("-push %q: %w", n, err)
		}
		img, err := random.Image(512, 1)
		if err != nil {
			return err
		}
		if err := remote.Write(ref, img); err != nil {
			return err
		}
		h, err := img.Digest()
		if err != nil {
			return err
		}
		env = append(env, "IMAGE_"+strings.ToUpper(strings.ReplaceAll(n, "-", "_"))+"="+ref.Context().Digest(h.String()).String())
	}

	cmd := exec.Command(script[0], script[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("running %s: %w", script[0], err)
	}
	return save(ctx, host, saveDir)
}

// save writes every tagged manifest of the registry at host, and every
// referrer of one, to dir as an OCI image layout, byte for byte.
func save(ctx context.Context, host, dir string) error {
	reg, err := name.NewRegistry(host)
	if err != nil {
		return err
	}
	repos, err := remote.Catalog(ctx, reg)
	if err != nil {
		return err
	}
	type entry struct {
		ref  string
		repo name.Repository
		desc *remote.Descriptor
	}
	var entries []entry
	seen := map[string]bool{}
	for _, r := range repos {
		repo := reg.Repo(r)
		tags, err := remote.List(repo, remote.WithContext(ctx))
		if err != nil {
			return err
		}
		for _, t := range tags {
			d, err := remote.Get(repo.Tag(t), remote.WithContext(ctx))
			if err != nil {
				return err
			}
			entries = append(entries, entry{r + ":" + t, repo, d})
			seen[r+"@"+d.Digest.String()] = true
		}
	}
	// The referrers of what is tagged, once each.
	for _, e := range slices.Clone(entries) {
		repo := e.repo
		idx, err := remote.Referrers(repo.Digest(e.desc.Digest.String()), remote.WithContext(ctx))
		if err != nil {
			return err
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return err
		}
		for _, m := range im.Manifests {
			key := repo.RepositoryStr() + "@" + m.Digest.String()
			if seen[key] {
				continue
			}
			seen[key] = true
			d, err := remote.Get(repo.Digest(m.Digest.String()), remote.WithContext(ctx))
			if err != nil {
				return err
			}
			entries = append(entries, entry{key, repo, d})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.ref, b.ref) })

	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	for _, e := range entries {
		opt := layout.WithAnnotations(map[string]string{refName: e.ref})
		if e.desc.MediaType.IsIndex() {
			return errors.New(e.ref + ": an index; this fixture holds images only")
		}
		img, err := e.desc.Image()
		if err != nil {
			return err
		}
		if err := p.AppendImage(img, opt); err != nil {
			return fmt.Errorf("saving %s: %w", e.ref, err)
		}
		log.Printf("saved %s (%s)", e.ref, e.desc.Digest)
	}
	return nil
}
