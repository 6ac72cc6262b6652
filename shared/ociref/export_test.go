package ociref

// SetCosignLimits lowers the bounds on a cosign tag image for a test and
// returns what puts them back.
func SetCosignLimits(layers int, total int64) (restore func()) {
	l, t := maxCosignLayers, maxCosignTotal
	maxCosignLayers, maxCosignTotal = layers, total
	return func() { maxCosignLayers, maxCosignTotal = l, t }
}
