package sigverify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
)

// cosignCLI holds what the cosign CLI v2.6.4 made (testdata/cosign-cli/
// make.sh): images/ is the registry it signed six images in, as an OCI
// image layout.
const cosignCLI = "testdata/cosign-cli"

// cosignImage is one image of the fixture and how cosign signed it.
type cosignImage struct {
	tag     string // in fixture/app
	keyless bool
	// source is what the summary says of where the signature was found.
	source string
	// flipped is the rule a flipped signature breaks: a key's signature
	// over the right payload that the key did not make reads as another
	// key's; the others as broken.
	flipped string
}

var cosignImages = []cosignImage{
	{"key-tag", false, "| cosign tag `sha256-", "signer-untrusted"},
	{"key-referrer", false, "| OCI referrer `sha256:", "signer-untrusted"},
	{"key-bundle", false, "| OCI referrer (bundle 1 of 1) |", "signature-invalid"},
	{"keyless-tag", true, "| cosign tag `sha256-", "signature-invalid"},
	{"keyless-referrer", true, "| OCI referrer `sha256:", "signature-invalid"},
	{"keyless-bundle", true, "| OCI referrer (bundle 1 of 1) |", "signature-invalid"},
}

// loadCosignImages starts a registry with the referrers API and pushes
// every manifest of the fixture's layout to it, byte for byte, under the
// name index.json gives it (a tag, or a digest for a referrer, which the
// registry then lists among its subject's referrers). It returns the
// registry's host:port.
func loadCosignImages(t *testing.T) string {
	t.Helper()
	host := registryHost(t, true, nil)
	p, err := layout.FromPath(filepath.Join(cosignCLI, "images"))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range im.Manifests {
		ref, err := name.ParseReference(host + "/" + d.Annotations["org.opencontainers.image.ref.name"])
		if err != nil {
			t.Fatal(err)
		}
		img, err := p.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img); err != nil {
			t.Fatalf("pushing %s: %v", ref, err)
		}
	}
	return host
}

// cosignWorkspace is a workspace holding the trusted root the keyless
// signatures were made under, and the arguments that pin each signer.
func cosignWorkspace(t *testing.T) (ws string, keyArgs, keylessArgs []string) {
	t.Helper()
	root, err := os.ReadFile(filepath.Join(cosignCLI, "trusted_root.json"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(filepath.Join(cosignCLI, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	ws = tree(t, map[string]string{"root.json": string(root)})
	return ws, []string{"--public-key=" + string(pub)}, []string{"--certificate-identity=" + identity, "--trusted-root=root.json"}
}

// Each image cosign signed verifies through verify-signature's image path
// (by tag, resolved once, and by digest), found in the layout cosign
// wrote: its ".sig" tag, its signature image as an OCI referrer, or a
// Sigstore bundle referrer. The other kind of signer (the key for a
// keyless signature, an identity for a key's) is refused.
func TestCosignCLIImages(t *testing.T) {
	host := loadCosignImages(t)
	ws, keyArgs, keylessArgs := cosignWorkspace(t)
	for _, c := range cosignImages {
		t.Run(c.tag, func(t *testing.T) {
			ref := host + "/fixture/app:" + c.tag
			args, wrong := keyArgs, keylessArgs
			if c.keyless {
				args, wrong = keylessArgs, keyArgs
			}
			img, err := ociref.Resolve(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []string{ref, img.String()} {
				code, out := summarized(t, ws, append([]string{"--images=" + r}, args...)...)
				if code != gate.Passed || !strings.Contains(out, c.source) {
					t.Errorf("%s: exit %d, want 0 and the signature found at %q\n%s", r, code, c.source, out)
				}
			}
			if code, out := summarized(t, ws, append([]string{"--images=" + ref}, wrong...)...); code != gate.Denied || !strings.Contains(out, "[signer-untrusted]") {
				t.Errorf("the other kind of signer: exit %d, want 1 and signer-untrusted\n%s", code, out)
			}
		})
	}
}

// The tampered twins of each signed image: the tag moved to another
// image (nothing signs it), the signatures copied onto that image (they
// name the old digest), the signature's bytes flipped in the registry,
// and a keyless signature checked against another identity.
func TestCosignCLIImagesTampered(t *testing.T) {
	for _, c := range cosignImages {
		t.Run(c.tag, func(t *testing.T) {
			ws, keyArgs, keylessArgs := cosignWorkspace(t)
			args := keyArgs
			if c.keyless {
				args = keylessArgs
			}
			run := func(ref string, args []string) (gate.ExitCode, string) {
				return summarized(t, ws, append([]string{"--images=" + ref}, args...)...)
			}

			host := loadCosignImages(t)
			ref := host + "/fixture/app:" + c.tag
			signed, err := ociref.Resolve(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			pushImage(t, ref)
			if code, out := run(ref, args); code != gate.Denied || !strings.Contains(out, "[bundle-missing]") {
				t.Errorf("re-tagged: exit %d, want 1 and bundle-missing\n%s", code, out)
			}
			moved, err := ociref.Resolve(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			copySignatures(t, signed, moved)
			if code, out := run(ref, args); code != gate.Denied || !strings.Contains(out, "[signature-invalid]") {
				t.Errorf("signatures copied onto the new image: exit %d, want 1 and signature-invalid\n%s", code, out)
			}

			host = loadCosignImages(t)
			ref = host + "/fixture/app:" + c.tag
			flipSignatures(t, ref)
			if code, out := run(ref, args); code != gate.Denied || !strings.Contains(out, "["+c.flipped+"]") {
				t.Errorf("signature flipped: exit %d, want 1 and %s\n%s", code, c.flipped, out)
			}

			if c.keyless {
				host = loadCosignImages(t)
				other := []string{"--certificate-identity=https://github.com/hubgates/fixture/.github/workflows/release.yml@refs/heads/main", "--trusted-root=root.json"}
				if code, out := run(host+"/fixture/app:"+c.tag, other); code != gate.Denied || !strings.Contains(out, "[signer-untrusted]") {
					t.Errorf("another identity: exit %d, want 1 and signer-untrusted\n%s", code, out)
				}
			}
		})
	}
}

// signatureArtifacts returns the manifests attached to img: its cosign
// ".sig" image, as a tag, and its referrers, by digest.
func signatureArtifacts(t *testing.T, img ociref.Image) []name.Reference {
	t.Helper()
	var out []name.Reference
	tag := ociref.CosignTag(img, ociref.SignatureSuffix)
	if _, err := remote.Head(tag); err == nil {
		out = append(out, tag)
	}
	idx, err := remote.Referrers(img.Ref)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range im.Manifests {
		out = append(out, img.Ref.Context().Digest(d.Digest.String()))
	}
	if len(out) == 0 {
		t.Fatalf("nothing is attached to %s", img)
	}
	return out
}

// copySignatures attaches to to what is attached to from, as someone
// moving signatures between images does: the .sig image copied to to's
// .sig tag, each referrer pushed again with to as its subject.
func copySignatures(t *testing.T, from, to ociref.Image) {
	t.Helper()
	subject, err := remote.Head(to.Ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range signatureArtifacts(t, from) {
		if _, ok := r.(name.Tag); ok {
			copyImage(t, r.(name.Tag), ociref.CosignTag(to, ociref.SignatureSuffix))
			continue
		}
		editManifest(t, r, func(m map[string]any) {
			m["subject"] = map[string]any{"mediaType": subject.MediaType, "digest": subject.Digest.String(), "size": subject.Size}
		})
	}
}

// flipSignatures flips one bit of each signature attached to the image at
// ref, in the registry: a cosign layer's signature annotation, or the
// signature inside a Sigstore bundle layer. An edited referrer is pushed
// under its new digest and the original deleted.
func flipSignatures(t *testing.T, ref string) {
	t.Helper()
	img, err := ociref.Resolve(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range signatureArtifacts(t, img) {
		editManifest(t, r, func(m map[string]any) {
			for _, l := range m["layers"].([]any) {
				flipLayer(t, img.Ref.Context(), l.(map[string]any))
			}
		})
	}
}

// flipLayer flips a bit of the signature a layer descriptor carries.
func flipLayer(t *testing.T, repo name.Repository, l map[string]any) {
	t.Helper()
	flip := func(b64 string) string {
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)/2] ^= 1
		return base64.StdEncoding.EncodeToString(raw)
	}
	if ann, ok := l["annotations"].(map[string]any); ok && ann[ociref.AnnotationSignature] != nil {
		ann[ociref.AnnotationSignature] = flip(ann[ociref.AnnotationSignature].(string))
		return
	}
	if l["mediaType"] != ociref.BundleMediaType {
		t.Fatalf("layer %v carries no signature", l)
	}
	h, err := v1.NewHash(l["digest"].(string))
	if err != nil {
		t.Fatal(err)
	}
	blob, err := remote.Layer(repo.Digest(h.String()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := blob.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.NewDecoder(rc).Decode(&b); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	sig := b["dsseEnvelope"].(map[string]any)["signatures"].([]any)[0].(map[string]any)
	sig["sig"] = flip(sig["sig"].(string))
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	nl := static.NewLayer(raw, types.MediaType(ociref.BundleMediaType))
	if err := remote.WriteLayer(repo, nl); err != nil {
		t.Fatal(err)
	}
	nh, _ := nl.Digest()
	l["digest"], l["size"] = nh.String(), len(raw)
}

// editManifest rewrites the manifest at r with edit applied to it: under
// the same tag, or, for a manifest known by digest, under its new digest,
// deleting the original.
func editManifest(t *testing.T, r name.Reference, edit func(map[string]any)) {
	t.Helper()
	desc, err := remote.Get(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(raw, desc.Manifest) {
		t.Fatalf("editing %s changed nothing", r)
	}
	target := r
	if d, ok := r.(name.Digest); ok {
		h, _, err := v1.SHA256(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		target = d.Context().Digest(h.String())
		defer func() {
			if err := remote.Delete(d); err != nil {
				t.Fatal(err)
			}
		}()
	}
	if err := remote.Put(target, rawManifest{raw, desc.MediaType}); err != nil {
		t.Fatal(err)
	}
}

// The blobs cosign signed verify through the whole gate too, by file and
// by digest: keyless against the trusted root they were made under, and
// with the key; their twins (another signer, the file edited) are denied.
func TestCosignCLIBlobs(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(cosignCLI, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	_, keyArgs, keylessArgs := cosignWorkspace(t)
	ws := tree(t, map[string]string{
		"root.json":                          read("trusted_root.json"),
		"key/artifact.txt":                   read("artifact.txt"),
		"key/artifact.txt.sigstore.json":     read("artifact.txt.sigstore.json"),
		"keyless/artifact.txt":               read("keyless/artifact.txt"),
		"keyless/artifact.txt.sigstore.json": read("keyless/artifact.txt.sigstore.json"),
	})
	other := "--certificate-identity=https://github.com/hubgates/fixture/.github/workflows/release.yml@refs/heads/main"
	for _, c := range []struct {
		dir, src    string
		args, wrong []string
	}{
		{"key", "artifact.txt", keyArgs, []string{other, "--trusted-root=root.json"}},
		{"keyless", "keyless/artifact.txt", keylessArgs, []string{"--public-key=" + read("cosign.pub")}},
	} {
		t.Run(c.dir, func(t *testing.T) {
			d := digestOf(read(c.src))
			byFile := []string{"--artifacts=" + c.dir + "/artifact.txt"}
			byDigest := []string{"--digest=" + d, "--bundle=" + c.dir + "/artifact.txt.sigstore.json"}
			for _, subject := range [][]string{byFile, byDigest} {
				if code, out := summarized(t, ws, append(subject, c.args...)...); code != gate.Passed {
					t.Errorf("%v: exit %d\n%s", subject, code, out)
				}
				if code, out := summarized(t, ws, append(subject, c.wrong...)...); code != gate.Denied || !strings.Contains(out, "[signer-untrusted]") {
					t.Errorf("%v, another signer: exit %d, want 1 and signer-untrusted\n%s", subject, code, out)
				}
			}
			write(t, filepath.Join(ws, c.dir, "artifact.txt"), []byte("edited after signing\n"))
			if code, out := summarized(t, ws, append(byFile, c.args...)...); code != gate.Denied || !strings.Contains(out, "[signature-invalid]") {
				t.Errorf("the file edited: exit %d, want 1 and signature-invalid\n%s", code, out)
			}
		})
	}
}
