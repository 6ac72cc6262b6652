package sarif

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

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
	if r == nil {
		return nil, errors.New("sarif: marshaling a nil report")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil { // Encode adds the trailing newline.
		return nil, fmt.Errorf("sarif: marshaling report: %w", err)
	}
	compact := buf.Bytes()
	return append(appendIndented(make([]byte, 0, len(compact)*2), compact[:len(compact)-1]), '\n'), nil
}

// WriteFile writes Marshal(r) to path atomically: it writes a temporary
// file in the same directory and renames it over path, so a reader sees
// either the old file or the whole new one, and a failure leaves no partial
// or temporary file behind. It does not sync to disk (see
// atomicfile.WriteReport). The file gets mode 0644. Errors name path.
func WriteFile(path string, r *gosarif.Report) error {
	data, err := Marshal(r)
	if err != nil {
		return fmt.Errorf("sarif: writing %s: %w", path, err)
	}
	if err := atomicfile.WriteReport(path, data, 0o644); err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	return nil
}
