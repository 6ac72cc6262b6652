package audit

import (
	"context"
	"os"
	"testing"
)

func TestSmoke(t *testing.T) {
	r, err := Scan(context.Background(), os.Getenv("SMOKE"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		t.Log(f.Severity, f.String())
	}
	for _, f := range r.Files {
		t.Log(f)
	}
}
