package sarif

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/hubgates/hub/shared/atomicfile"
)

// Marshal renders r as JSON indented by two spaces, ending in a newline. The
// same report always gives the same bytes: struct fields keep their order
// and map keys (properties, partialFingerprints) are sorted. Characters
// such as "<" and "&" are written as they are, not as \u escapes.
//
// Use Marshal (or WriteFile) rather than go-sarif's Report.PrettyWrite and
// Report.WriteFile: those add no trailing newline, and WriteFile does not
// truncate an existing, longer file.
func Marshal(r *gosarif.Report) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes what Marshal returns to w, without holding the indented
// report in memory.
func Write(w io.Writer, r *gosarif.Report) error {
	if r == nil {
		return errors.New("sarif: marshaling a nil report")
	}
	// encodeStreaming ends with the newline json.Encoder adds.
	if err := encodeStreaming(newIndentWriter(w), r); err != nil {
		return fmt.Errorf("sarif: marshaling report: %w", err)
	}
	return nil
}

// WriteFile writes Marshal(r) to path atomically: it writes a temporary
// file in the same directory and renames it over path, so a reader sees
// either the old file or the whole new one, and a failure leaves no partial
// or temporary file behind. It does not sync to disk (see
// atomicfile.WriteReport). The file gets mode 0644. Errors name path.
func WriteFile(path string, r *gosarif.Report) error {
	if err := atomicfile.StreamReport(path, 0o644, func(w io.Writer) error { return Write(w, r) }); err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	return nil
}
