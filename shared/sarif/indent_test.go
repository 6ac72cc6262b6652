package sarif

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzIndent checks appendIndented against json.Indent on the compact
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
		if got := appendIndented(nil, src); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("appendIndented(%s):\n%s\nwant:\n%s", src, got, want.Bytes())
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
		appendIndented(make([]byte, 0, 2*len(src)), src)
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
