package sbomgate

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

// judged is a scored vulnerability and the signed statement deciding it.
type judged struct {
	Risk
	Decision *Statement
}

// Blocking reports whether the vulnerability denies: at or above the
// threshold, and no signed statement covers it.
func (j judged) Blocking(threshold float64) bool {
	return j.Score >= threshold && (j.Decision == nil || !j.Decision.Covers())
}

// readReports reads the vulnerabilities input, naming the input and file
// for a report it cannot read.
func readReports(in *gate.Inputs) ([]Vulnerability, []file, error) {
	files, err := readListInput(in, inputVulnerabilities, maxReportBytes)
	if err != nil {
		return nil, nil, err
	}
	var all []Vulnerability
	for _, f := range files {
		vs, _, err := ParseReport(f.name, f.data)
		if err != nil {
			return nil, nil, badFile(inputVulnerabilities, f.name, err)
		}
		all = append(all, vs...)
	}
	return all, files, nil
}

func runRisk(ctx context.Context, in *gate.Inputs) (*opResult, error) {
	if in.Path(inputSBOM) == "" {
		return nil, gate.BadInputf(inputSBOM, "", "risk needs the SBOM of the product under review")
	}
	sf, err := readPathInput(in, inputSBOM, maxSBOMBytes)
	if err != nil {
		return nil, err
	}
	sb, err := readSBOMFile(inputSBOM, sf)
	if err != nil {
		return nil, err
	}
	vulns, reports, err := readReports(in)
	if err != nil {
		return nil, err
	}
	if len(reports) == 0 && sb.Vulnerabilities == nil {
		return nil, gate.BadInputf(inputVulnerabilities, in.Raw(inputVulnerabilities), "risk needs vulnerability reports (or an SBOM with a vulnerabilities section)")
	}
	vulns = Merge(append(vulns, sb.Vulnerabilities...))
	op := &opResult{outputs: map[string]string{}, counters: map[string]int64{}}
	op.read = append(op.read, sf.artifact())
	for _, f := range reports {
		op.read = append(op.read, f.artifact())
	}
	if len(vulns) == 0 {
		// Nothing to score: the feeds and the VEX are not needed.
		op.outputs[outputVulns], op.outputs[outputBlocking], op.outputs[outputCovered], op.outputs[outputMaxRisk] = "0", "0", "0", "0.0"
		op.reason = "The reports list no vulnerability."
		return op, nil
	}
	a, err := newAssessment(ctx, in, sf, sb)
	if err != nil {
		return nil, err
	}
	op.read = append(op.read, a.read...)
	op.findings = append(op.findings, a.findings...)
	var all []judged
	blocking, covered, maxRisk := 0, 0, 0.0
	for _, v := range vulns {
		r, d := a.judge(v)
		j := judged{Risk: r, Decision: d}
		all = append(all, j)
		maxRisk = max(maxRisk, r.Score)
		switch {
		case j.Blocking(a.params.Threshold):
			blocking++
			op.findings = append(op.findings, vulnFinding(RuleRiskBlocking, j, a.params.Threshold, firstReport(v.Report)))
		case r.Score >= a.params.Threshold:
			covered++
		}
	}
	op.outputs[outputVulns] = strconv.Itoa(len(vulns))
	op.outputs[outputBlocking] = strconv.Itoa(blocking)
	op.outputs[outputCovered] = strconv.Itoa(covered)
	op.outputs[outputMaxRisk] = strconv.FormatFloat(maxRisk, 'f', 1, 64)
	op.outputs[outputKEVDate] = a.kev.Date()
	op.outputs[outputEPSSDate] = a.epss.Date
	op.counters["vulnerabilities"] = int64(len(vulns))
	op.counters["blocking"] = int64(blocking)
	op.counters["covered"] = int64(covered)
	op.counters["components"] = int64(len(sb.Components))
	switch {
	case blocking > 0:
		op.reason = fmt.Sprintf("%d of %d vulnerabilities score at or above %g with no signed VEX covering them (%d covered).", blocking, len(vulns), a.params.Threshold, covered)
	case covered > 0:
		op.reason = fmt.Sprintf("%d vulnerabilities; the %d at or above %g are covered by signed VEX.", len(vulns), covered, a.params.Threshold)
	default:
		op.reason = fmt.Sprintf("%d vulnerabilities, none at or above %g.", len(vulns), a.params.Threshold)
	}
	op.details = riskDetails(a, all)
	return op, nil
}

// vulnFinding reports a vulnerability that denies, with its score broken
// down and what the signed VEX said.
func vulnFinding(rule string, j judged, threshold float64, path string) finding.Finding {
	vex := "no signed VEX statement covers it"
	if j.Decision != nil {
		vex = fmt.Sprintf("the deciding signed VEX statement (%s) says %s", j.Decision.Document, j.Decision.Status)
		if j.Decision.Status == StatusNotAffected && j.Decision.Justification == "" {
			vex += " without a justification"
		}
	}
	msg := fmt.Sprintf("%s in %s: risk %.1f >= %g (%s); %s", j.Vuln.Name(), j.Vuln.Package.Display(), j.Score, threshold, j.Breakdown(), vex)
	return finding.Finding{Rule: rule, Severity: finding.High, Message: msg, Path: path,
		Fingerprint: finding.Fingerprint(rule, "", j.Vuln.Name()+"\x00"+j.Vuln.Package.ParityKey())}
}

// firstReport is the first of a merged finding's reports.
func firstReport(reports string) string {
	for i := 0; i+1 < len(reports); i++ {
		if reports[i] == ',' && reports[i+1] == ' ' {
			return reports[:i]
		}
	}
	return reports
}
