package sarif_test

import (
	"fmt"
	"log"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/sarif"
)

func Example() {
	rules := []finding.Rule{{
		ID:       "unpinned-uses",
		Severity: finding.High,
		Summary:  "Action is not pinned to a commit SHA",
		HelpURI:  "https://example.com/rules/unpinned-uses",
	}}
	findings := []finding.Finding{{
		Rule:        "unpinned-uses",
		Severity:    finding.High,
		Message:     "actions/checkout@v4 is not pinned",
		Path:        ".github/workflows/ci.yml",
		Line:        12,
		Col:         9,
		Fingerprint: "0123abcd",
	}}
	report, err := sarif.Build(sarif.Tool{Name: "hub", Version: "v1.0.0"}, rules, findings,
		sarif.WithCategory("hub/pin"))
	if err != nil {
		log.Fatal(err)
	}
	out, err := sarif.Marshal(report)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(out))
	// Output:
	// {
	//   "version": "2.1.0",
	//   "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json",
	//   "runs": [
	//     {
	//       "tool": {
	//         "driver": {
	//           "name": "hub",
	//           "rules": [
	//             {
	//               "id": "unpinned-uses",
	//               "name": "unpinned-uses",
	//               "shortDescription": {
	//                 "text": "Action is not pinned to a commit SHA"
	//               },
	//               "fullDescription": {
	//                 "text": "Action is not pinned to a commit SHA"
	//               },
	//               "defaultConfiguration": {
	//                 "level": "error"
	//               },
	//               "helpUri": "https://example.com/rules/unpinned-uses",
	//               "help": {
	//                 "text": "Action is not pinned to a commit SHA\n\nSee https://example.com/rules/unpinned-uses",
	//                 "markdown": "Action is not pinned to a commit SHA\n\n[More information](https://example.com/rules/unpinned-uses)"
	//               },
	//               "properties": {
	//                 "precision": "high",
	//                 "problem.severity": "error",
	//                 "security-severity": "8.0",
	//                 "tags": [
	//                   "security",
	//                   "supply-chain"
	//                 ]
	//               }
	//             }
	//           ],
	//           "semanticVersion": "1.0.0",
	//           "version": "v1.0.0"
	//         }
	//       },
	//       "results": [
	//         {
	//           "ruleId": "unpinned-uses",
	//           "ruleIndex": 0,
	//           "level": "error",
	//           "message": {
	//             "text": "actions/checkout@v4 is not pinned"
	//           },
	//           "locations": [
	//             {
	//               "physicalLocation": {
	//                 "artifactLocation": {
	//                   "uri": ".github/workflows/ci.yml",
	//                   "uriBaseId": "%SRCROOT%"
	//                 },
	//                 "region": {
	//                   "startLine": 12,
	//                   "startColumn": 9
	//                 }
	//               }
	//             }
	//           ],
	//           "partialFingerprints": {
	//             "hubFingerprint/v1": "0123abcd"
	//           }
	//         }
	//       ],
	//       "automationDetails": {
	//         "id": "hub/pin/"
	//       }
	//     }
	//   ]
	// }
}
