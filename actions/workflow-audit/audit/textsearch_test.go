package audit

import (
	"strings"
	"testing"
)

func TestIndexFold(t *testing.T) {
	for _, tt := range []struct {
		src, word  string
		from, want int
	}{
		{"env: actions_allow_UNSECURE_commands: true", "ACTIONS_ALLOW_UNSECURE_COMMANDS", 0, 5},
		{"xx Secrets yy SECRETS", "secrets", 0, 3},
		{"xx Secrets yy SECRETS", "secrets", 4, 14},
		{"secret", "secrets", 0, -1},
		{"", "a", 0, -1},
	} {
		if got := indexFold([]byte(tt.src), tt.word, tt.from); got != tt.want {
			t.Errorf("indexFold(%q, %q, %d) = %d, want %d", tt.src, tt.word, tt.from, got, tt.want)
		}
		if tt.from == 0 {
			want := strings.Index(strings.ToLower(tt.src), strings.ToLower(tt.word))
			if got := indexFold([]byte(tt.src), tt.word, 0); got != want {
				t.Errorf("indexFold disagrees with lower-casing: %d, %d", got, want)
			}
		}
	}
}

func TestInheritPos(t *testing.T) {
	src := []byte("jobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@v1\n  b:\n    uses: o/r/.github/workflows/y.yml@v1\n    secrets:   inherit\n")
	p, ok := inheritPos(src, 4)
	if !ok || p != (pos{6, 16}) {
		t.Errorf("inheritPos = %v, %v; want 6:16", p, ok)
	}
	if _, ok := inheritPos(src, 7); ok {
		t.Error("found an inherit after the last line")
	}
}
