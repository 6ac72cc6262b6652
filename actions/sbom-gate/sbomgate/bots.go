package sbomgate

import (
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
)

// BotUpdate is what a Dependabot or Renovate pull request says it updates.
type BotUpdate struct {
	// Bot is "dependabot" or "renovate".
	Bot string
	// Title is the pull request's title.
	Title string
	// Package, From and To are parsed from the title when it has the
	// bot's usual form; From may be empty (Renovate does not say it).
	Package, From, To string
}

// String is the update in one line, for the update output.
func (u BotUpdate) String() string { return u.Bot + ": " + u.Title }

// maxEventBytes bounds the event file read.
const maxEventBytes = 8 << 20

var (
	// Dependabot: "Bump lodash from 4.17.20 to 4.17.21" (with an optional
	// "chore(deps): " prefix and " in /path" suffix).
	dependabotTitle = regexp.MustCompile(`(?i)\bbump (\S+) from (\S+) to (\S+?)(?:\s+in\s+\S+)?$`)
	// Renovate: "Update dependency lodash to v4.17.21", "chore(deps): update
	// module golang.org/x/net to v0.30.0", "Update golang.org/x/net to v0.30.0".
	renovateTitle = regexp.MustCompile(`(?i)\bupdate (?:(?:dependency|module|package|image|docker tag|action)\s+)?(\S+) to (\S+?)(?:\s+\(.*\))?$`)
)

// DetectBot reads the pull request event at path and returns the update a
// Dependabot or Renovate pull request makes; ok is false for anything else
// (another event, another author, no event file).
func DetectBot(path string) (BotUpdate, bool) {
	if path == "" {
		return BotUpdate{}, false
	}
	f, err := os.Open(path)
	if err != nil {
		return BotUpdate{}, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEventBytes))
	if err != nil {
		return BotUpdate{}, false
	}
	var ev struct {
		PullRequest *struct {
			Title string `json:"title"`
			User  struct {
				Login string `json:"login"`
			} `json:"user"`
			Head struct {
				Ref string `json:"ref"`
			} `json:"head"`
		} `json:"pull_request"`
	}
	if json.Unmarshal(b, &ev) != nil || ev.PullRequest == nil {
		return BotUpdate{}, false
	}
	pr := ev.PullRequest
	login, ref := strings.ToLower(pr.User.Login), pr.Head.Ref
	u := BotUpdate{Title: strings.TrimSpace(pr.Title)}
	switch {
	case strings.HasPrefix(login, "dependabot") || strings.HasPrefix(ref, "dependabot/"):
		u.Bot = "dependabot"
		if m := dependabotTitle.FindStringSubmatch(u.Title); m != nil {
			u.Package, u.From, u.To = m[1], m[2], m[3]
		}
	case strings.HasPrefix(login, "renovate") || strings.HasPrefix(ref, "renovate/"):
		u.Bot = "renovate"
		if m := renovateTitle.FindStringSubmatch(u.Title); m != nil {
			u.Package, u.To = m[1], m[2]
		}
	default:
		return BotUpdate{}, false
	}
	return u, true
}

// Matches reports whether a change is the update the title names: the
// package by name (or as the end of its path or purl name) and the head
// version, with or without a leading "v".
func (u BotUpdate) Matches(c Change) bool {
	if u.Package == "" {
		return false
	}
	name := c.Head.Name
	if c.Head.HasPURL {
		name = c.Head.PURL.Name
		if c.Head.PURL.Namespace != "" {
			name = c.Head.PURL.Namespace + "/" + c.Head.PURL.Name
		}
	}
	pkg := strings.ToLower(strings.ReplaceAll(u.Package, ":", "/"))
	n := strings.ToLower(name)
	if n != pkg && !strings.HasSuffix(n, "/"+pkg) && !strings.HasSuffix(pkg, "/"+n) && strings.ToLower(c.Head.Name) != pkg {
		return false
	}
	return strings.TrimPrefix(c.Head.Version, "v") == strings.TrimPrefix(u.To, "v")
}
