// Command gen writes a synthetic SARIF workload for sarif-gate's benchmark:
// FILES files of RESULTS results each, spread over five tools in the
// shapes they really write (Bandit's issue_severity, Semgrep's rule
// levels, Trivy's security-severity rules with ROOTPATH URIs, CodeQL's
// extension rules and partialFingerprints, gosec's severity tags), with a
// snippet on every result and one result in fifty repeated, so reading,
// normalizing and deduplicating all do real work. The output is
// deterministic. With "one" after RESULTS, the FILES runs go into a single
// file, DIR/all.sarif, as one scanner writing a very large log would.
//
//	go run ./actions/sarif-gate/bench/gen DIR [FILES [RESULTS [one]]]
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	if len(args) < 1 || len(args) > 4 || (len(args) == 4 && args[3] != "one") {
		fmt.Fprintln(stderr, "usage: gen DIR [FILES [RESULTS [one]]]")
		return 2
	}
	files, results := 20, 5000
	var err error
	if len(args) > 1 {
		if files, err = strconv.Atoi(args[1]); err != nil || files < 1 {
			fmt.Fprintf(stderr, "gen: FILES %q: want a positive number\n", args[1])
			return 2
		}
	}
	if len(args) > 2 {
		if results, err = strconv.Atoi(args[2]); err != nil || results < 1 {
			fmt.Fprintf(stderr, "gen: RESULTS %q: want a positive number\n", args[2])
			return 2
		}
	}
	if err := os.MkdirAll(args[0], 0o755); err != nil {
		fmt.Fprintf(stderr, "gen: %v\n", err)
		return 1
	}
	if len(args) == 4 {
		if err := writeOne(filepath.Join(args[0], "all.sarif"), files, results); err != nil {
			fmt.Fprintf(stderr, "gen: %v\n", err)
			return 1
		}
		return 0
	}
	for i := range files {
		t := tools[i%len(tools)]
		path := filepath.Join(args[0], fmt.Sprintf("%02d-%s.sarif", i, t.name))
		if err := write(path, t, i, results); err != nil {
			fmt.Fprintf(stderr, "gen: %v\n", err)
			return 1
		}
	}
	return 0
}

// tool is one tool's shape: its run header and how to write result j.
type tool struct {
	name   string
	header string
	result func(w *bufio.Writer, file, j int)
}

var severities = []string{"LOW", "MEDIUM", "HIGH"}
var levels = []string{"note", "warning", "error"}

var tools = []tool{
	{"bandit", `{"tool":{"driver":{"name":"Bandit","version":"1.8.6","rules":[{"id":"B105","name":"hardcoded_password_string"},{"id":"B602","name":"subprocess_popen_with_shell_equals_true"}]}},"results":[`,
		func(w *bufio.Writer, f, j int) {
			fmt.Fprintf(w, `{"ruleId":"B%d","message":{"text":"Possible hardcoded password: 'secret%d'"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"svc%d/mod%d.py"},"region":{"startLine":%d,"startColumn":5,"snippet":{"text":"    password = 'secret%d'\n"}}}}],"properties":{"issue_severity":%q,"issue_confidence":"HIGH"}}`,
				105+497*(j%2), j, f, j%97, j%400+1, j, severities[j%3])
		}},
	{"semgrep", `{"tool":{"driver":{"name":"Semgrep OSS","semanticVersion":"1.95.0","rules":[{"id":"python.lang.security.audit.eval-detected","defaultConfiguration":{"level":"warning"},"properties":{"tags":["security","HIGH CONFIDENCE"]}},{"id":"python.django.security.injection.tainted-sql-string","defaultConfiguration":{"level":"error"}}]}},"results":[`,
		func(w *bufio.Writer, f, j int) {
			rule := []string{"python.lang.security.audit.eval-detected", "python.django.security.injection.tainted-sql-string"}[j%2]
			fmt.Fprintf(w, `{"ruleId":%q,"message":{"text":"Detected a dangerous call in function handler_%d."},"fingerprints":{"matchBasedId/v1":"%d-%d"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"app%d/views%d.py","uriBaseId":"%%SRCROOT%%"},"region":{"startLine":%d,"startColumn":9,"endLine":%d,"endColumn":40,"snippet":{"text":"        eval(request.GET['q%d'])"}}}}],"properties":{}}`,
				rule, j, f, j, f, j%53, j%700+1, j%700+1, j)
		}},
	{"trivy", `{"tool":{"driver":{"name":"Trivy","version":"0.56.2","rules":[{"id":"CVE-2024-6119","properties":{"security-severity":"7.5","tags":["vulnerability","security","HIGH"]}},{"id":"CVE-2024-9143","properties":{"security-severity":"4.3","tags":["vulnerability","security","LOW"]}},{"id":"CVE-2024-0001","properties":{"security-severity":"9.8","tags":["vulnerability","security","CRITICAL"]}}]}},"originalUriBaseIds":{"ROOTPATH":{"uri":"file:///"}},"results":[`,
		func(w *bufio.Writer, f, j int) {
			fmt.Fprintf(w, `{"ruleId":"CVE-2024-%s","ruleIndex":%d,"level":%q,"message":{"text":"Package: lib%d\nInstalled Version: 1.%d.0\nFixed Version: 1.%d.1"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"images/img%d.tar","uriBaseId":"ROOTPATH"},"region":{"startLine":1,"startColumn":1,"endLine":1,"endColumn":1}},"message":{"text":"img%d: lib%d"}}]}`,
				[]string{"6119", "9143", "0001"}[j%3], j%3, levels[j%3], j, j%31, j%31, f, f, j)
		}},
	{"codeql", `{"tool":{"driver":{"name":"CodeQL","semanticVersion":"2.23.0"},"extensions":[{"name":"codeql/python-queries","rules":[{"id":"py/sql-injection","properties":{"security-severity":"8.8","tags":["security"]}},{"id":"py/unused-import","defaultConfiguration":{"level":"note"}}]}]},"automationDetails":{"id":"/language:python/"},"results":[`,
		func(w *bufio.Writer, f, j int) {
			fmt.Fprintf(w, `{"ruleId":%q,"rule":{"id":%q,"index":%d,"toolComponent":{"index":0}},"message":{"text":"This query depends on a [user-provided value](1) %d."},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"lib%d/q%d.py","uriBaseId":"%%SRCROOT%%"},"region":{"startLine":%d,"startColumn":20,"endColumn":25}}}],"partialFingerprints":{"primaryLocationLineHash":"%016x:1","primaryLocationStartColumnFingerprint":"11"},"relatedLocations":[{"id":1,"physicalLocation":{"artifactLocation":{"uri":"lib%d/q%d.py","uriBaseId":"%%SRCROOT%%"},"region":{"startLine":%d}},"message":{"text":"user-provided value"}}]}`,
				[]string{"py/sql-injection", "py/unused-import"}[j%2], []string{"py/sql-injection", "py/unused-import"}[j%2], j%2, j, f, j%89, j%500+1, uint64(f)<<32|uint64(j), f, j%89, j%500+1)
		}},
	{"gosec", `{"tool":{"driver":{"name":"gosec","version":"2.22.0","rules":[{"id":"G104","properties":{"tags":["security","LOW"]}},{"id":"G304","properties":{"tags":["security","MEDIUM"]}}]}},"results":[`,
		func(w *bufio.Writer, f, j int) {
			fmt.Fprintf(w, `{"ruleId":"G%d","level":"warning","message":{"text":"Errors unhandled in call %d"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"/home/runner/work/bench/bench/pkg%d/f%d.go"},"region":{"startLine":%d,"startColumn":3,"snippet":{"text":"os.Remove(path%d)"}}}}]}`,
				104+200*(j%2), j, f, j%61, j%300+1, j)
		}},
}

// write writes one file: the tool's run with n results.
func write(path string, t tool, file, n int) error {
	return create(path, func(w *bufio.Writer) { writeRun(w, t, file, n) })
}

// writeOne writes one file holding the runs write would spread over
// files files.
func writeOne(path string, files, n int) error {
	return create(path, func(w *bufio.Writer) {
		for i := range files {
			if i > 0 {
				w.WriteString(",\n")
			}
			writeRun(w, tools[i%len(tools)], i, n)
		}
	})
}

// create writes a SARIF log whose runs fill writes.
func create(path string, fill func(w *bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[`)
	fill(w)
	w.WriteString("]}\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeRun writes the tool's run with n results, every fiftieth a repeat
// of the one before.
func writeRun(w *bufio.Writer, t tool, file, n int) {
	w.WriteString(t.header + "\n")
	for j := range n {
		if j > 0 {
			w.WriteString(",\n")
		}
		k := j
		if j%50 == 49 {
			k = j - 1
		}
		t.result(w, file, k)
	}
	w.WriteString("\n]}")
}
