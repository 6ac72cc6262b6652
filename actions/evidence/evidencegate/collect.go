package evidencegate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/fsroot"
)

// Limits on what is read from the records folder: a run has tens of
// gate records, each well under these.
const (
	maxRecords    = 1000
	maxRecordSize = 64 << 20
)

// Collected is one JSON file of the records folder.
type Collected struct {
	// Path is the file's workspace-relative name.
	Path string
	// Digest is the file's SHA-256.
	Digest digest.Digest
	// Record is the record read; valid only when Err is nil.
	Record evidence.Record
	// Err says why the file is not a usable record.
	Err error
	// Bundle is the Sigstore bundle beside the record
	// (<record>.sigstore.json), nil when there is none.
	Bundle []byte
	// Unsigned says why a record that must be signed is not (no bundle,
	// or one that does not verify); nil when it is, or need not be.
	Unsigned error
}

// Collect reads every *.json file under dir (a folder of root, searched
// to any depth, as actions/download-artifact lays out one folder per
// artifact), skipping Sigstore bundles (*.sigstore.json) and the
// evidence gate's own records. Linked folders are not entered and a
// linked file that leads out of root is reported, never read. The records
// come sorted by path.
func Collect(root *fsroot.Root, dir string) ([]Collected, error) {
	var out []Collected
	err := fs.WalkDir(root.FS(), dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		if d.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".sigstore.json") {
			return nil
		}
		if len(out) == maxRecords {
			return fmt.Errorf("more than %d records under %s", maxRecords, dir)
		}
		out = append(out, readRecord(root, name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The gate's own records (of an earlier attempt, or written into the
	// same folder) summarise the others; they are not gate evidence.
	out = slices.DeleteFunc(out, func(c Collected) bool { return c.Err == nil && c.Record.Gate == Name })
	slices.SortFunc(out, func(a, b Collected) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// readRecord reads one file as an evidence record, strictly: unknown
// fields, a schema version other than the one written today, or no gate
// name make it unusable.
func readRecord(root *fsroot.Root, name string) Collected {
	c := Collected{Path: path.Clean(name)}
	b, err := root.ReadFile(name, maxRecordSize)
	if err != nil {
		if errors.Is(err, fsroot.ErrEscapes) {
			c.Err = fmt.Errorf("is a link leading outside the workspace")
		} else {
			c.Err = fmt.Errorf("cannot be read: %w", err)
		}
		return c
	}
	c.Digest = digest.FromBytes(digest.SHA256, b)
	if bundle, err := root.ReadFile(name+".sigstore.json", 4<<20); err == nil {
		c.Bundle = bundle
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c.Record); err != nil {
		c.Err = fmt.Errorf("is not an evidence record: %v", err)
		return c
	}
	switch {
	case c.Record.SchemaVersion != evidence.SchemaVersion:
		c.Err = fmt.Errorf("is an evidence record of schema version %d, expected %d", c.Record.SchemaVersion, evidence.SchemaVersion)
	case c.Record.Gate == "":
		c.Err = errors.New("is an evidence record that names no gate")
	}
	return c
}
