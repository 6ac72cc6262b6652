package audit

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/finding"
)

// This file holds the normalised model the rules visit. Parsers
// (parse_*.go) turn a file into a workflowFile, actionFile or
// dockerfileFile; rules (rule_*.go) implement one or more of the check
// interfaces below and are listed in ruleSet (rules.go). A new rule is one
// new file plus one line in ruleSet.

// pos is a 1-based position; zero fields mean unknown.
type pos struct{ line, col int }

// scalar is a string value from a file together with where it starts.
type scalar struct {
	value string
	pos   pos
}

// problem is something a parser found that makes the file one GitHub (or
// docker build) would reject. The invalid-workflow rule reports problems.
type problem struct {
	pos pos
	msg string
	// key identifies the problem for its fingerprint; it must not contain
	// the line number.
	key string
}

// sourceFile is what every parsed file shares.
type sourceFile struct {
	path     string // repository-relative, forward slashes
	kind     string // KindWorkflow, KindAction or KindDockerfile
	src      []byte // nil when the file was too large or not text
	problems []problem
}

func (f *sourceFile) addProblem(p pos, key, msg string) {
	f.problems = append(f.problems, problem{pos: p, key: key, msg: msg})
}

// workflowFile is a parsed workflow. ast is actionlint's tree, possibly
// partial, and nil when the file could not be parsed at all; rules that
// need more than the normalised jobs may read it.
type workflowFile struct {
	*sourceFile
	// raw is the yaml.v3 tree of the whole file, parsed at most once, on
	// first use (see rawRoot): most files never need it, and parsing is
	// most of a scan's cost.
	raw     *yaml.Node
	rawDone bool
	ast     *actionlint.Workflow
	jobs    []*job // in source order
	// view is the rules' shared view, built on first use.
	view *workflowView
	// inherited are triggers of the workflows that call this one as a
	// reusable workflow (on: workflow_call): its jobs run in their
	// callers' events, with their callers' secrets and token.
	inherited []string
}

// job is one entry of "jobs:".
type job struct {
	id  scalar
	ast *actionlint.Job // nil when only the raw YAML knew the job
	// uses is the reusable workflow a job calls, or nil.
	uses *scalar
	// container is the job container's image, or nil.
	container *scalar
	// services are the job's service containers.
	services []service
	// servicesExpr is set when "services:" is a single ${{ }} expression.
	servicesExpr *scalar
	steps        []*step
}

// service is one entry of "services:".
type service struct {
	name  string
	image *scalar // nil when the service has no image
}

// step is a workflow step or a composite action step.
type step struct {
	uses *scalar          // nil for "run:" steps
	ast  *actionlint.Step // nil for composite action steps and raw-YAML recoveries
	node *yaml.Node       // the step's mapping in composite actions, else nil
}

// actionFile is a parsed action metadata file (action.yml).
type actionFile struct {
	*sourceFile
	root  *yaml.Node // the top-level mapping, nil when unusable
	using *scalar    // runs.using
	image *scalar    // runs.image for Docker actions
	steps []*step    // runs.steps for composite actions
	// dockerfile is the repository-relative path of the Dockerfile a Docker
	// action builds (runs.image not "docker://"), or "".
	dockerfile string
	// views and ix are the rules' shared step views and source index,
	// built on first use.
	views     []*stepView
	viewsDone bool
	ix        *srcIndex
	// registryImage is set when runs.image names no file but reads as an
	// image reference ("alpine:3.20", "ghcr.io/o/i@sha256:..."): GitHub
	// pulls it like a "docker://" image.
	registryImage bool
}

// dockerfileFile is a parsed Dockerfile.
type dockerfileFile struct {
	*sourceFile
	images []*dockerImage // FROM and COPY --from references, in order
}

// dockerImage is one image reference in a Dockerfile.
type dockerImage struct {
	instr    string // "FROM" or "COPY --from"
	raw      scalar // as written, position of the token
	resolved string // after ARG substitution; unresolved references kept
	// unresolved names build arguments with no value.
	unresolved []string
	// onlyVariable is set when raw is nothing but one unresolved variable.
	onlyVariable bool
	scratch      bool
	stageRef     bool // names a build stage, not an image
	platform     string
	stage        string // the "AS name" of a FROM, if any
}

// The check interfaces. A rule implements rule plus any of the others.
type (
	rule interface {
		meta() finding.Rule
	}
	fileChecker interface {
		checkFile(*sourceFile, *reporter)
	}
	workflowChecker interface {
		checkWorkflow(*workflowFile, *reporter)
	}
	actionChecker interface {
		checkAction(*actionFile, *reporter)
	}
	dockerfileChecker interface {
		checkDockerfile(*dockerfileFile, *reporter)
	}
	dependabotChecker interface {
		checkDependabot(*dependabotFile, *reporter)
	}
	renovateChecker interface {
		checkRenovate(*renovateFile, *reporter)
	}
	// coverageChecker checks a dependency bot's configuration against
	// the workflows and actions the scan found.
	coverageChecker interface {
		checkCoverage(bot any, sc *botScope, rep *reporter)
	}
)

// checkCtx is what rules may consult beyond the file.
type checkCtx struct {
	allow allowList
	// patName matches the secret names pat-usage treats as personal
	// access tokens.
	patName *regexp.Regexp
	// persona says which findings are reported (see Persona).
	persona Persona
	// forbidden are the forbidden-uses patterns.
	forbidden []usesPattern
}

// reporter collects one rule's findings for one file.
type reporter struct {
	rule finding.Rule
	path string
	ctx  *checkCtx
	out  *[]finding.Finding
}

// report records a finding at p. key identifies what was found (the
// offending value) for the line-independent fingerprint.
func (r *reporter) report(sev finding.Severity, p pos, key, msg string) {
	*r.out = append(*r.out, finding.Finding{
		Rule:     r.rule.ID,
		Severity: sev,
		Message:  msg,
		Path:     r.path,
		Line:     p.line,
		Col:      p.col,
		// The key travels in Fingerprint until finalize replaces it.
		Fingerprint: key,
	})
}

// finalize drops exact duplicates (a YAML alias can make one value appear
// twice), sorts, and turns keys into fingerprints. The n-th (n >= 2)
// finding with the same rule, path and key gets key+"#n", so repeated
// values stay distinct while the first keeps the plain key.
func finalize(fs []finding.Finding) []finding.Finding {
	uniq := make(map[finding.Finding]bool, len(fs))
	fs = slices.DeleteFunc(fs, func(f finding.Finding) bool {
		dup := uniq[f]
		uniq[f] = true
		return dup
	})
	finding.Sort(fs)
	type id struct{ rule, path, key string }
	seen := map[id]int{}
	for i := range fs {
		f := &fs[i]
		k := id{f.Rule, f.Path, f.Fingerprint}
		seen[k]++
		key := f.Fingerprint
		if n := seen[k]; n > 1 {
			key += "#" + strconv.Itoa(n)
		}
		f.Fingerprint = finding.Fingerprint(f.Rule, f.Path, key)
	}
	if fs == nil {
		fs = []finding.Finding{}
	}
	return fs
}

func sortedFiles(fs []File) []File {
	slices.SortFunc(fs, func(a, b File) int { return cmp.Compare(a.Path, b.Path) })
	if fs == nil {
		fs = []File{}
	}
	return fs
}
