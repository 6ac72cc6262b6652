package budget

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/telemetry"
)

// CacheUse sums what cache-sentinel's telemetry events counted when
// verifying restored caches.
type CacheUse struct {
	Events int   `json:"events"`
	Hits   int64 `json:"hits"`
	Misses int64 `json:"misses"`
	Bytes  int64 `json:"bytes"`
}

// ReadCacheUse reads the NDJSON telemetry files the patterns name (inside
// root) and sums the hits, misses and bytes of every cache-sentinel
// event. Lines of other gates are skipped; a line that is not an event is
// an error naming its file and line.
func ReadCacheUse(root *fsroot.Root, input string, patterns []string) (CacheUse, error) {
	var u CacheUse
	if len(patterns) == 0 {
		return u, nil
	}
	files, err := signer.Resolve(root, patterns)
	if err != nil {
		return u, signer.ArtifactsInputError(input, err)
	}
	for _, f := range files {
		fh, _, err := root.OpenRegular(f.Rel)
		if err != nil {
			return u, gate.FileInputError(input, f.Rel, err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		line := 0
		for sc.Scan() {
			line++
			var ev telemetry.Event
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				fh.Close()
				return u, gate.BadInputf(input, f.Rel, "line %d is not a telemetry event: %v", line, err)
			}
			if ev.Gate != "cache-sentinel" || ev.Counters == nil {
				continue
			}
			if _, ok := ev.Counters["hits"]; !ok {
				continue // a seal, not a verify
			}
			u.Events++
			u.Hits += ev.Counters["hits"]
			u.Misses += ev.Counters["misses"]
			u.Bytes += ev.Counters["bytes"]
		}
		err = sc.Err()
		fh.Close()
		if err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return u, gate.BadInputf(input, f.Rel, "line %d is longer than 1 MiB", line+1)
			}
			return u, fmt.Errorf("reading %s: %w", f.Rel, err)
		}
	}
	return u, nil
}
