package audit

import (
	"slices"
	"strings"
)

// publishPrograms are commands that publish what a job built, with the
// subcommand that does ("" when the program alone does); a --dry-run flag
// anywhere in the command means it publishes nothing.
var publishPrograms = map[string][]string{
	"npm":        {"publish"},
	"yarn":       {"publish", "npm"},
	"pnpm":       {"publish"},
	"cargo":      {"publish"},
	"twine":      {"upload"},
	"gem":        {"push"},
	"docker":     {"push"},
	"podman":     {"push"},
	"buildah":    {"push"},
	"dotnet":     {"nuget"},
	"nuget":      {"push"},
	"poetry":     {"publish"},
	"flit":       {"publish"},
	"hatch":      {"publish"},
	"uv":         {"publish"},
	"mvn":        {"deploy"},
	"goreleaser": {"release", ""},
	"gh":         {"release"},
	"vsce":       {"publish"},
	"ovsx":       {"publish"},
	"helm":       {"push"},
	"crane":      {"push", "copy"},
	"ko":         {"build", "publish", "resolve", "apply"},
}

// publishCommand returns the first run: command of j that publishes, and
// its line, or "".
func (j *job) publishCommand() (string, int) {
	for _, st := range j.steps {
		s := runScript(st)
		if s == nil || !mayPublish(s.value) {
			continue
		}
		for _, c := range scriptCommands(s.value, "") {
			if publishes(c) {
				return c.text, s.pos.line
			}
		}
	}
	return "", 0
}

// mayPublish is a cheap filter: a script that names no publishing program
// cannot publish.
func mayPublish(script string) bool {
	for p := range publishPrograms {
		if hasWord(script, p) {
			return true
		}
	}
	return false
}

// publishes reports whether one command publishes.
func publishes(c shellCmd) bool {
	ws := c.words()
	if len(ws) == 0 {
		return false
	}
	subs, ok := publishPrograms[strings.ToLower(strings.Trim(ws[0], `"'`))]
	if !ok || slices.ContainsFunc(ws, func(w string) bool {
		return w == "--dry-run" || w == "--dryrun" || w == "-n" && ws[0] == "cargo" || w == "--snapshot"
	}) {
		return false
	}
	sub := ""
	for _, w := range ws[1:] {
		if !strings.HasPrefix(w, "-") {
			sub = strings.ToLower(w)
			break
		}
	}
	if ws[0] == "gh" {
		return sub == "release" && slices.ContainsFunc(ws[2:], func(w string) bool { return w == "create" || w == "upload" || w == "edit" })
	}
	return slices.Contains(subs, sub)
}
