package waiver

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
)

// The inputs of a gate that reads the configuration file; [Inputs]
// declares them.
const (
	InputConfig  = "config"
	InputMaxDays = "max-waiver-days"
)

// Inputs returns the declarations of the config and max-waiver-days
// inputs, for a gate's Spec.Inputs, so every gate spells and documents them
// the same way.
func Inputs() []gate.Input {
	return []gate.Input{
		{Name: InputConfig, Kind: gate.Path, Default: DefaultPath,
			Description: "hub's configuration file: rule settings and waivers for each gate (see \"Waivers and configuration\" in the README). " +
				"A missing file at the default path means no configuration; a missing file named explicitly is an error."},
		{Name: InputMaxDays, Kind: gate.Int, Default: strconv.Itoa(DefaultMaxDays), Check: atLeastOne,
			Description: "The longest a waiver may run: a waiver whose expires date is more days ahead than this is refused, so every exception is reviewed again."},
	}
}

func atLeastOne(v any) error {
	if n, ok := v.(int); ok && n < 1 {
		return errors.New("want 1 or more")
	}
	return nil
}

// Setup is what a gate needs to apply its configuration and waivers.
type Setup struct {
	// Policy carries the run's clock and max-waiver-days.
	Policy *Policy
	// Config is the parsed file, or nil when there is none.
	Config *Config
	// Gate is the gate's own section (empty without a file).
	Gate GateConfig
	// Read is the configuration file with its digest, for the evidence
	// record; empty when no file was read.
	Read []evidence.Artifact
}

// FromInputs builds the policy from the run's clock (gate.Env.Now) and the
// max-waiver-days input, and loads the file the config input names. A
// missing file is no configuration when the input was left to its default
// and bad input when it was given; problems in the file are
// gate.BadConfig errors naming file:line; both exit 2. When known is not
// nil, the gate's section is checked against it with CheckRules. Other read
// errors are returned as they are (exit 3). The gate declares the inputs
// with [Inputs].
func FromInputs(in *gate.Inputs, gateName string, known []finding.Rule) (*Setup, error) {
	p, err := NewPolicy(in.Env.Now, WithMaxDays(in.Int(InputMaxDays)))
	if err != nil {
		return nil, gate.BadInputf(InputMaxDays, in.Raw(InputMaxDays), "%v", err)
	}
	s := &Setup{Policy: p, Gate: GateConfig{Gate: gateName}}
	root, rel := in.Root(InputConfig)
	if root == nil {
		return s, nil
	}
	name := in.Env.Rel(in.Path(InputConfig))
	data, err := root.ReadFile(rel, MaxFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !in.Given(InputConfig):
		return s, nil
	case errors.Is(err, fsroot.ErrTooLarge):
		return nil, gate.BadConfig(&ParseError{Path: name, Err: fmt.Errorf("%w: expected at most %d bytes, got more", ErrBadValue, MaxFileSize)})
	case errors.Is(err, fsroot.ErrNotRegular):
		if fi, serr := root.Stat(rel); serr == nil && fi.IsDir() {
			return nil, &gate.InputError{Input: InputConfig, Value: in.Raw(InputConfig), Problem: "is a directory, want a YAML file"}
		}
		return nil, in.FileError(InputConfig, err)
	case err != nil:
		return nil, in.FileError(InputConfig, err)
	}
	cfg, err := p.Parse(name, data)
	if errors.Is(err, ErrTooLong) {
		err = fmt.Errorf("%w\n(waivers may run at most %d days, the %s input)", err, p.MaxDays(), InputMaxDays)
	}
	if err != nil {
		return nil, gate.BadConfig(err)
	}
	s.Config, s.Gate = cfg, cfg.Gate(gateName)
	if known != nil {
		if err := s.Gate.CheckRules(known); err != nil {
			return nil, gate.BadConfig(err)
		}
	}
	s.Read = []evidence.Artifact{{Path: name, Digest: digest.FromBytes(digest.SHA256, data).String(), Size: int64(len(data))}}
	return s, nil
}
