package testscripts

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/shared/sarif/schema"
)

// readOutputs parses the GITHUB_OUTPUT file: "name=value" lines and
// "name<<DELIM" heredocs.
func readOutputs(ts *testscript.TestScript) map[string]string {
	out := map[string]string{}
	f, err := os.Open(ts.Getenv("GITHUB_OUTPUT"))
	if os.IsNotExist(err) {
		return out
	}
	ts.Check(err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, delim, ok := strings.Cut(line, "<<"); ok {
			var val []string
			for sc.Scan() && sc.Text() != delim {
				val = append(val, sc.Text())
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		if name, val, ok := strings.Cut(line, "="); ok {
			out[name] = val
		}
	}
	ts.Check(sc.Err())
	return out
}

func cmdOutput(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: output NAME VALUE | output -match NAME REGEXP"
	match := len(args) > 0 && args[0] == "-match"
	if match {
		args = args[1:]
	}
	if len(args) != 2 {
		ts.Fatalf("%s", usage)
	}
	name, want := args[0], args[1]
	got, ok := readOutputs(ts)[name]
	var holds bool
	if match {
		re, err := regexp.Compile(want)
		if err != nil {
			ts.Fatalf("output: bad regexp %q: %v", want, err)
		}
		holds = ok && re.MatchString(got)
	} else {
		holds = ok && got == want
	}
	switch {
	case holds && neg:
		ts.Fatalf("output %s = %q, want it not to be %q", name, got, want)
	case !holds && !neg && !ok:
		ts.Fatalf("output %s was not set (outputs: %v)", name, readOutputs(ts))
	case !holds && !neg:
		ts.Fatalf("output %s = %q, want %q", name, got, want)
	}
}

// cmdOutputEnv sets a script variable to an output's value, so a script
// can use a value the gate chose (a folder name, a digest).
func cmdOutputEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: output-env NAME VAR")
	}
	got, ok := readOutputs(ts)[args[0]]
	if !ok {
		ts.Fatalf("output %s was not set", args[0])
	}
	ts.Setenv(args[1], got)
}

func cmdSummary(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: summary REGEXP | summary -head TEXT"
	if len(args) == 0 || len(args) > 2 || (len(args) == 2) != (args[0] == "-head") {
		ts.Fatalf("%s", usage)
	}
	b, err := os.ReadFile(ts.Getenv("GITHUB_STEP_SUMMARY"))
	if err != nil && !os.IsNotExist(err) {
		ts.Fatalf("summary: %v", err)
	}
	text := string(b)
	var holds bool
	var what string
	if args[0] == "-head" {
		first, _, _ := strings.Cut(text, "\n")
		holds, what = strings.HasPrefix(first, args[1]), fmt.Sprintf("first line to start with %q", args[1])
	} else {
		re, err := regexp.Compile("(?m)" + args[0])
		if err != nil {
			ts.Fatalf("summary: bad regexp %q: %v", args[0], err)
		}
		holds, what = re.MatchString(text), fmt.Sprintf("a match for %q", args[0])
	}
	if holds == neg {
		not := ""
		if neg {
			not = "no "
		}
		ts.Fatalf("summary: want %s%s; summary is:\n%s", not, what, text)
	}
}

func cmdSARIF(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: sarif FILE RULE|total COUNT"
	if len(args) != 3 {
		ts.Fatalf("%s", usage)
	}
	want, err := strconv.Atoi(args[2])
	if err != nil {
		ts.Fatalf("%s (COUNT %q is not a number)", usage, args[2])
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("sarif: %v", err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		ts.Fatalf("sarif: %s is not JSON: %v", args[0], err)
	}
	if err := schema.Validate(b); err != nil {
		ts.Fatalf("sarif: %s: %v", args[0], err)
	}
	got := 0
	for _, run := range log.Runs {
		for _, r := range run.Results {
			if args[1] == "total" || r.RuleID == args[1] {
				got++
			}
		}
	}
	if (got == want) == neg {
		ts.Fatalf("sarif: %s has %d results for %s, want %s%d", args[0], got, args[1], map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

func cmdEvidence(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: evidence DIR FIELD VALUE (FIELD: gate, verdict, exitCode, mode, findings, read, inputs.NAME)"
	if len(args) != 3 {
		ts.Fatalf("%s", usage)
	}
	files, err := filepath.Glob(filepath.Join(ts.MkAbs(args[0]), "*.json"))
	ts.Check(err)
	if len(files) != 1 {
		ts.Fatalf("evidence: %s holds %d records, want exactly 1", args[0], len(files))
	}
	b, err := os.ReadFile(files[0])
	ts.Check(err)
	var rec struct {
		SchemaVersion int               `json:"schemaVersion"`
		Gate          string            `json:"gate"`
		Verdict       string            `json:"verdict"`
		ExitCode      int               `json:"exitCode"`
		Mode          string            `json:"mode"`
		Inputs        map[string]string `json:"inputs"`
		Findings      []json.RawMessage `json:"findings"`
		Read          []struct {
			Path, Digest string
		} `json:"read"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		ts.Fatalf("evidence: %s is not JSON: %v", files[0], err)
	}
	if rec.SchemaVersion != 1 {
		ts.Fatalf("evidence: schemaVersion %d, want 1", rec.SchemaVersion)
	}
	var got string
	switch field := args[1]; {
	case field == "gate":
		got = rec.Gate
	case field == "verdict":
		got = rec.Verdict
	case field == "exitCode":
		got = strconv.Itoa(rec.ExitCode)
	case field == "mode":
		got = rec.Mode
	case field == "findings":
		got = strconv.Itoa(len(rec.Findings))
	case field == "read":
		got = strconv.Itoa(len(rec.Read))
		for _, a := range rec.Read {
			if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(a.Digest) {
				ts.Fatalf("evidence: read %s has digest %q, want sha256:<64 hex>", a.Path, a.Digest)
			}
		}
	case strings.HasPrefix(field, "inputs."):
		v, ok := rec.Inputs[strings.TrimPrefix(field, "inputs.")]
		if !ok {
			ts.Fatalf("evidence: no input %q recorded", strings.TrimPrefix(field, "inputs."))
		}
		got = v
	default:
		ts.Fatalf("%s", usage)
	}
	if (got == args[2]) == neg {
		ts.Fatalf("evidence: %s = %q, want %s%q", args[1], got, map[bool]string{true: "not ", false: ""}[neg], args[2])
	}
}

// cmdExits runs a program like exec and checks its exact exit code, which
// "! exec" cannot: the gate contract tells 1, 2 and 3 apart.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: exits CODE PROGRAM [ARG...]"
	if neg {
		ts.Fatalf("exits does not take '!': name the exit code expected")
	}
	if len(args) < 2 {
		ts.Fatalf("%s", usage)
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("%s (CODE %q is not a number)", usage, args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		got = ee.ExitCode()
	default:
		ts.Fatalf("exits: running %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdWaitFile waits up to ten seconds for a file to appear, so a script can
// signal a background program only once it is ready.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile PATH")
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("waitfile: %s did not appear within 10s", args[0])
}

// cmdSIGTERM sends SIGTERM, what the runner sends a cancelled step, to
// every background program; testscript's own kill knows only INT and KILL.
func cmdSIGTERM(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: sigterm (signals every background program)")
	}
	cmds := ts.BackgroundCmds()
	if len(cmds) == 0 {
		ts.Fatalf("sigterm: no background program is running")
	}
	for _, c := range cmds {
		ts.Check(c.Process.Signal(syscall.SIGTERM))
	}
}

// expandRe matches the ${NAME} references cmdExpand replaces: upper-case
// names only, so GitHub's ${{ expressions }} and lower-case shell variables
// in fixtures are left alone.
var expandRe = regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)\}`)

// cmdExpand replaces ${NAME} in each file with the script's value of NAME
// (the dates Setup computes, the runner paths), so fixtures can carry
// values known only when the script runs. A NAME the script does not set
// is an error, not an empty string.
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: expand FILE...")
	}
	for _, name := range args {
		path := ts.MkAbs(name)
		b, err := os.ReadFile(path)
		ts.Check(err)
		out, missing := expandText(string(b), ts.Getenv)
		if len(missing) > 0 {
			ts.Fatalf("expand: %s uses %s, not set in the script", name, strings.Join(missing, ", "))
		}
		ts.Check(os.WriteFile(path, []byte(out), 0o644))
	}
}

// expandText replaces every ${NAME} in text with getenv(NAME) and returns
// the names getenv has no value for.
func expandText(text string, getenv func(string) string) (string, []string) {
	var missing []string
	out := expandRe.ReplaceAllStringFunc(text, func(ref string) string {
		key := expandRe.FindStringSubmatch(ref)[1]
		v := getenv(key)
		if v == "" {
			missing = append(missing, key)
		}
		return v
	})
	return out, missing
}
