package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

var hostArch = runtime.GOARCH

// VersionVar is the package variable that -ldflags -X sets to the hub
// version in every gate binary.
const VersionVar = "github.com/hubgates/hub/shared/version.Version"

// BinaryOptions describe one "go build" of a gate.
type BinaryOptions struct {
	// Gate names the gate; the binary is written as <OutDir>/<Gate> and
	// errors name it.
	Gate string
	// Package is the main package to build, relative to Dir. Empty means
	// "./actions/<Gate>".
	Package string
	// Dir is the directory go runs in, normally the module root. Empty means
	// the current directory.
	Dir string
	// Platform is the target, one of KnownPlatforms. Empty means
	// HostPlatform().
	Platform string
	// Version is stamped into the binary with -X VersionVar=<Version>. Empty
	// means "dev".
	Version string
	// OutDir receives the binary; it is created if missing. Empty means a new
	// temporary directory, which the caller removes.
	OutDir string
	// Go is the go command to run. Empty means "go" from PATH.
	Go string
	// Env is added to the environment of the go command, after the current
	// environment and before the variables BuildBinary sets itself.
	Env []string
	// Name is the binary's file name; empty means Gate. A gate's
	// companion program (see WithCompanion) is built with its own name.
	Name string
}

// BuildArgs returns the arguments after "go" that BuildBinary passes, for
// documentation and for people who build by hand.
func BuildArgs(version, out, pkg string) []string {
	return []string{
		"build",
		"-trimpath",
		"-buildvcs=false",
		"-ldflags", "-s -w -X " + VersionVar + "=" + version,
		"-o", out,
		pkg,
	}
}

// BuildBinary compiles the gate's main package as a static Linux binary for
// one platform: CGO_ENABLED=0, -trimpath, -buildvcs=false and
// -ldflags "-s -w -X <VersionVar>=<version>", with GOFLAGS cleared and the
// code generation level of the architecture pinned (GOAMD64=v1, ...), so that
// the bytes depend only on the sources, the version and the Go toolchain. It
// returns the path of the binary. A failed build's error names the gate and
// holds go's standard error.
func BuildBinary(ctx context.Context, opts BinaryOptions) (string, error) {
	if err := ValidateGate(opts.Gate); err != nil {
		return "", fmt.Errorf("build binary: %w", err)
	}
	if opts.Platform == "" {
		opts.Platform = HostPlatform()
	}
	spec, err := lookupPlatform(opts.Platform)
	if err != nil {
		return "", fmt.Errorf("build gate %s: %w", opts.Gate, err)
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if err := ValidateVersion(opts.Version); err != nil {
		return "", fmt.Errorf("build gate %s: %w", opts.Gate, err)
	}
	if opts.Package == "" {
		opts.Package = "./actions/" + opts.Gate
	}
	if opts.Go == "" {
		opts.Go = "go"
	}
	outDir := opts.OutDir
	if outDir == "" {
		outDir, err = os.MkdirTemp("", "hub-image-"+opts.Gate+"-")
		if err != nil {
			return "", fmt.Errorf("build gate %s: %w", opts.Gate, err)
		}
	} else if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("build gate %s: output directory: %w", opts.Gate, err)
	}
	name := opts.Gate
	if opts.Name != "" {
		name = opts.Name
	}
	out, err := filepath.Abs(filepath.Join(outDir, name))
	if err != nil {
		return "", fmt.Errorf("build gate %s: %w", opts.Gate, err)
	}

	cmd := exec.CommandContext(ctx, opts.Go, BuildArgs(opts.Version, out, opts.Package)...)
	cmd.Dir = opts.Dir
	env := append(os.Environ(), opts.Env...)
	env = append(env,
		"CGO_ENABLED=0",
		"GOOS="+spec.os,
		"GOARCH="+spec.arch,
		"GOFLAGS=",
	)
	cmd.Env = append(env, spec.env...)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return "", fmt.Errorf("build gate %s (%s, package %s): %w", opts.Gate, opts.Platform, opts.Package, err)
		}
		return "", fmt.Errorf("build gate %s (%s, package %s): %w\n%s", opts.Gate, opts.Platform, opts.Package, err, msg)
	}
	if fi, err := os.Stat(out); err != nil {
		return "", fmt.Errorf("build gate %s: %w", opts.Gate, err)
	} else if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("build gate %s: %s is not a regular file", opts.Gate, out)
	}
	return out, nil
}

var errNoBinary = errors.New("empty binary")
