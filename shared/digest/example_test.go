package digest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/digest"
)

func ExampleNormalize() {
	for _, s := range []string{
		"sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.sig",
		"  blake3:6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85\n",
	} {
		n, err := digest.Normalize(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(n)
	}
	// Output:
	// sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
	// sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
	// sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
	// blake3:6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85
}

func ExampleParse() {
	d, err := digest.Parse("SHA512:" + strings.Repeat("AB", 64))
	fmt.Println(d.Algorithm, len(d.Bytes()), err)

	_, err = digest.Parse("sha256:abc")
	fmt.Println(err)
	fmt.Println(errors.Is(err, digest.ErrLength))

	_, err = digest.Parse("md5:900150983cd24fb0d6963f7d28e17f72")
	fmt.Println(errors.Is(err, digest.ErrUnknownAlgorithm))
	// Output:
	// sha512 64 <nil>
	// parsing digest "sha256:abc": sha256 wants 64 hex characters, got 3: invalid digest length
	// true
	// true
}

func ExampleFromReference() {
	d, err := digest.FromReference("ghcr.io/owner/image:v1@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
	fmt.Println(d, err)
	// Output:
	// sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad <nil>
}

func ExampleFromBytes() {
	fmt.Println(digest.FromBytes(digest.SHA256, []byte("abc")))
	fmt.Println(digest.FromBytes(digest.BLAKE3, []byte("abc")))
	// Output:
	// sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
	// blake3:6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85
}

func ExampleFromReader() {
	d, n, err := digest.FromReader(digest.SHA256, strings.NewReader("abc"))
	fmt.Println(d, n, err)
	// Output:
	// sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 <nil>
}

func ExampleDigest_Verify() {
	want, _ := digest.Parse("sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.att")
	fmt.Println(want.Verify(strings.NewReader("abc")))

	err := want.Verify(strings.NewReader("abd"))
	fmt.Println(errors.Is(err, digest.ErrMismatch))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// digest mismatch: expected "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", got "sha256:a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9"
}

func ExampleDigest_MarshalText() {
	type subject struct {
		Name   string        `json:"name"`
		Digest digest.Digest `json:"digest"`
	}
	var s subject
	err := json.Unmarshal([]byte(`{"name":"app.tar.gz","digest":"SHA256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"}`), &s)
	fmt.Println(err)
	out, _ := json.Marshal(s)
	fmt.Println(string(out))

	err = json.Unmarshal([]byte(`{"name":"x","digest":"sha256:nothex"}`), &s)
	fmt.Println(errors.Is(err, digest.ErrNotHex))
	// Output:
	// <nil>
	// {"name":"app.tar.gz","digest":"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}
	// true
}
