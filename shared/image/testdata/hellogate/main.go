// Command hellogate is a tiny stand-in gate for the tests of package image.
// It prints its arguments and the hub version, writes
// greeting=<INPUT_SOME-INPUT> to $GITHUB_OUTPUT, a line to
// $GITHUB_STEP_SUMMARY, and hellogate.txt (version, arguments, working
// directory, and whether a file could be made in /tmp) to the working
// directory. It exits with the code given in INPUT_EXIT-CODE, if any.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/version"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hellogate:", err)
		os.Exit(1)
	}
	if c := os.Getenv("INPUT_EXIT-CODE"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hellogate: bad exit-code input:", err)
			os.Exit(1)
		}
		os.Exit(n)
	}
}

func run() error {
	fmt.Printf("hellogate %s args=%q\n", version.Version, os.Args[1:])

	tmpOK := "no"
	if f, err := os.CreateTemp("", "hellogate-"); err == nil {
		f.Close()
		os.Remove(f.Name())
		tmpOK = "yes"
	}
	wd, _ := os.Getwd()
	report := fmt.Sprintf("version=%s\nargs=%s\nwd=%s\ntmp=%s\n", version.Version, strings.Join(os.Args[1:], " "), wd, tmpOK)
	if err := os.WriteFile("hellogate.txt", []byte(report), 0o644); err != nil {
		return err
	}
	if err := appendFile(os.Getenv("GITHUB_OUTPUT"), "greeting="+os.Getenv("INPUT_SOME-INPUT")+"\n"); err != nil {
		return fmt.Errorf("GITHUB_OUTPUT: %w", err)
	}
	if err := appendFile(os.Getenv("GITHUB_STEP_SUMMARY"), "hello from hellogate "+version.Version+"\n"); err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	return nil
}

func appendFile(path, s string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
