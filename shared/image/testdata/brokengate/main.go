// Command brokengate does not compile, on purpose: the tests of package
// image check that BuildBinary reports go's error output and the gate name.
package main

func main() {
	thisFunctionDoesNotExist()
}
