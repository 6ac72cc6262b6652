package budget

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// maxChartBars bounds the bars of one chart; the rest are summed into
// "others" so the summary stays readable.
const maxChartBars = 20

// mermaidBars renders a Mermaid xychart (GitHub renders Mermaid in step
// summaries) of one value per name, largest first. Names are quoted with
// their double quotes and control characters dropped: a workflow name is
// the repository's text.
func mermaidBars(title, unit string, values map[string]float64) string {
	type bar struct {
		name string
		v    float64
	}
	var bars []bar
	for n, v := range values {
		bars = append(bars, bar{n, v})
	}
	sort.Slice(bars, func(i, j int) bool {
		if bars[i].v != bars[j].v {
			return bars[i].v > bars[j].v
		}
		return bars[i].name < bars[j].name
	})
	if len(bars) > maxChartBars {
		rest := 0.0
		for _, b := range bars[maxChartBars-1:] {
			rest += b.v
		}
		bars = append(bars[:maxChartBars-1], bar{"others", rest})
	}
	var names, vals []string
	for _, b := range bars {
		names = append(names, strconv.Quote(chartText(b.name)))
		vals = append(vals, strconv.FormatFloat(math.Round(b.v*1e6)/1e6, 'f', -1, 64))
	}
	var s strings.Builder
	fmt.Fprintf(&s, "```mermaid\nxychart-beta\n  title %q\n  x-axis [%s]\n  y-axis %q\n  bar [%s]\n```\n",
		title, strings.Join(names, ", "), unit, strings.Join(vals, ", "))
	return s.String()
}

// chartText keeps a label printable and free of the characters that end
// a Mermaid string or a code fence.
func chartText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r == 0x7f, r == '"', r == '`', r == '\\':
			return -1
		}
		return r
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}
