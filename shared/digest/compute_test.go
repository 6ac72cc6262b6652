package digest

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// blake3Input returns the input of the official BLAKE3 test vectors: n
// bytes counting 0, 1, ..., 250, 0, 1, ...
func blake3Input(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// Known-answer vectors: FIPS 180-2 examples for SHA-2, and the official
// BLAKE3 test vectors (first 32 bytes of output).
var vectors = []struct {
	name  string
	input []byte
	want  Digest
}{
	{"sha256 empty", nil, Digest{SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
	{"sha256 abc", []byte("abc"), Digest{SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}},
	{"sha256 million a", bytes.Repeat([]byte("a"), 1_000_000),
		Digest{SHA256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"}},
	{"sha512 empty", nil, Digest{SHA512, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce" +
		"47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"}},
	{"sha512 abc", []byte("abc"), Digest{SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
		"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"}},
	{"sha512 million a", bytes.Repeat([]byte("a"), 1_000_000),
		Digest{SHA512, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb" +
			"de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"}},
	{"blake3 empty", nil, Digest{BLAKE3, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"}},
	{"blake3 abc", []byte("abc"), Digest{BLAKE3, "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"}},
	{"blake3 1025", blake3Input(1025), Digest{BLAKE3, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444"}},
	{"blake3 31744", blake3Input(31744), Digest{BLAKE3, "62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47"}},
}

func TestFromBytes(t *testing.T) {
	for _, v := range vectors {
		if got := FromBytes(v.want.Algorithm, v.input); got != v.want {
			t.Errorf("%s: FromBytes = %v, want %v", v.name, got, v.want)
		}
	}
}

func TestFromReader(t *testing.T) {
	readers := map[string]func([]byte) io.Reader{
		"plain":    func(b []byte) io.Reader { return bytes.NewReader(b) },
		"one byte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"half":     func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
		"data+EOF": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
	}
	for _, v := range vectors {
		for rname, mk := range readers {
			if rname == "one byte" && len(v.input) > 100_000 {
				continue
			}
			got, n, err := FromReader(v.want.Algorithm, mk(v.input))
			if err != nil || got != v.want || n != int64(len(v.input)) {
				t.Errorf("%s, %s reader: FromReader = %v, %d, %v; want %v, %d", v.name, rname, got, n, err, v.want, len(v.input))
			}
		}
	}
}

func TestFromReaderStreamsAcrossBuffers(t *testing.T) {
	// Larger than several buffers, not a multiple of the buffer size.
	data := blake3Input(5*bufferSize + 12345)
	for _, a := range []Algorithm{SHA256, SHA512, BLAKE3} {
		got, n, err := FromReader(a, bytes.NewReader(data))
		if err != nil || n != int64(len(data)) || got != FromBytes(a, data) {
			t.Errorf("%s: FromReader = %v, %d, %v; want %v, %d", a, got, n, err, FromBytes(a, data), len(data))
		}
	}
}

var errBoom = errors.New("boom")

func TestFromReaderErrors(t *testing.T) {
	_, _, err := FromReader("md5", strings.NewReader("abc"))
	if !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("FromReader(md5) error = %v, want ErrUnknownAlgorithm", err)
	}
	if want := `computing digest: algorithm "md5" is not sha256, sha512 or blake3: unknown digest algorithm`; err.Error() != want {
		t.Errorf("error\n got: %s\nwant: %s", err, want)
	}
	// Only the constants: the canonical name's case matters here.
	if _, _, err := FromReader("SHA256", strings.NewReader("abc")); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("FromReader(SHA256) error = %v, want ErrUnknownAlgorithm", err)
	}

	d, n, err := FromReader(SHA256, io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(errBoom)))
	if !errors.Is(err, errBoom) || n != 3 || d != (Digest{}) {
		t.Errorf("FromReader(failing reader) = %v, %d, %v; want zero, 3, boom", d, n, err)
	}
	if want := "computing sha256 digest: reading after 3 bytes: boom"; err.Error() != want {
		t.Errorf("error\n got: %s\nwant: %s", err, want)
	}
}

func TestFromBytesPanicsOnUnknownAlgorithm(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("FromBytes(md5) did not panic")
		}
	}()
	FromBytes("md5", nil)
}

func TestFromFile(t *testing.T) {
	dir := t.TempDir()
	for i, v := range vectors {
		path := filepath.Join(dir, "f"+string(rune('a'+i)))
		if err := os.WriteFile(path, v.input, 0o600); err != nil {
			t.Fatal(err)
		}
		got, n, err := FromFile(v.want.Algorithm, path)
		if err != nil || got != v.want || n != int64(len(v.input)) {
			t.Errorf("%s: FromFile = %v, %d, %v; want %v, %d", v.name, got, n, err, v.want, len(v.input))
		}
	}

	if _, _, err := FromFile(SHA256, filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("FromFile(missing) error = %v, want fs.ErrNotExist", err)
	}
	if _, _, err := FromFile(SHA256, dir); err == nil {
		t.Error("FromFile(directory) succeeded")
	}
	if _, _, err := FromFile("sha1", filepath.Join(dir, "missing")); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("FromFile(sha1) error = %v, want ErrUnknownAlgorithm before touching the file", err)
	}
}

func TestVerify(t *testing.T) {
	for _, v := range vectors {
		if err := v.want.Verify(bytes.NewReader(v.input)); err != nil {
			t.Errorf("%s: Verify: %v", v.name, err)
		}
	}

	want := Digest{SHA256, sha256ABC}
	err := want.Verify(strings.NewReader("abd"))
	if !errors.Is(err, ErrMismatch) {
		t.Fatalf("Verify(abd) error = %v, want ErrMismatch", err)
	}
	got := FromBytes(SHA256, []byte("abd"))
	if msg := `digest mismatch: expected "sha256:` + sha256ABC + `", got "` + got.String() + `"`; err.Error() != msg {
		t.Errorf("error\n got: %s\nwant: %s", err, msg)
	}

	// A hand-built upper-case Digest is canonicalized, not a mismatch.
	if err := (Digest{"SHA256", strings.ToUpper(sha256ABC)}).Verify(strings.NewReader("abc")); err != nil {
		t.Errorf("Verify with upper-case Digest: %v", err)
	}

	for _, tt := range []struct {
		d    Digest
		r    io.Reader
		want error
	}{
		{Digest{}, strings.NewReader(""), ErrEmpty},
		{Digest{"md5", "900150983cd24fb0d6963f7d28e17f72"}, strings.NewReader("abc"), ErrUnknownAlgorithm},
		{Digest{SHA256, "abc"}, strings.NewReader("abc"), ErrLength},
		{want, iotest.ErrReader(errBoom), errBoom},
	} {
		err := tt.d.Verify(tt.r)
		if !errors.Is(err, tt.want) {
			t.Errorf("%#v.Verify error = %v, want one wrapping %q", tt.d, err, tt.want)
		}
		if errors.Is(err, ErrMismatch) {
			t.Errorf("%#v.Verify error = %v also wraps ErrMismatch", tt.d, err)
		}
	}
}
