package sbomgate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// EPSS is FIRST's Exploit Prediction Scoring System scores for one day.
type EPSS struct {
	// Model and Date come from the file's "#model_version:...,score_date:..."
	// line.
	Model string
	Date  string
	// Scores maps a CVE to its probability and percentile.
	Scores map[string]EPSSScore
}

// EPSSScore is one CVE's EPSS probability of exploitation in the next 30
// days and its percentile among all scored CVEs, both from 0 to 1.
type EPSSScore struct {
	Probability float64
	Percentile  float64
}

// ErrNotEPSS is wrapped when a file is not an EPSS scores CSV.
var ErrNotEPSS = errors.New("not an EPSS scores CSV")

// maxEPSSBytes bounds the decompressed CSV (the full file is about 12 MB).
const maxEPSSBytes = 256 << 20

// ParseEPSS reads FIRST's epss_scores CSV, gzipped or not: an optional
// "#model_version:...,score_date:..." line, the header "cve,epss,percentile",
// then one row per CVE.
func ParseEPSS(data []byte) (*EPSS, error) {
	var r io.Reader = bytes.NewReader(data)
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("%w: bad gzip: %v", ErrNotEPSS, err)
		}
		defer gz.Close()
		r = io.LimitReader(gz, maxEPSSBytes+1)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	e := &EPSS{Scores: map[string]EPSSScore{}}
	line, header := 0, false
	read := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		read += len(sc.Bytes()) + 1
		if read > maxEPSSBytes {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrNotEPSS, maxEPSSBytes)
		}
		switch {
		case text == "":
			continue
		case strings.HasPrefix(text, "#"):
			for _, kv := range strings.Split(strings.TrimPrefix(text, "#"), ",") {
				k, v, _ := strings.Cut(kv, ":")
				switch strings.TrimSpace(k) {
				case "model_version":
					e.Model = strings.TrimSpace(v)
				case "score_date":
					e.Date = strings.TrimSpace(v)
				}
			}
			continue
		case !header:
			if strings.ReplaceAll(strings.ToLower(text), " ", "") != "cve,epss,percentile" {
				return nil, fmt.Errorf("%w: line %d: header %q, want \"cve,epss,percentile\"", ErrNotEPSS, line, excerpt(text))
			}
			header = true
			continue
		}
		f := strings.Split(text, ",")
		if len(f) != 3 {
			return nil, fmt.Errorf("%w: line %d: want 3 fields, got %d", ErrNotEPSS, line, len(f))
		}
		p, err1 := strconv.ParseFloat(f[1], 64)
		q, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil || p < 0 || p > 1 || q < 0 || q > 1 || !strings.HasPrefix(strings.ToUpper(f[0]), "CVE-") {
			return nil, fmt.Errorf("%w: line %d: %q is not a CVE with two numbers from 0 to 1", ErrNotEPSS, line, excerpt(text))
		}
		e.Scores[strings.ToUpper(f[0])] = EPSSScore{Probability: p, Percentile: q}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotEPSS, err)
	}
	if !header {
		return nil, fmt.Errorf("%w: no \"cve,epss,percentile\" header", ErrNotEPSS)
	}
	if len(e.Date) >= 10 {
		e.Date = e.Date[:10]
	}
	return e, nil
}
