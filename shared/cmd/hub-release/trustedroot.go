package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/hubgates/hub/shared/atomicfile"
	"github.com/hubgates/hub/shared/sigstore"
)

// trustedRoot writes the public-good Sigstore trusted root, fetched and
// checked through TUF, for the offline verification path of
// verify-provenance (which reads a trusted_root.json file): the release
// workflow verifies its own attestations with it.
func trustedRoot(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("hub-release trusted-root", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the trusted_root.json to `file` (required)")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this `duration`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out: required, like trusted_root.json")
	}
	if *timeout <= 0 {
		return usagef("--timeout %s: want a positive duration", *timeout)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	tr, err := sigstore.FetchTrustedRoot(ctx, "")
	if err != nil {
		return err
	}
	data, err := tr.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encoding the trusted root: %w", err)
	}
	if err := atomicfile.WriteFile(*out, data, 0o644); err != nil {
		return fmt.Errorf("--out %q: %w", *out, err)
	}
	return nil
}
