package probe

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

const gateName = "egress-probe"

// The gate's inputs and outputs.
const (
	inputAllow         = "allow"
	inputDeny          = "deny"
	inputDefaultProbes = "default-probes"
	inputTimeout       = "timeout"

	outputReachable = "reachable"
	outputBlocked   = "blocked"
	outputLeaks     = "leaks"
)

// The rules the gate's findings carry.
const (
	// RuleNotBlocked is a destination that must be blocked and was reached.
	RuleNotBlocked = "egress-not-blocked"
	// RuleUnreachable is an allowed destination that could not be reached.
	RuleUnreachable = "allowed-unreachable"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/egress-probe/README.md"

// Rules are the gate's rules, for SARIF.
var Rules = []finding.Rule{
	{ID: RuleNotBlocked, Severity: finding.Critical, Summary: "A destination that a default-deny network must block was reached.",
		Help: "Block egress by default (a firewall on the runner, an egress proxy, or a runner network with an allowlist) and allow only the destinations the job needs.", HelpURI: helpBase + "#rules"},
	{ID: RuleUnreachable, Severity: finding.High, Summary: "A destination on the allowlist could not be reached: the policy is tighter than the job needs, or the destination is down.",
		Help: "Check the allowlist of the network policy against the allow input; the finding names the layer that failed.", HelpURI: helpBase + "#rules"},
}

// Gate is the egress-probe gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "prove the job's network is default-deny with an allowlist",
		Description: "A smoke test of the job's egress policy: every allowed destination must be reachable and every other probe blocked. " +
			"Each destination goes through DNS resolution, TCP connect, TLS handshake and an HTTP request, each with a short timeout; " +
			"a probe blocked at any layer counts as blocked and the layer is recorded. " +
			"By default it also probes what exfiltration uses: a public IP literal, a paste site, the cloud metadata address 169.254.169.254, DNS-over-HTTPS endpoints and an arbitrary TCP port. " +
			"The results go to the evidence record.",
		Inputs: []gate.Input{
			{Name: inputAllow, Kind: gate.List,
				Description: "Destinations the job is meant to reach, which must be reachable: https://host[:port][/path], http://..., tls://host:port, tcp://host:port or host:port (tcp); a bare host is https."},
			{Name: inputDeny, Kind: gate.List,
				Description: "Destinations that must be blocked, in the same forms, probed besides the default probes."},
			{Name: inputDefaultProbes, Kind: gate.Bool, Default: "true",
				Description: "Also probe " + strings.Join(DefaultProbes, ", ") + ", all of which must be blocked."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "3s",
				Description: "How long each layer of a probe may take (DNS, TCP, TLS, HTTP); a layer past it counts as blocked there."},
		},
		Outputs: []gate.Output{
			{Name: outputReachable, Description: "Number of destinations reached, allowed or not."},
			{Name: outputBlocked, Description: "Number of destinations blocked."},
			{Name: outputLeaks, Description: "Number of destinations that must be blocked and were reached."},
		},
		Rules: Rules,
	},
	Run: run,
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	var dests []Destination
	expect := map[int]string{}
	add := func(input string, items []string, want string) error {
		for _, s := range items {
			d, err := ParseDestination(s)
			if err != nil {
				return gate.BadInputf(input, s, "%v", err)
			}
			expect[len(dests)] = want
			dests = append(dests, d)
		}
		return nil
	}
	if err := add(inputAllow, in.List(inputAllow), "reachable"); err != nil {
		return nil, err
	}
	deny := in.List(inputDeny)
	if in.Bool(inputDefaultProbes) {
		deny = append(DefaultProbes[:len(DefaultProbes):len(DefaultProbes)], deny...)
	}
	if err := add(inputDeny, deny, "blocked"); err != nil {
		return nil, err
	}
	if len(dests) == 0 {
		return nil, gate.BadInputf(inputAllow, in.Raw(inputAllow), "nothing to probe: give allow or deny destinations, or leave default-probes true")
	}
	p := &Prober{Timeout: in.Duration(inputTimeout), Resolver: net.DefaultResolver}
	results := make([]Result, len(dests))
	var wg sync.WaitGroup
	for i, d := range dests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = p.Probe(ctx, d)
			results[i].Expect = expect[i]
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("probing: %w", err)
	}
	return result(results), nil
}

// result turns the probes into findings, a verdict and the summary table.
func result(rs []Result) *gate.Result {
	res := &gate.Result{Outputs: map[string]string{}, Counters: map[string]int64{}, Facts: rs}
	reached, blocked, leaks, missing := 0, 0, 0, 0
	var b strings.Builder
	b.WriteString("| Destination | Expected | Result | Layers passed |\n|---|---|---|---|\n")
	for _, r := range rs {
		outcome := "✅ reached"
		if r.Reached {
			reached++
			if r.Status != 0 {
				outcome += " (HTTP " + strconv.Itoa(r.Status) + ")"
			}
		} else {
			blocked++
			outcome = "⛔ blocked at " + r.BlockedAt + ": " + r.Error
		}
		ok := r.Reached == (r.Expect == "reachable")
		mark := "✅"
		if !ok {
			mark = "❌"
		}
		fmt.Fprintf(&b, "| %s %s | %s | %s | %s |\n", mark, gate.MarkdownCode(r.Text), r.Expect, gate.MarkdownText(outcome), strings.Join(r.Layers, ", "))
		if ok {
			continue
		}
		f := finding.Finding{Path: "", Fingerprint: finding.Fingerprint("", "", r.Text)}
		if r.Expect == "blocked" {
			leaks++
			f.Rule, f.Severity = RuleNotBlocked, finding.Critical
			f.Message = fmt.Sprintf("%s must be blocked and was reached (%s)", r.Text, strings.Join(r.Layers, ", "))
		} else {
			missing++
			f.Rule, f.Severity = RuleUnreachable, finding.High
			f.Message = fmt.Sprintf("%s is allowed and was blocked at %s: %s", r.Text, r.BlockedAt, r.Error)
		}
		f.Fingerprint = finding.Fingerprint(f.Rule, "", r.Text)
		res.Findings = append(res.Findings, f)
	}
	res.Outputs[outputReachable] = strconv.Itoa(reached)
	res.Outputs[outputBlocked] = strconv.Itoa(blocked)
	res.Outputs[outputLeaks] = strconv.Itoa(leaks)
	res.Counters["reachable"], res.Counters["blocked"], res.Counters["leaks"] = int64(reached), int64(blocked), int64(leaks)
	switch {
	case leaks > 0 || missing > 0:
		res.Denied = true
		res.Reason = fmt.Sprintf("%d destination%s that must be blocked reached, %d allowed destination%s unreachable, of %d probed.", leaks, plural(leaks), missing, plural(missing), len(rs))
	default:
		res.Reason = fmt.Sprintf("Default-deny holds: %d allowed reached, %d probes blocked.", reached, blocked)
	}
	res.Details = b.String()
	return res
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
