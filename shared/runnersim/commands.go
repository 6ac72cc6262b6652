package runnersim

import (
	"strings"
	"unicode"
)

// Command is a workflow command the runner would process.
type Command struct {
	Name       string
	Properties map[string]string
	Data       string
	// Line is the log line it was read from.
	Line string
}

// Commands returns the commands the runner would act on in log, one
// stream of a step's output, in order. stop-commands and the token that
// resumes them are returned too, as the runner processes them.
func Commands(log string) []Command {
	var out []Command
	stopToken := ""
	for _, line := range Lines(log) {
		cmd, ok := parseV2(line)
		if !ok {
			cmd, ok = parseV1(line)
		}
		if !ok {
			continue
		}
		if stopToken != "" {
			if strings.EqualFold(cmd.Name, stopToken) {
				stopToken = ""
				out = append(out, cmd)
			}
			continue
		}
		if strings.EqualFold(cmd.Name, "stop-commands") {
			if cmd.Data == "" {
				// The runner registers the empty token, which no command
				// can name: commands stay stopped for the rest of the step.
				stopToken = "\x00"
			} else {
				stopToken = cmd.Data
			}
		}
		out = append(out, cmd)
	}
	return out
}

// Lines splits a stream into lines as .NET's StreamReader.ReadLine does:
// at LF, CR, and CRLF.
func Lines(s string) []string {
	var lines []string
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	return lines
}

// parseV2 reads "::name k=v,k=v::data" after leading white space.
func parseV2(line string) (Command, bool) {
	msg := strings.TrimLeftFunc(line, unicode.IsSpace)
	if !strings.HasPrefix(msg, "::") {
		return Command{}, false
	}
	end := strings.Index(msg[2:], "::")
	if end < 0 {
		return Command{}, false
	}
	info := msg[2 : 2+end]
	name, props, _ := strings.Cut(info, " ")
	if name == "" {
		return Command{}, false
	}
	cmd := Command{Name: name, Properties: map[string]string{}, Line: line}
	for _, p := range strings.Split(strings.TrimSpace(props), ",") {
		if k, v, ok := strings.Cut(p, "="); ok && k != "" && v != "" {
			cmd.Properties[k] = unescape(v, propertyEscapes)
		}
	}
	cmd.Data = unescape(msg[2+end+2:], dataEscapes)
	return cmd, true
}

// parseV1 reads "##[name k=v;k=v]data" anywhere in the line.
func parseV1(line string) (Command, bool) {
	i := strings.Index(line, "##[")
	if i < 0 {
		return Command{}, false
	}
	rb := strings.IndexByte(line[i:], ']')
	if rb < 0 {
		return Command{}, false
	}
	info := line[i+3 : i+rb]
	name, props, _ := strings.Cut(info, " ")
	if name == "" {
		return Command{}, false
	}
	cmd := Command{Name: name, Properties: map[string]string{}, Line: line}
	for _, p := range strings.Split(props, ";") {
		if k, v, ok := strings.Cut(p, "="); ok && k != "" && v != "" {
			cmd.Properties[k] = unescape(v, v1Escapes)
		}
	}
	cmd.Data = unescape(line[i+rb+1:], v1Escapes)
	return cmd, true
}

var (
	dataEscapes     = [][2]string{{"%0D", "\r"}, {"%0A", "\n"}, {"%25", "%"}}
	propertyEscapes = [][2]string{{"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"}, {"%2C", ","}, {"%25", "%"}}
	v1Escapes       = [][2]string{{"%3B", ";"}, {"%0D", "\r"}, {"%0A", "\n"}, {"%5D", "]"}, {"%25", "%"}}
)

// unescape replaces each escape in turn over the whole string, as the
// runner does.
func unescape(s string, escapes [][2]string) string {
	for _, e := range escapes {
		s = strings.ReplaceAll(s, e[0], e[1])
	}
	return s
}
