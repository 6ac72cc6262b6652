package main

import (
	"fmt"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/hubgates/hub/shared/atomicfile"
	"github.com/hubgates/hub/shared/image"
)

// sbomFlagUsage documents --sbom.
const sbomFlagUsage = "write an SPDX and a CycloneDX SBOM of each gate binary from its Go build information, attach them to each platform image as OCI referrers (in --oci-layout and --push), and keep them as <dist>/<gate>.<os>-<arch>.{spdx,cdx}.json with --dist"

// gateSBOMs writes the SBOMs of a gate's binaries (bins, by platform) and
// returns them as referrers of idx's platform images. With --dist they are
// also kept beside the binaries, named so that "sbom-gate --operation=
// parity" tells the platforms apart by file name.
func gateSBOMs(cfg config, gate string, idx v1.ImageIndex, bins map[string]string) ([]image.Referrer, error) {
	sboms := map[string]image.SBOMs{}
	for p, bin := range bins {
		s, err := image.BinarySBOMs(bin, image.SBOMOptions{Gate: gate, Version: cfg.version, Platform: p, Created: cfg.created})
		if err != nil {
			return nil, fmt.Errorf("gate %s: %w", gate, err)
		}
		sboms[p] = s
		if cfg.dist == "" {
			continue
		}
		base := filepath.Join(cfg.dist, gate+"."+strings.ReplaceAll(p, "/", "-"))
		for ext, data := range map[string][]byte{".spdx.json": s.SPDX, ".cdx.json": s.CycloneDX} {
			if err := atomicfile.WriteFile(base+ext, data, 0o644); err != nil {
				return nil, fmt.Errorf("gate %s: %w", gate, err)
			}
		}
	}
	refs, err := image.SBOMReferrers(idx, gate, sboms)
	if err != nil {
		return nil, fmt.Errorf("gate %s: %w", gate, err)
	}
	return refs, nil
}
