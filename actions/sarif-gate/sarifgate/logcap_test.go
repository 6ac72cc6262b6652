package sarifgate

import (
	"strconv"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/gate"
)

// TestLogIsCapped runs the gate over 3,000 results: the log prints at most
// max-log-findings of them and counts the rest on one line, however large
// the input (a 518,520-result log used to print as many lines).
func TestLogIsCapped(t *testing.T) {
	levels := make([]string, 3000)
	for i := range levels {
		levels[i] = "error"
	}
	for _, tt := range []struct {
		args  []string
		shown int
	}{
		{nil, 100},
		{[]string{"--max-log-findings=7"}, 7},
	} {
		code, stdout, _ := execute(t, map[string]string{"many.sarif": string(synth("many", levels))}, append([]string{"--sarif=many.sarif"}, tt.args...)...)
		if code != gate.Denied {
			t.Fatalf("exit %d, want 1", code)
		}
		findings := 0
		for line := range strings.SplitSeq(stdout, "\n") {
			if strings.HasSuffix(line, "[R1]") {
				findings++
			}
		}
		if findings != tt.shown {
			t.Errorf("%v: %d findings printed, want %d", tt.args, findings, tt.shown)
		}
		if want := "…and " + itoa(3000-tt.shown) + " more findings not shown here"; !strings.Contains(stdout, want) {
			t.Errorf("%v: no line %q in the log", tt.args, want)
		}
		if n := strings.Count(stdout, "\n"); n > tt.shown+30 {
			t.Errorf("%v: %d log lines for %d findings shown", tt.args, n, tt.shown)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
