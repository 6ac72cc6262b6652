($k[0].vulnerabilities | map({key: .cveID, value: true}) | from_entries) as $kev
| ($e | split("\n") | map(select(startswith("CVE-")) | split(",") | {key: .[0], value: [(.[1] | tonumber), (.[2] | tonumber)]}) | from_entries) as $epss
| [$g[0].matches[]
   | .vulnerability.id as $id
   | ([.vulnerability.cvss[] | select(.type == "Primary") | .metrics.baseScore][0] // 0)
     + (if $kev[$id] then 3 else 0 end)
     + (if ($epss[$id] // [0, 0]) | (.[0] >= 0.1 or .[1] >= 0.95) then 1.5 else 0 end)
   | ([., 10] | min) | (. * 10 + 0.5 | floor) / 10
   | select(. >= 7)] | length
