package sbomgate

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

func runDiff(ctx context.Context, in *gate.Inputs) (*opResult, error) {
	var sboms [2]*SBOM
	var files [2]file
	for i, name := range []string{inputBase, inputHead} {
		if in.Path(name) == "" {
			return nil, gate.BadInputf(name, "", "diff needs the base and the head SBOM")
		}
		f, err := readPathInput(in, name, maxSBOMBytes)
		if err != nil {
			return nil, err
		}
		if sboms[i], err = readSBOMFile(name, f); err != nil {
			return nil, err
		}
		files[i] = f
	}
	base, head := sboms[0], sboms[1]
	d := Diff(base, head)
	op := &opResult{outputs: map[string]string{}, counters: map[string]int64{}}
	op.read = append(op.read, files[0].artifact(), files[1].artifact())
	deny := map[string]bool{}
	for _, v := range in.List(inputDeny) {
		deny[denyValues[v]] = true
	}
	sev := func(rule string) finding.Severity {
		if deny[rule] {
			return finding.High
		}
		return finding.Low
	}
	headName := head.Name
	for _, c := range d.Downgraded {
		op.findings = append(op.findings, finding.Finding{Rule: RuleDiffDowngrade, Severity: sev(RuleDiffDowngrade), Path: headName,
			Message:     fmt.Sprintf("%s is downgraded from %s to %s", c.Head.PackageKey(), c.Base.Version, c.Head.Version),
			Fingerprint: c.Head.PackageKey()})
	}
	if allowed := in.List(inputLicenses); len(allowed) > 0 {
		set := allowedSet(allowed)
		check := func(c Component, what string) {
			var bad []string
			for _, l := range c.Licenses {
				if !LicenseAllowed(l, set) {
					bad = append(bad, l)
				}
			}
			if len(bad) > 0 {
				op.findings = append(op.findings, finding.Finding{Rule: RuleDiffLicense, Severity: sev(RuleDiffLicense), Path: headName,
					Message:     fmt.Sprintf("%s %s under %s, not in allowed-licenses", c.Display(), what, excerpt(strings.Join(bad, ", "))),
					Fingerprint: c.PackageKey()})
			}
		}
		for _, c := range d.Added {
			check(c, "is added")
		}
		for _, c := range d.Relicensed {
			check(c.Head, "changes licence")
		}
	}
	vulnerable := 0
	if len(in.List(inputVulnerabilities)) > 0 {
		n, err := diffVulnerabilities(ctx, in, files[1], head, d, op, sev(RuleDiffVulnerable))
		if err != nil {
			return nil, err
		}
		vulnerable = n
	}
	op.outputs[outputAdded] = strconv.Itoa(len(d.Added))
	op.outputs[outputRemoved] = strconv.Itoa(len(d.Removed))
	op.outputs[outputUpgraded] = strconv.Itoa(len(d.Upgraded))
	op.outputs[outputDowngraded] = strconv.Itoa(len(d.Downgraded))
	op.outputs[outputLicenseChange] = strconv.Itoa(len(d.Relicensed))
	op.outputs[outputComponents] = strconv.Itoa(len(head.Components))
	bot, isBot := DetectBot(in.Env.EventPath)
	if isBot {
		op.outputs[outputUpdate] = bot.String()
	}
	op.counters["added"], op.counters["removed"] = int64(len(d.Added)), int64(len(d.Removed))
	op.counters["upgraded"], op.counters["downgraded"] = int64(len(d.Upgraded)), int64(len(d.Downgraded))
	op.counters["components"] = int64(len(head.Components))
	op.reason = fmt.Sprintf("%d added, %d removed, %d upgraded, %d downgraded, %d licence changes (%d components in head).",
		len(d.Added), len(d.Removed), len(d.Upgraded), len(d.Downgraded), len(d.Relicensed), len(head.Components))
	if vulnerable > 0 {
		op.reason += fmt.Sprintf(" %d new vulnerabilit%s at or above the risk threshold.", vulnerable, map[bool]string{true: "y", false: "ies"}[vulnerable == 1])
	}
	if isBot {
		op.reason = "Update by " + bot.Bot + ": " + op.reason
	}
	op.details = diffDetails(base, head, d, bot, isBot)
	return op, nil
}

// diffVulnerabilities scores the head's findings on the components the
// change adds or upgrades, and reports those at or above the threshold
// that no signed VEX covers. It returns how many it reported.
func diffVulnerabilities(ctx context.Context, in *gate.Inputs, headFile file, head *SBOM, d *DiffResult, op *opResult, sev finding.Severity) (int, error) {
	vulns, reports, err := readReports(in)
	if err != nil {
		return 0, err
	}
	for _, f := range reports {
		op.read = append(op.read, f.artifact())
	}
	changed := map[string]bool{}
	for _, c := range d.Added {
		changed[c.ParityKey()] = true
	}
	for _, c := range d.Upgraded {
		changed[c.Head.ParityKey()] = true
	}
	var relevant []Vulnerability
	for _, v := range Merge(vulns) {
		if changed[v.Package.ParityKey()] {
			relevant = append(relevant, v)
		}
	}
	if len(relevant) == 0 {
		return 0, nil
	}
	a, err := newAssessment(ctx, in, headFile, head)
	if err != nil {
		return 0, err
	}
	op.read = append(op.read, a.read...)
	op.findings = append(op.findings, a.findings...)
	op.outputs[outputKEVDate], op.outputs[outputEPSSDate] = a.kev.Date(), a.epss.Date
	n := 0
	for _, v := range relevant {
		r, dec := a.judge(v)
		j := judged{Risk: r, Decision: dec}
		if j.Blocking(a.params.Threshold) {
			f := vulnFinding(RuleDiffVulnerable, j, a.params.Threshold, firstReport(v.Report))
			f.Severity = sev
			op.findings = append(op.findings, f)
			n++
		}
	}
	return n, nil
}
