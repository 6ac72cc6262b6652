package gate

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// appendOutputs adds outputs to the runner's GITHUB_OUTPUT file, each in
// the heredoc form the toolkit writes:
//
//	name<<ghadelimiter_<random>
//	value
//	ghadelimiter_<random>
//
// with a delimiter drawn at random for each value and drawn again in the
// unlikely case the value holds it, so no value, whatever it contains, can
// end its block early and set outputs of its own. Everything is written in
// one append.
func appendOutputs(path string, kvs [][2]string) error {
	var b strings.Builder
	for _, kv := range kvs {
		name, value := kv[0], kv[1]
		delim, err := delimiterFor(value)
		if err != nil {
			return fmt.Errorf("writing output %q: %w", name, err)
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", name, delim, value, delim)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("writing outputs to GITHUB_OUTPUT: %w", err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("writing outputs to GITHUB_OUTPUT: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing outputs to GITHUB_OUTPUT: %w", err)
	}
	return nil
}

// delimiterFor returns a heredoc delimiter that does not occur in value.
func delimiterFor(value string) (string, error) {
	for range 8 {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		d := "ghadelimiter_" + hex.EncodeToString(b[:])
		if !strings.Contains(value, d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("no delimiter found that the value does not contain")
}

// appendSummary adds Markdown to the runner's GITHUB_STEP_SUMMARY file.
func appendSummary(path, markdown string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("writing the step summary: %w", err)
	}
	if _, err := f.WriteString(markdown); err != nil {
		f.Close()
		return fmt.Errorf("writing the step summary: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the step summary: %w", err)
	}
	return nil
}
