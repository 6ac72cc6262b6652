// Command gen serves the benchmark's images from an in-process registry on
// the loopback interface: bench/app:base, bench/app:same (a copy, so the
// same digest) and bench/app:other, which differs from base in one byte of
// the last file of the last layer. The registry speaks TLS (diffoci talks
// to no other), with a self-signed certificate for 127.0.0.1 written to
// CERT_FILE for SSL_CERT_FILE. It prints the registry's address, then
// serves until it is killed.
//
//	go run ./actions/reproducible/bench/gen SIZE_MB LAYERS CERT_FILE
package main

import (
	"archive/tar"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// fileSize is the size of every file in the layers.
const fileSize = 4 << 20

func main() {
	if len(os.Args) != 4 {
		log.Fatal("usage: gen SIZE_MB LAYERS CERT_FILE")
	}
	sizeMB, err1 := strconv.Atoi(os.Args[1])
	layers, err2 := strconv.Atoi(os.Args[2])
	if err1 != nil || err2 != nil || sizeMB < layers*4 || layers < 1 {
		log.Fatal("gen: SIZE_MB and LAYERS must be numbers, at least 4 MB a layer")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	cert := selfSigned(os.Args[3])
	srv := &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0))), ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	go srv.ServeTLS(ln, "", "")
	addr := ln.Addr().String()
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}

	files := sizeMB * (1 << 20) / fileSize / layers
	base, other := empty.Image, empty.Image
	base = mutate.MediaType(mutate.ConfigMediaType(base, types.OCIConfigJSON), types.OCIManifestSchema1)
	other = base
	rng := rand.New(rand.NewPCG(1, 2))
	for l := range layers {
		tb := layerTar(rng, l, files)
		lb, err := tarball.LayerFromReader(bytes.NewReader(tb), tarball.WithMediaType(types.OCILayer))
		check(err)
		lo := lb
		if l == layers-1 {
			// The twin's last layer: one byte flipped in its last file.
			flipped := bytes.Clone(tb)
			flipped[len(flipped)-1024-fileSize/2] ^= 1
			lo, err = tarball.LayerFromReader(bytes.NewReader(flipped), tarball.WithMediaType(types.OCILayer))
			check(err)
		}
		base, err = mutate.AppendLayers(base, lb)
		check(err)
		other, err = mutate.AppendLayers(other, lo)
		check(err)
	}
	for _, w := range []struct {
		tag string
		img v1.Image
	}{{"base", base}, {"same", base}, {"other", other}} {
		ref, err := name.ParseReference(addr + "/bench/app:" + w.tag)
		check(err)
		check(remote.Write(ref, platform(w.img), remote.WithTransport(tr)))
	}
	fmt.Println(addr)
	select {}
}

func platform(img v1.Image) v1.Image {
	cf, err := img.ConfigFile()
	check(err)
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	out, err := mutate.ConfigFile(img, cf)
	check(err)
	return out
}

// layerTar is one layer: files of random bytes, deterministic per layer.
func layerTar(rng *rand.Rand, layer, files int) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := make([]byte, fileSize)
	for f := range files {
		for i := 0; i < len(body); i += 8 {
			v := rng.Uint64()
			for j := 0; j < 8 && i+j < len(body); j++ {
				body[i+j] = byte(v >> (8 * j))
			}
		}
		h := &tar.Header{Name: fmt.Sprintf("data/layer%02d/file%04d.bin", layer, f), Typeflag: tar.TypeReg, Mode: 0o644, Size: fileSize, ModTime: time.Unix(0, 0)}
		check(tw.WriteHeader(h))
		_, err := tw.Write(body)
		check(err)
	}
	check(tw.Close())
	return buf.Bytes()
}

// selfSigned makes a certificate for 127.0.0.1 and writes it, PEM, to path.
func selfSigned(path string) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	check(err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench registry"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, &key.PublicKey, key)
	check(err)
	check(os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	leaf, err := x509.ParseCertificate(der)
	check(err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
