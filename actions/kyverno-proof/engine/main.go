package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
)

// maxRequest bounds the request read from standard input.
const maxRequest = 64 << 20

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	resp := serve(ctx, os.Stdin)
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(resp); err != nil {
		fmt.Fprintln(os.Stderr, "kyverno-engine: writing the response:", err)
		os.Exit(3)
	}
}

// serve reads a request and runs it; failures come back in the response.
func serve(ctx context.Context, in io.Reader) Response {
	resp := Response{KyvernoVersion: kyvernoVersion()}
	b, err := io.ReadAll(io.LimitReader(in, maxRequest+1))
	if err == nil && len(b) > maxRequest {
		err = errors.New("request larger than 64 MiB")
	}
	var req Request
	if err == nil {
		err = json.Unmarshal(b, &req)
	}
	if err != nil {
		resp.Error = &Error{Kind: "internal", Message: "reading the request: " + err.Error()}
		return resp
	}
	probes, subs, err := Run(ctx, req)
	resp.Probes, resp.Substitutions = probes, subs
	var pe *policyError
	switch {
	case errors.As(err, &pe):
		resp.Error = &Error{Kind: "policy", File: pe.file, Message: pe.Error()}
	case err != nil:
		resp.Error = &Error{Kind: "internal", Message: err.Error()}
	}
	return resp
}

// policyError is a policy Kyverno cannot read.
type policyError struct {
	file string
	err  error
}

func (e *policyError) Error() string { return fmt.Sprintf("%s: %v", e.file, e.err) }
func (e *policyError) Unwrap() error { return e.err }

// Run builds the probes, substitutes the attestors and answers every probe.
func Run(ctx context.Context, req Request) ([]ProbeResult, []string, error) {
	if req.Image == "" || req.ForeignImage == "" {
		return nil, nil, errors.New("the request names no probe image or foreign image")
	}
	if req.Namespace == "" {
		req.Namespace = "default"
	}
	key, err := newSigner()
	if err != nil {
		return nil, nil, err
	}
	stranger, err := newSigner()
	if err != nil {
		return nil, nil, err
	}
	var subs []string
	var policies []kyvernov1.PolicyInterface
	for _, d := range req.Policies {
		subs = append(subs, substituteAttestors(d.Object, key.publicPEM)...)
		p, err := decodePolicy(d.Object)
		if err != nil {
			return nil, subs, &policyError{file: fmt.Sprintf("%s (document %d)", d.File, d.Document), err: err}
		}
		policies = append(policies, p)
	}
	reg := newFakeRegistry()
	defer reg.Close()
	probes, err := buildProbes(ctx, reg, key, stranger, req)
	if err != nil {
		return nil, subs, err
	}
	eng, jp, cfg := newEngine(reg)
	var out []ProbeResult
	for _, p := range probes {
		r, err := admit(ctx, eng, jp, cfg, policies, p, req.Namespace)
		if err != nil {
			return out, subs, err
		}
		out = append(out, r)
	}
	return out, subs, nil
}

// kyvernoVersion is the Kyverno module version linked in.
func kyvernoVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/kyverno/kyverno" {
				return d.Version
			}
		}
	}
	return "unknown"
}
