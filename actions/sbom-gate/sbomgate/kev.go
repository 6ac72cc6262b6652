package sbomgate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// KEV is CISA's Known Exploited Vulnerabilities catalogue, reduced to what
// the risk score reads.
type KEV struct {
	// Version is the catalogue's catalogVersion ("2025.08.25"), Released
	// its dateReleased.
	Version  string
	Released string
	// Added maps each CVE in the catalogue to the day it was added.
	Added map[string]string
}

// ErrNotKEV is wrapped when a file is not the KEV catalogue.
var ErrNotKEV = errors.New("not the CISA KEV catalogue")

// ParseKEV reads known_exploited_vulnerabilities.json. It refuses anything
// without the catalogue's shape: a catalogVersion and vulnerabilities that
// each name a CVE.
func ParseKEV(data []byte) (*KEV, error) {
	var doc struct {
		CatalogVersion  string `json:"catalogVersion"`
		DateReleased    string `json:"dateReleased"`
		Vulnerabilities []struct {
			CVE       string `json:"cveID"`
			DateAdded string `json:"dateAdded"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotKEV, jsonProblem(err))
	}
	if doc.CatalogVersion == "" || doc.Vulnerabilities == nil {
		return nil, fmt.Errorf("%w: no catalogVersion or no vulnerabilities list", ErrNotKEV)
	}
	k := &KEV{Version: doc.CatalogVersion, Released: doc.DateReleased, Added: make(map[string]string, len(doc.Vulnerabilities))}
	for i, v := range doc.Vulnerabilities {
		id := strings.ToUpper(strings.TrimSpace(v.CVE))
		if !strings.HasPrefix(id, "CVE-") {
			return nil, fmt.Errorf("%w: entry %d has cveID %q", ErrNotKEV, i+1, excerpt(v.CVE))
		}
		k.Added[id] = v.DateAdded
	}
	return k, nil
}

// Date is the day of the data: the release date, else the version.
func (k *KEV) Date() string {
	if len(k.Released) >= 10 {
		return k.Released[:10]
	}
	return k.Version
}
