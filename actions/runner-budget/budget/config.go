package budget

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// ErrConfig is wrapped by every problem of the groups configuration.
var ErrConfig = errors.New("bad runner-budget configuration")

// ParseGroups reads the "groups" key of the runner-budget section of
// hub's configuration file (file names it in messages):
//
//	runner-budget:
//	  groups:
//	    ci:
//	      label: ubuntu-24.04   # match: label, workflow, repository (all optional)
//	      capacity: 600         # runner minutes the bucket holds
//	      refill-per-hour: 120  # runner minutes added an hour
//	      queue-p50: 2m         # queue-time targets (optional)
//	      queue-p95: 10m
//
// Every problem is reported at once, each at its file:line.
func ParseGroups(file string, n *yaml.Node) (map[string]Group, error) {
	groups := map[string]Group{}
	if n == nil {
		return groups, nil
	}
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %w: "+format, append([]any{file, line, ErrConfig}, args...)...))
	}
	if n.Kind != yaml.MappingNode {
		fail(n.Line, "runner-budget.groups: expected a mapping of group names")
		return nil, errors.Join(errs...)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, body := n.Content[i].Value, n.Content[i+1]
		where := "runner-budget.groups." + name
		if body.Kind != yaml.MappingNode {
			fail(body.Line, "%s: expected a mapping", where)
			continue
		}
		g := Group{Name: name}
		seen := map[string]bool{}
		for k := 0; k+1 < len(body.Content); k += 2 {
			key, v := body.Content[k].Value, body.Content[k+1]
			seen[key] = true
			if v.Kind != yaml.ScalarNode {
				fail(v.Line, "%s.%s: expected a value", where, key)
				continue
			}
			num := func() float64 {
				f, err := strconv.ParseFloat(v.Value, 64)
				if err != nil || f < 0 {
					fail(v.Line, "%s.%s: expected minutes (a number, zero or more), got %q", where, key, v.Value)
				}
				return f
			}
			dur := func() time.Duration {
				d, err := time.ParseDuration(v.Value)
				if err != nil || d <= 0 {
					fail(v.Line, "%s.%s: expected a duration such as 5m, got %q", where, key, v.Value)
				}
				return d
			}
			switch key {
			case "label":
				g.Label = v.Value
			case "workflow":
				g.Workflow = v.Value
			case "repository":
				g.Repository = v.Value
			case "capacity":
				g.Capacity = num()
			case "refill-per-hour":
				g.RefillPerHour = num()
			case "queue-p50":
				g.QueueP50 = dur()
			case "queue-p95":
				g.QueueP95 = dur()
			default:
				fail(body.Content[k].Line, "%s: unknown key %q: expected label, workflow, repository, capacity, refill-per-hour, queue-p50, queue-p95", where, key)
			}
		}
		for _, k := range []string{"capacity", "refill-per-hour"} {
			if !seen[k] {
				fail(body.Line, "%s: %s is required", where, k)
			}
		}
		if seen["capacity"] && g.Capacity == 0 {
			fail(body.Line, "%s: capacity must be more than 0", where)
		}
		groups[name] = g
	}
	return groups, errors.Join(errs...)
}

// Names lists the groups' names, sorted, for messages.
func Names(groups map[string]Group) []string {
	out := make([]string, 0, len(groups))
	for n := range groups {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
