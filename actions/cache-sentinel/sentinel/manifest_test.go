package sentinel

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func sampleManifest() *Manifest {
	return &Manifest{
		Format: FormatV1, CacheKey: "sentinel-v1-protected-go-abc", Repository: "hubgates/fixture", Ref: "refs/heads/main",
		SHA: "3f786850e387550fdab836ed7e6dc881de23001b", RunID: "1234", TrustDomain: DomainProtected,
		Created: time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC), Roots: []string{".cache/a", ".cache/b"},
		Files: 2, Bytes: 7,
		Entries: []Entry{
			{Path: ".cache/a", Type: TypeDir, Mode: 0o755},
			{Path: ".cache/a/link", Type: TypeSymlink, Target: "x \"quoted\" <&>"},
			{Path: ".cache/a/x", Type: TypeFile, Size: 6, Mode: 0o4755, BLAKE3: [32]byte{1, 2, 3}},
			{Path: ".cache/b", Type: TypeFile, Size: 1, Mode: 0o600},
		},
	}
}

func TestManifestRoundTrip(t *testing.T) {
	m := sampleManifest()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("not JSON:\n%s", b)
	}
	back, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Errorf("marshal is not stable:\n%s\n---\n%s", b, again)
	}
	if back.Created != time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) || back.Entries[2].Mode != 0o4755 || back.Entries[1].Target != m.Entries[1].Target {
		t.Errorf("round trip lost data: %+v", back)
	}
	for _, want := range []string{
		"{\n  \"format\": \"https://github.com/hubgates/hub/actions/cache-sentinel/manifest/v1\",\n  \"cacheKey\":",
		"\n    {\"path\":\".cache/a/x\",\"type\":\"file\",\"size\":6,\"mode\":\"4755\",\"blake3\":\"0102030000000000000000000000000000000000000000000000000000000000\"},\n",
		`"target":"x \"quoted\" \u003c\u0026\u003e"`,
		"\"created\": \"2026-01-02T03:04:05Z\",\n",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("manifest lacks %q:\n%s", want, b)
		}
	}
}

// TestAppendJSONStringMatchesEncodingJSON: the hand-written fast path must
// escape exactly as encoding/json does, or manifests would not be stable
// across the two paths.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain/path.go", "tab\there", "nl\n", "quote\"", `back\slash`, "<html>&", "ü", "\x7f", "\xff\xfe", "\u2028"} {
		var b bytes.Buffer
		appendJSONString(&b, s)
		want, _ := json.Marshal(s)
		if b.String() != string(want) {
			t.Errorf("%q: got %s, want %s", s, b.String(), want)
		}
	}
}

func TestParseManifestRefuses(t *testing.T) {
	good, err := sampleManifest().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("sample lacks %q", old)
		}
		return strings.Replace(string(good), old, new, 1)
	}
	cases := map[string]struct{ doc, want string }{
		"empty":              {"", "EOF"},
		"truncated":          {string(good[:len(good)/2]), "unexpected EOF"},
		"trailing data":      {string(good) + "{}", "trailing data"},
		"unknown field":      {edit(`"ref":`, `"extra": 1, "ref":`), `unknown field "extra"`},
		"unknown entry key":  {edit(`"type":"dir"`, `"type":"dir","owner":"root"`), `unknown field "owner"`},
		"other format":       {edit("manifest/v1", "manifest/v2"), "is not supported"},
		"no cache key":       {edit(`  "cacheKey": "sentinel-v1-protected-go-abc",`+"\n", ""), "no cacheKey field"},
		"bad domain":         {edit(`"trustDomain": "protected"`, `"trustDomain": "trusted"`), "unknown trust domain"},
		"bad time":           {edit("2026-01-02T03:04:05Z", "yesterday"), "not an RFC 3339 time"},
		"no roots":           {edit(`"roots": [".cache/a",".cache/b"]`, `"roots": []`), "no roots"},
		"unsorted roots":     {edit(`"roots": [".cache/a",".cache/b"]`, `"roots": [".cache/b",".cache/a"]`), "not sorted"},
		"nested roots":       {edit(`"roots": [".cache/a",".cache/b"]`, `"roots": [".cache/a",".cache/a/x"]`), "lies inside root"},
		"dotdot root":        {edit(`".cache/b"]`, `".cache/b/../../etc"]`), `".." component`},
		"absolute entry":     {edit(`{"path":".cache/b"`, `{"path":"/etc/passwd"`), "absolute path"},
		"dotdot entry":       {edit(`{"path":".cache/a/x"`, `{"path":".cache/a/../../x"`), "path traversal"},
		"dot entry":          {edit(`{"path":".cache/a/x"`, `{"path":".cache/a/./x"`), `"." component`},
		"backslash entry":    {edit(`{"path":".cache/a/x"`, `{"path":".cache/a\\x"`), "backslash"},
		"outside roots":      {edit(`{"path":".cache/b"`, `{"path":".cache/c"`), "outside every root"},
		"unsorted entries":   {edit(`{"path":".cache/a/link"`, `{"path":".cache/a/zz"`), "not sorted"},
		"duplicate entries":  {edit(`{"path":".cache/a/link"`, `{"path":".cache/a"`), "not sorted and unique"},
		"bad mode":           {edit(`"mode":"4755"`, `"mode":"755"`), "four octal digits"},
		"bad digest":         {edit(`"blake3":"0102`, `"blake3":"0G02`), "lower-case hex blake3"},
		"upper digest":       {edit(`"blake3":"0102`, `"blake3":"0A02`), "lower-case hex blake3"},
		"negative size":      {edit(`"size":6`, `"size":-6`), "a file has a size"},
		"file with target":   {edit(`"size":6,`, `"size":6,"target":"x",`), "no target"},
		"dir with size":      {edit(`"type":"dir","mode":"0755"`, `"type":"dir","mode":"0755","size":1`), "only a mode"},
		"link with mode":     {edit(`"type":"symlink",`, `"type":"symlink","mode":"0777",`), "only a target"},
		"empty link target":  {edit(`"target":"x \"quoted\" \u003c\u0026\u003e"`, `"target":""`), "only a target"},
		"unknown type":       {edit(`"type":"dir"`, `"type":"fifo"`), `type "fifo"`},
		"wrong file count":   {edit(`"files": 2`, `"files": 3`), "header counts"},
		"wrong byte count":   {edit(`"bytes": 7`, `"bytes": 8`), "header counts"},
		"no entries field":   {edit(`"entries": [`, `"entrees": [`), "unknown field"},
		"not an object":      {`[]`, "cannot unmarshal"},
		"entries not a list": {strings.Split(string(good), `"entries":`)[0] + `"entries": {}}`, "cannot unmarshal"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseManifest([]byte(c.doc))
			if !errors.Is(err, ErrMalformedManifest) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want ErrMalformedManifest mentioning %q", err, c.want)
			}
		})
	}
}

func TestCheckRelPath(t *testing.T) {
	for p, ok := range map[string]bool{
		".cache/go-mod": true, "a": true, "a/b.c/d": true, "..a/b": true, "a/..b": true,
		"": false, "/a": false, "a/": false, "a//b": false, "./a": false, "a/.": false, "..": false,
		"a/../b": false, "a\\b": false, "a\x00b": false,
	} {
		if err := CheckRelPath(p); (err == nil) != ok {
			t.Errorf("CheckRelPath(%q) = %v, want ok=%v", p, err, ok)
		}
	}
}

// FuzzParseManifest: whatever ParseManifest accepts marshals back to a
// manifest it accepts again, identically, and names no path outside its
// roots.
func FuzzParseManifest(f *testing.F) {
	good, _ := sampleManifest().Marshal()
	f.Add(good)
	f.Add([]byte(`{"format":"` + FormatV1 + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		for _, e := range m.Entries {
			if CheckRelPath(e.Path) != nil || rootOf(m.Roots, e.Path) == "" {
				t.Fatalf("accepted entry %q outside %q", e.Path, m.Roots)
			}
		}
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseManifest(b)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, b)
		}
		again, _ := back.Marshal()
		if !bytes.Equal(b, again) {
			t.Fatalf("unstable:\n%s\n%s", b, again)
		}
	})
}

// TestBothReadersAgree: the canonical reader takes what Marshal writes, and
// declines (leaving it to encoding/json) what differs in layout only.
func TestBothReadersAgree(t *testing.T) {
	plain := sampleManifest()
	plain.Entries[1].Target = "x/y"
	good, _ := plain.Marshal()
	if _, _, ok := readCanonical(string(good)); !ok {
		t.Fatal("the canonical reader declined Marshal's output")
	}
	// A string with an escape is left to encoding/json.
	if b, _ := sampleManifest().Marshal(); !func() bool { _, _, ok := readCanonical(string(b)); return !ok }() {
		t.Error("the canonical reader took an escaped string")
	}
	empty := sampleManifest()
	empty.Entries, empty.Files, empty.Bytes = []Entry{}, 0, 0
	eb, _ := empty.Marshal()
	if _, entries, ok := readCanonical(string(eb)); !ok || len(entries) != 0 {
		t.Errorf("empty manifest: ok %v, %d entries", ok, len(entries))
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, good); err != nil {
		t.Fatal(err)
	}
	escaped := strings.Replace(string(good), `"mode":"4755"`, `"mode":"\u0034755"`, 1)
	for name, doc := range map[string]string{"compact": compact.String(), "escaped": escaped, "trailing space": string(good) + " "} {
		if _, _, ok := readCanonical(doc); ok {
			t.Errorf("%s: the canonical reader accepted another layout", name)
		}
		m, err := ParseManifest([]byte(doc))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		again, _ := m.Marshal()
		if !bytes.Equal(again, good) {
			t.Errorf("%s: read differently:\n%s", name, again)
		}
	}
}

// FuzzReadersAgree: whatever the canonical reader accepts, encoding/json
// reads the same way.
func FuzzReadersAgree(f *testing.F) {
	good, _ := sampleManifest().Marshal()
	f.Add(good)
	f.Add([]byte(strings.Replace(string(good), `"size":6`, `"size":06`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, entries, ok := readCanonical(string(data))
		if !ok {
			return
		}
		sw, sentries, err := decodeStrict(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("canonical reader accepted what encoding/json refuses: %v", err)
		}
		a, _ := json.Marshal(w)
		b, _ := json.Marshal(sw)
		if !bytes.Equal(a, b) || len(entries) != len(sentries) {
			t.Fatalf("headers differ:\n%s\n%s", a, b)
		}
		for i := range entries {
			if entries[i] != sentries[i] {
				t.Fatalf("entry %d: %+v vs %+v", i, entries[i], sentries[i])
			}
		}
	})
}
