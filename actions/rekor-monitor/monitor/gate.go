package monitor

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"github.com/hubgates/hub/shared/fsroot"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

const gateName = "rekor-monitor"

// The gate's own inputs.
const (
	inputRekorURL   = "rekor-url"
	inputIdentities = "identities"
	inputAllowed    = "allowed-identities"
	inputStateFile  = "state-file"
	inputInitialize = "initialize"
	inputSince      = "since"
	inputMaxEntries = "max-entries"
	inputLogKey     = "rekor-public-key"
	inputTimeout    = "timeout"
	inputRetries    = "retries"
)

// The gate's own outputs.
const (
	outputTreeSize   = "tree-size"
	outputChecked    = "checked"
	outputUnexpected = "unexpected"
	outputRemaining  = "remaining"
)

// The rules of the gate's findings.
const (
	RuleUnexpectedSigner = "unexpected-signer"
	RuleLogInconsistent  = "log-inconsistent"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/rekor-monitor/README.md#"

// Rules are every rule a finding of the gate can carry.
var Rules = []finding.Rule{
	{ID: RuleUnexpectedSigner, Severity: finding.Critical,
		Summary: "A watched signing identity signed from a workflow or ref that allowed-identities does not accept.",
		Help:    "Find out who ran that workflow; revoke what it signed if it was not you.", HelpURI: helpBase + "unexpected-signer"},
	{ID: RuleLogInconsistent, Severity: finding.Critical,
		Summary: "The log's new signed tree head is not consistent with the one the previous run saw, or is not signed by the log's key.",
		Help:    "The log forked, was rewritten, or someone else answered; do not re-initialize the state before finding out why.", HelpURI: helpBase + "log-inconsistent"},
}

// Gate is rekor-monitor as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "monitor Rekor for unexpected signatures",
		Description: "Reads every entry added to a Rekor transparency log since the last run and reports those signed by a watched identity from a workflow or ref it should not sign from. " +
			"Each run first proves the log's new signed tree head consistent with the one the previous run saw (an RFC 6962 consistency proof), so a forked or rewritten log is caught, " +
			"and keeps what it checked in a state file the workflow persists between runs; a missing state file is an error unless initialize is true, so a lost state is never silently re-baselined.",
		Inputs: []gate.Input{
			{Name: inputRekorURL, Kind: gate.String, Default: "https://rekor.sigstore.dev", Check: checkURL,
				Description: "The Rekor log to watch."},
			{Name: inputIdentities, Kind: gate.List, Required: true, Check: checkRegexps,
				Description: "Regular expressions (Go syntax) of the certificate identities to watch, such as ^https://github\\.com/acme/ for every workflow of an organisation."},
			{Name: inputAllowed, Kind: gate.List, Check: checkRegexps,
				Description: "Regular expressions of the watched identities that are expected to sign, such as ^https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v. A watched identity no pattern here matches is reported."},
			{Name: inputStateFile, Kind: gate.Path, AllowTemp: true, Required: true,
				Description: "The JSON file holding the last verified checkpoint and the next log index to check; restore it before the step and save it after (it is rewritten atomically)."},
			{Name: inputInitialize, Kind: gate.Bool, Default: "false",
				Description: "When the state file does not exist, start one at the log's current head instead of failing. An existing state file is never replaced."},
			{Name: inputSince, Kind: gate.Duration,
				Description: "Only report entries integrated within this long before now; older entries are read but not reported. Empty reports every new entry."},
			{Name: inputMaxEntries, Kind: gate.Int, Default: "10000", Check: positive,
				Description: "Most entries to read in one run; the rest are read by the next run."},
			{Name: inputLogKey, Kind: gate.Path,
				Description: "The log's public key (PEM). When given, every signed tree head must verify with it."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "120s",
				Description: "Longest time for the whole run; when it passes, the gate exits 3 naming the call that did not answer."},
			{Name: inputRetries, Kind: gate.Int, Default: "4", Check: positive,
				Description: "Attempts per call: transient failures (network errors, HTTP 429 and 5xx) are retried with exponential backoff and jitter, other failures are not."},
		},
		Outputs: []gate.Output{
			{Name: outputTreeSize, Description: "The log's verified tree size."},
			{Name: outputChecked, Description: "Number of log entries read in this run."},
			{Name: outputUnexpected, Description: "Number of entries signed by watched identities that no allowed-identities pattern accepts."},
			{Name: outputRemaining, Description: "Entries left for the next run (max-entries)."},
		},
		Rules: Rules,
	},
	Run: run,
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, in.Duration(inputTimeout))
	defer cancel()
	rekorURL := strings.TrimSuffix(in.String(inputRekorURL), "/")
	m := &Monitor{
		Client: &Client{BaseURL: rekorURL, HTTP: &http.Client{}, Retry: Retry{Attempts: in.Int(inputRetries)}},
		Policy: Policy{Watch: compile(in.List(inputIdentities)), Allow: compile(in.List(inputAllowed)), MaxEntries: int64(in.Int(inputMaxEntries))},
	}
	if d := in.Duration(inputSince); d > 0 {
		m.Policy.Since = time.Now().Add(-d)
	}
	res := &gate.Result{Outputs: map[string]string{}, Counters: map[string]int64{}}
	if in.Path(inputLogKey) != "" {
		b, err := in.ReadFile(inputLogKey, maxKeyBytes)
		if err != nil {
			return nil, err
		}
		v, err := loadLogKey(b)
		if err != nil {
			return nil, gate.BadInputf(inputLogKey, in.Raw(inputLogKey), "%v", err)
		}
		m.LogKey = v
		res.Read = append(res.Read, read(in, inputLogKey, b))
	}

	stateRoot, stateName := in.Root(inputStateFile)
	prev, err := LoadState(stateRoot, stateName)
	switch {
	case errors.Is(err, ErrNoState) && !in.Bool(inputInitialize):
		return nil, gate.BadInputf(inputStateFile, in.Raw(inputStateFile),
			"does not exist; restore the previous run's state file, or set %s: true once to start a new state at the log's current head", inputInitialize)
	case errors.Is(err, ErrNoState):
		prev = nil
	case errors.Is(err, fsroot.ErrEscapes), errors.Is(err, fsroot.ErrNotRegular), errors.Is(err, fsroot.ErrTooLarge):
		return nil, in.FileError(inputStateFile, err)
	case err != nil:
		return nil, gate.BadInputf(inputStateFile, in.Raw(inputStateFile), "%v", err)
	default:
		if b, err := stateRoot.ReadFile(stateName, maxStateBytes); err == nil {
			res.Read = append(res.Read, read(in, inputStateFile, b))
		}
		if prev.RekorURL != rekorURL {
			return nil, gate.BadInputf(inputStateFile, in.Raw(inputStateFile), "records log %q, not %s %q", prev.RekorURL, inputRekorURL, rekorURL)
		}
	}

	rep, next, err := m.Run(ctx, prev)
	if err != nil && !IsVerdict(err) {
		return nil, err
	}
	if err != nil {
		res.Denied = true
		res.Findings = append(res.Findings, finding.Finding{Rule: RuleLogInconsistent, Severity: finding.Critical,
			Message: err.Error(), Fingerprint: finding.Fingerprint(RuleLogInconsistent, rekorURL, strconv.FormatInt(rep.TreeSize, 10))})
		res.Reason = fmt.Sprintf("The log at %s is not consistent with the saved checkpoint; the state file was left as it was.", rekorURL)
		res.Outputs[outputTreeSize] = strconv.FormatInt(rep.TreeSize, 10)
		res.Outputs[outputChecked] = "0"
		res.Outputs[outputUnexpected] = "0"
		res.Outputs[outputRemaining] = "0"
		return res, nil
	}
	if err := next.Save(stateRoot, stateName); err != nil {
		return nil, fmt.Errorf("writing the state file %s: %w", in.Raw(inputStateFile), err)
	}

	unexpected := rep.Unexpected()
	for _, u := range unexpected {
		res.Findings = append(res.Findings, finding.Finding{Rule: RuleUnexpectedSigner, Severity: finding.Critical,
			Message: fmt.Sprintf("log index %d (%s): signed by %q (issuer %q, ref %q), which no allowed-identities pattern accepts",
				u.LogIndex, u.IntegratedTime.Format(time.RFC3339), u.Identity, u.Issuer, u.Ref),
			Fingerprint: finding.Fingerprint(RuleUnexpectedSigner, rekorURL, u.UUID)})
	}
	checked := rep.To - rep.From
	res.Outputs[outputTreeSize] = strconv.FormatInt(rep.TreeSize, 10)
	res.Outputs[outputChecked] = strconv.FormatInt(checked, 10)
	res.Outputs[outputUnexpected] = strconv.Itoa(len(unexpected))
	res.Outputs[outputRemaining] = strconv.FormatInt(rep.Remaining, 10)
	res.Counters["checked"] = checked
	res.Counters["matches"] = int64(len(rep.Matches))
	res.Denied = len(unexpected) > 0
	switch {
	case rep.Initialized:
		res.Reason = fmt.Sprintf("Started a new state at tree size %d of %s; entries before it are not checked.", rep.TreeSize, rekorURL)
	case res.Denied:
		res.Reason = fmt.Sprintf("%d unexpected of %d watched-identity entries among %d read (log indexes %d to %d).", len(unexpected), len(rep.Matches), checked, rep.From, rep.To-1)
	default:
		res.Reason = fmt.Sprintf("%d entries read (tree %d → %d, consistent): %d by watched identities, all expected.", checked, rep.PreviousSize, rep.TreeSize, len(rep.Matches))
	}
	var b strings.Builder
	switch {
	case rep.Initialized:
		fmt.Fprintf(&b, "**Log:** %s · new state at tree size %d; the next run reads from log index %d\n\n", rekorURL, rep.TreeSize, rep.To)
	case checked == 0:
		fmt.Fprintf(&b, "**Log:** %s · tree size %d → %d, consistent · no new entries\n\n", rekorURL, rep.PreviousSize, rep.TreeSize)
	default:
		fmt.Fprintf(&b, "**Log:** %s · tree size %d → %d, consistent · log indexes %d to %d read, %d left for the next run, %d outside the time window\n\n",
			rekorURL, rep.PreviousSize, rep.TreeSize, rep.From, rep.To-1, rep.Remaining, rep.Skipped)
	}
	if len(rep.Matches) > 0 {
		b.WriteString("| Log index | Integrated | Identity | Ref | Expected |\n|---|---|---|---|---|\n")
		for _, mt := range rep.Matches {
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", mt.LogIndex, mt.IntegratedTime.Format(time.RFC3339), mt.Identity, mt.Ref,
				map[bool]string{true: "✅", false: "❌"}[mt.Expected])
		}
	}
	res.Details = b.String()
	return res, nil
}

func compile(patterns []string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, 0, len(patterns))
	for _, p := range patterns {
		out = append(out, regexp.MustCompile(p)) // validated by checkRegexps
	}
	return out
}

func checkRegexps(v any) error {
	for _, p := range v.([]string) {
		if _, err := regexp.Compile(p); err != nil {
			return fmt.Errorf("%q is not a regular expression: %v", p, err)
		}
	}
	return nil
}

func checkURL(v any) error {
	u, err := url.Parse(v.(string))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("want an http(s) URL")
	}
	return nil
}

func positive(v any) error {
	if v.(int) < 1 {
		return errors.New("want a number of at least 1")
	}
	return nil
}

// maxKeyBytes bounds the log key read: a PEM public key is a few hundred
// bytes.
const maxKeyBytes = 64 << 10

func loadLogKey(b []byte) (signature.Verifier, error) {
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("not a PEM public key: %v", err)
	}
	return signature.LoadVerifier(pub, crypto.SHA256)
}

// read records a file an input named, with the digest of the bytes read.
func read(in *gate.Inputs, input string, b []byte) evidence.Artifact {
	return evidence.Artifact{Path: in.Env.Rel(in.Path(input)), Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))}
}
