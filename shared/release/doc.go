// Package release holds what a hub release is made of and checks that a
// commit's image pins are the images its sources build.
//
// A release's inputs are committed in release.json at the repository root:
// the version stamped into every gate binary and the creation time recorded
// in every image. Nothing else about the commit enters an image: no commit
// id, no commit time. So the commit that writes the pins (the image digests
// in actions/<gate>/action.yml, the root action.yml and the workflows)
// rebuilds to the digests it pins, and anyone can check a release from a
// fresh clone of its tag.
//
// [Read] and [Write] handle release.json, [Build] rebuilds every gate the way
// a release does, [FindPins] lists every docker:// image pin of a hub gate
// in the files that carry them, [Rewrite] points them at new digests and
// [Check] compares them with a rebuild.
package release
