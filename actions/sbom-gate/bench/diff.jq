def idx: [.components[] | {key: (.purl | sub("@.*$"; "")), value: [.version, ([.licenses[]?.license.id] | join(","))]}] | from_entries;
($b[0] | idx) as $B | ($h[0] | idx) as $H
| {added: ([$H | keys[] | select($B[.] == null)] | length),
   removed: ([$B | keys[] | select($H[.] == null)] | length),
   changed: ([$H | to_entries[] | select($B[.key] != null and $B[.key][0] != .value[0])] | length),
   relicensed: ([$H | to_entries[] | select($B[.key] != null and $B[.key][1] != .value[1])] | length)}
