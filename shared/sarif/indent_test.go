package sarif

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// FuzzIndent checks indentWriter against json.Indent on the compact
// form of any valid JSON document.
func FuzzIndent(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":[],"b":{},"c":[1,2,{"d":"e"}]}`,
		`"quote \" and backslash \\ and \u2028"`, `{"k\"ey":"v,a:l[u]e{}"}`,
		`[null,true,false,-1.5e3,"",[[]],[{}]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var v any
		if json.Unmarshal(doc, &v) != nil {
			return
		}
		var compact bytes.Buffer
		enc := json.NewEncoder(&compact)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		src := bytes.TrimSuffix(compact.Bytes(), []byte("\n"))
		var want bytes.Buffer
		if err := json.Indent(&want, src, "", "  "); err != nil {
			t.Fatal(err)
		}
		// Whole, and in pieces of every size up to 7 bytes: the writer
		// keeps its state between writes.
		for piece := range 8 {
			var got bytes.Buffer
			iw := newIndentWriter(&got)
			for rest := src; len(rest) > 0; {
				n := len(rest)
				if piece > 0 {
					n = min(piece, n)
				}
				if _, err := iw.Write(rest[:n]); err != nil {
					t.Fatal(err)
				}
				rest = rest[n:]
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("indentWriter(%s) in pieces of %d:\n%s\nwant:\n%s", src, piece, got.Bytes(), want.Bytes())
			}
		}
	})
}

func BenchmarkIndent(b *testing.B) {
	var v []map[string]any
	for i := range 5000 {
		v = append(v, map[string]any{"ruleId": "unpinned-uses", "level": "error", "n": i, "message": map[string]any{"text": `uses "a\\b" is not pinned`}, "locations": []any{map[string]any{"line": i, "col": 3}}, "empty": []any{}})
	}
	src, _ := json.Marshal(v)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		newIndentWriter(io.Discard).Write(src)
	}
}

func BenchmarkJSONIndent(b *testing.B) {
	var v []map[string]any
	for i := range 5000 {
		v = append(v, map[string]any{"ruleId": "unpinned-uses", "level": "error", "n": i, "message": map[string]any{"text": `uses "a\\b" is not pinned`}, "locations": []any{map[string]any{"line": i, "col": 3}}, "empty": []any{}})
	}
	src, _ := json.Marshal(v)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		var out bytes.Buffer
		out.Grow(2 * len(src))
		json.Indent(&out, src, "", "  ")
	}
}
