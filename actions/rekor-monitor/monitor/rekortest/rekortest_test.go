package rekortest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestAnswersLikeRekor checks the shapes and the proofs the fake serves:
// the tree head, a consistency proof that verifies between two heads, and
// entries keyed by UUID.
func TestAnswersLikeRekor(t *testing.T) {
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	type head struct {
		RootHash string `json:"rootHash"`
		TreeSize uint64 `json:"treeSize"`
	}
	for i := range 3 {
		if err := l.Add("https://github.com/o/r/.github/workflows/w.yml@refs/heads/main", "https://token.actions.githubusercontent.com", "refs/heads/main", time.Now()); err != nil {
			t.Fatal(err, i)
		}
	}
	var h1 head
	getJSON(t, l.URL()+"/api/v1/log", &h1)
	for range 5 {
		if err := l.Add("https://github.com/o/r/.github/workflows/w.yml@refs/heads/main", "https://token.actions.githubusercontent.com", "refs/heads/main", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var h2 head
	getJSON(t, l.URL()+"/api/v1/log", &h2)
	var p struct {
		Hashes []string `json:"hashes"`
	}
	getJSON(t, l.URL()+"/api/v1/log/proof?firstSize="+strconv.FormatUint(h1.TreeSize, 10)+"&lastSize="+strconv.FormatUint(h2.TreeSize, 10), &p)
	var hashes [][]byte
	for _, h := range p.Hashes {
		b, _ := hex.DecodeString(h)
		hashes = append(hashes, b)
	}
	r1, _ := hex.DecodeString(h1.RootHash)
	r2, _ := hex.DecodeString(h2.RootHash)
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, h1.TreeSize, h2.TreeSize, hashes, r1, r2); err != nil || h1.TreeSize != 3 || h2.TreeSize != 8 {
		t.Fatalf("sizes %d, %d; consistency: %v", h1.TreeSize, h2.TreeSize, err)
	}
	resp, err := http.Post(l.URL()+"/api/v1/log/entries/retrieve", "application/json", bytes.NewReader([]byte(`{"logIndexes":[0,7]}`)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var entries []map[string]struct {
		Body     string `json:"body"`
		LogIndex int64  `json:"logIndex"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&entries); err != nil || len(entries) != 2 {
		t.Fatalf("entries: %v %v", entries, err)
	}
	for uuid, e := range entries[1] {
		if len(uuid) != 64 || e.LogIndex != 7 || e.Body == "" {
			t.Errorf("entry %q = %+v", uuid, e)
		}
	}
}
