package version

// Version is the hub release (or commit) this binary was built from.
var Version = "dev"
