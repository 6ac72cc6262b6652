package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slsa-verifier", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rootFile := fs.String("trusted-root", "", "read the Sigstore trusted root from this trusted_root.json instead of fetching it through TUF")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *rootFile != "" {
		if err := useTrustedRoot(*rootFile); err != nil {
			fmt.Fprintf(stderr, "slsa-verifier: flag --trusted-root: %v (got %q)\n", err, *rootFile)
			return 2
		}
	}
	var req Request
	dec := json.NewDecoder(io.LimitReader(stdin, maxRequest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		fmt.Fprintf(stderr, "slsa-verifier: reading the request: %v\n", err)
		return 2
	}
	resp, err := Serve(ctx, req)
	if err != nil {
		fmt.Fprintf(stderr, "slsa-verifier: %v\n", err)
		return 2
	}
	if err := json.NewEncoder(stdout).Encode(resp); err != nil {
		fmt.Fprintf(stderr, "slsa-verifier: writing the response: %v\n", err)
		return 2
	}
	return 0
}

// maxRequest bounds a request: provenance is a bundle of some kilobytes,
// base64 in JSON.
const maxRequest = 64 << 20

var errBadRequest = errors.New("bad request")
