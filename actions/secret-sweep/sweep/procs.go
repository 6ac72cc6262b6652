package sweep

import (
	"context"
	"errors"
	"io/fs"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/fsroot"
)

// maxProcFile bounds what is read of one process's environment or command
// line (Linux caps a process's arguments and environment far below it).
const maxProcFile = 4 << 20

// passedOver are environment variables that hold secrets by design: the
// runner's own per-job tokens, which it gives every step, and the gate's
// input of secret values. They are counted, not reported.
var passedOver = map[string]bool{
	"ACTIONS_RUNTIME_TOKEN":          true,
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN": true,
	"INPUT_SECRETS":                  true,
}

// sweepProcesses reads the environment and command line of every process
// in the proc file system at procDir, the gate's own included (as a
// container action it is the only one, and its environment is what the
// job's env gave every step), and scans them. A process that cannot be read (another user's without
// CAP_SYS_PTRACE, or one that ended) is counted as unreadable.
func sweepProcesses(ctx context.Context, det *Detector, rep *Report, procDir string) error {
	root, err := fsroot.Open(procDir)
	if err != nil {
		return err
	}
	defer root.Close()
	entries, err := root.ReadDir(".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		sweepProcess(ctx, det, rep, root, pid)
	}
	return nil
}

func sweepProcess(ctx context.Context, det *Detector, rep *Report, root *fsroot.Root, pid int) {
	dir := strconv.Itoa(pid)
	comm := "unknown"
	if b, err := root.ReadFile(dir+"/comm", 4096); err == nil {
		if c := strings.TrimSpace(string(b)); c != "" {
			// The name lands in a path; keep it one segment.
			comm = strings.NewReplacer("/", "_", "\n", "_").Replace(c)
		}
	}
	environ, err := root.ReadFile(dir+"/environ", maxProcFile)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			rep.count(&rep.Unreadable)
		}
		return
	}
	rep.count(&rep.Processes)
	for _, kv := range strings.Split(string(environ), "\x00") {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			continue
		}
		if passedOver[name] {
			rep.count(&rep.RunnerVariables)
			continue
		}
		hits := det.Scan(ctx, kv, "")
		for i := range hits {
			// A value is one line; its line number says nothing.
			hits[i].line, hits[i].col = 0, 0
		}
		rep.add(Location{Kind: KindEnviron, Path: "process/" + comm + "/environ/" + safeSegment(name), PID: pid, Process: comm, Variable: name}, hits)
	}
	if cmdline, err := root.ReadFile(dir+"/cmdline", maxProcFile); err == nil && len(cmdline) > 0 {
		hits := det.Scan(ctx, strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " "), "")
		for i := range hits {
			hits[i].line, hits[i].col = 0, 0
		}
		rep.add(Location{Kind: KindCmdline, Path: "process/" + comm + "/cmdline", PID: pid, Process: comm}, hits)
	}
}

// safeSegment keeps a variable name one path segment.
func safeSegment(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r < 0x20 {
			return '_'
		}
		return r
	}, s)
}
