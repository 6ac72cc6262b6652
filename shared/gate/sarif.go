package gate

import (
	"fmt"
	"io"
	pathpkg "path"

	"github.com/hubgates/hub/shared/sarif"
	"github.com/hubgates/hub/shared/version"
)

// writeSARIF writes the run's findings as SARIF when the gate has rules and
// the sarif-file input is not empty.
func (r *run) writeSARIF() error {
	spec := &r.gate.Spec
	if len(spec.Rules) == 0 {
		return nil
	}
	path, _ := r.inputs.values[InputSARIFFile].(string)
	if path == "" {
		return nil
	}
	category, _ := r.inputs.values[InputCategory].(string)
	log, err := sarif.Build(sarif.Tool{
		Name:           "hub/" + spec.Name,
		Version:        version.Version,
		InformationURI: "https://github.com/hubgates/hub/tree/main/actions/" + spec.Name,
	}, spec.Rules, r.result.Findings, sarif.WithCategory(category))
	if err != nil {
		return fmt.Errorf("building SARIF: %w", err)
	}
	root, rel := r.inputs.rootFor(path)
	if err := root.MkdirAll(pathpkg.Dir(rel), 0o755); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	if err := root.Stream(rel, 0o644, false, func(w io.Writer) error { return sarif.Write(w, log) }); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	r.sarifRel = r.env.Rel(path)
	return nil
}
