package waiver_test

import (
	"fmt"
	"log"
	"time"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/waiver"
)

func Example() {
	// One policy per run: the run's clock and the longest a waiver may run.
	p, err := waiver.NewPolicy(time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC), waiver.WithMaxDays(90))
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := p.Parse(".github/hub.yml", []byte(`version: 1
workflow-audit:
  rules:
    unpinned-images: {severity: medium}
  waivers:
    - rule: unpinned-uses
      path: .github/workflows/release.yml
      reason: the vendor publishes no SHA
      expires: 2026-03-31
    - rule: unpinned-uses
      path: .github/workflows/old.yml
      reason: kept for one release
      expires: 2026-01-10
`))
	if err != nil {
		log.Fatal(err) // a gate returns gate.BadConfig(err): exit 2
	}
	g := cfg.Gate("workflow-audit")
	ci := []byte("steps:\n  - uses: docker://alpine:3 # hub: ignore[unpinned-images] expires=2026-02-01 reason=test image only\n")
	inline, invalid := p.ParseInline(".github/workflows/ci.yml", ci, waiver.SyntaxYAML)

	fs := g.Adjust([]finding.Finding{
		{Rule: "unpinned-images", Severity: finding.High, Message: "docker://alpine:3 is not pinned", Path: ".github/workflows/ci.yml", Line: 2, Col: 11},
		{Rule: "unpinned-uses", Severity: finding.High, Message: "vendor/x@v1 is not pinned", Path: ".github/workflows/release.yml", Line: 9, Col: 15},
		{Rule: "unpinned-uses", Severity: finding.High, Message: "old/y@v2 is not pinned", Path: ".github/workflows/old.yml", Line: 4, Col: 15},
	})
	fs, meta := p.Apply(fs, append(inline, g.Waivers...), nil)
	fs = append(fs, g.Adjust(append(invalid, meta...))...)
	for _, f := range fs {
		fmt.Printf("%s %s\n", f.Severity, f)
		if s := f.Suppression; s != nil {
			fmt.Printf("  waived (%s, until %s, by %s): %s\n", s.Kind, s.Expires, s.Source, s.Justification)
		}
	}
	fmt.Println("denying at high:", finding.CountAtLeast(fs, finding.High))
	// Output:
	// medium .github/workflows/ci.yml:2:11: docker://alpine:3 is not pinned [unpinned-images]
	//   waived (inSource, until 2026-02-01, by .github/workflows/ci.yml:2): test image only
	// high .github/workflows/release.yml:9:15: vendor/x@v1 is not pinned [unpinned-uses]
	//   waived (external, until 2026-03-31, by .github/hub.yml:6): the vendor publishes no SHA
	// high .github/workflows/old.yml:4:15: old/y@v2 is not pinned [unpinned-uses]
	// medium .github/hub.yml:10:7: waiver (rule "unpinned-uses", path ".github/workflows/old.yml") expired on 2026-01-10 (reason: "kept for one release") and no longer waives anything; the 1 finding it matches is reported again [expired-waiver]
	// denying at high: 1
}
