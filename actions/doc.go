// Package actions is the catalogue of hub's gates: each gate lives in
// actions/<gate>/ (main.go, action.yml, README.md and its package), and is
// listed here so the test suite, the generator and the image builder find
// every gate from one place.
package actions
