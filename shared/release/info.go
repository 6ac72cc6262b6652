package release

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/hubgates/hub/shared/atomicfile"
	"github.com/hubgates/hub/shared/image"
)

// FileName is the release file at the repository root.
const FileName = "release.json"

// ErrNoReleaseFile is returned by [Read] when the root has no release.json.
var ErrNoReleaseFile = errors.New("no " + FileName)

// Info is the content of release.json: everything a release build takes
// besides the sources and the Go toolchain.
type Info struct {
	// Version is stamped into every gate binary, put in the version label
	// and used as the image tag, like v0.1.0.
	Version string `json:"version"`
	// Created is the creation time of every image and the time of every
	// file in its layer, in whole seconds.
	Created time.Time `json:"created"`
}

// Validate reports the first problem with the release inputs.
func (i Info) Validate() error {
	if err := image.ValidateVersion(i.Version); err != nil {
		return fmt.Errorf("%s: version: %w", FileName, err)
	}
	if err := image.ValidateCreated(i.Created); err != nil {
		return fmt.Errorf("%s: created: %w", FileName, err)
	}
	return nil
}

// Read returns the release inputs committed at root, or an error wrapping
// [ErrNoReleaseFile] when there are none.
func Read(root string) (Info, error) {
	data, err := os.ReadFile(filepath.Join(root, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, fmt.Errorf("reading %s: %w", FileName, ErrNoReleaseFile)
	}
	if err != nil {
		return Info{}, fmt.Errorf("reading %s: %w", FileName, err)
	}
	var info Info
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&info); err != nil {
		return Info{}, fmt.Errorf("parsing %s: %w", FileName, err)
	}
	info.Created = info.Created.UTC()
	if err := info.Validate(); err != nil {
		return Info{}, err
	}
	return info, nil
}

// Write stores the release inputs at root, replacing the file atomically.
func Write(root string, info Info) error {
	info.Created = info.Created.UTC()
	if err := info.Validate(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("writing %s: %w", FileName, err)
	}
	if err := atomicfile.WriteFile(filepath.Join(root, FileName), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", FileName, err)
	}
	return nil
}
