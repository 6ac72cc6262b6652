// Package runnersim does what the GitHub Actions runner does with what a
// step leaves behind, so tests can check a gate against the runner's own
// reading rather than against the gate's intentions:
//
//   - [Commands] finds the workflow commands the runner would act on in a
//     step's log: "::name props::data" at the start of a line after white
//     space, "##[name props]data" anywhere in a line, lines split at LF, CR
//     and CRLF, and "::stop-commands::<token>" pausing every command until
//     "::<token>::".
//   - [ParseOutputFile] reads a GITHUB_OUTPUT (or GITHUB_ENV) file as the
//     runner does: "name=value" lines and "name<<DELIMITER" blocks, an
//     unterminated block being an error that fails the step.
//
// The rules follow the runner's ActionCommand.TryParseV2/TryParse and
// ActionCommandManager.TryProcessCommand, and its file-command reader.
// Every command name is treated as known, which is stricter than the
// runner: a test that finds no unexpected command here finds none there.
package runnersim
