package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

// The gate's own inputs and outputs.
const (
	inputPaths         = "paths"
	inputAllowUnpinned = "allow-unpinned"
	inputFailOn        = "fail-on"
	outputFiles        = "files"
)

// Gate is workflow-audit as a hub gate: it scans the workspace with [Scan]
// and denies when a finding at or above fail-on remains.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  "workflow-audit",
		Title: "audit GitHub workflows, actions and Dockerfiles",
		Description: "Audits GitHub Actions workflows, action.yml files and Dockerfiles for supply-chain risks: " +
			"actions and reusable workflows not pinned to a full commit SHA, container images not pinned by digest, " +
			"and files GitHub would reject. Findings carry exact positions and go to the log, annotations, the step summary and a SARIF log for code scanning.",
		Inputs: []gate.Input{
			{Name: inputPaths, Kind: gate.List,
				Description: "Files, directories or globs to scan, relative to the workspace. Empty scans .github/workflows/*.yml, every action.yml and every Dockerfile in the repository (testdata, vendor and node_modules folders aside)."},
			{Name: inputAllowUnpinned, Kind: gate.List,
				Description: "Owners (actions) or repositories (actions/checkout) whose actions and images may stay unpinned. Empty by default: everything must be pinned."},
			{Name: inputFailOn, Kind: gate.Enum, Values: []string{"critical", "high", "medium", "low", "info"}, Default: "high",
				Description: "The lowest severity that denies: findings at or above it fail the gate, those below are reported only."},
		},
		Outputs: []gate.Output{
			{Name: outputFiles, Description: "Number of files scanned."},
		},
		Rules: Rules,
	},
	Run: run,
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	opts := Options{Paths: in.List(inputPaths), AllowUnpinned: in.List(inputAllowUnpinned)}
	failOn, err := finding.ParseSeverity(in.String(inputFailOn))
	if err != nil {
		return nil, gate.BadInputf(inputFailOn, in.Raw(inputFailOn), "%v", err)
	}
	rep, err := Scan(ctx, in.Env.Workspace, opts)
	if err != nil {
		return nil, inputError(err, in)
	}
	res := &gate.Result{
		Findings: rep.Findings,
		Outputs:  map[string]string{outputFiles: strconv.Itoa(len(rep.Files))},
		Counters: map[string]int64{"files": int64(len(rep.Files))},
	}
	for _, f := range rep.Files {
		res.Read = append(res.Read, evidence.Artifact{Path: f.Path, Digest: f.SHA256})
		res.Counters[f.Kind+"s"]++
	}
	denying := finding.CountAtLeast(rep.Findings, failOn)
	res.Denied = denying > 0
	switch {
	case res.Denied:
		res.Reason = fmt.Sprintf("%d of %d findings at or above %s in %d files scanned.", denying, len(rep.Findings), failOn, len(rep.Files))
	case len(rep.Findings) > 0:
		res.Reason = fmt.Sprintf("%d findings, none at or above %s, in %d files scanned.", len(rep.Findings), failOn, len(rep.Files))
	default:
		res.Reason = fmt.Sprintf("%d files scanned: everything pinned and valid.", len(rep.Files))
	}
	return res, nil
}

// inputError maps Scan's usage errors to the input they came from; other
// errors (I/O, cancellation) stay as they are and make the run undecided.
func inputError(err error, in *gate.Inputs) error {
	var pe *PathError
	switch {
	case errors.As(err, &pe):
		problem := pe.Err.Error()
		if errors.Is(pe.Err, fs.ErrNotExist) {
			problem = "does not exist"
		}
		return &gate.InputError{Input: inputPaths, Value: pe.Path, Problem: problem, Err: err}
	case errors.Is(err, ErrInvalidAllowEntry):
		return &gate.InputError{Input: inputAllowUnpinned, Value: in.Raw(inputAllowUnpinned), Problem: err.Error(), Err: err}
	}
	return err
}
