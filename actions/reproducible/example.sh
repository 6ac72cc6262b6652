#!/usr/bin/env bash
# reproducible's local example, shown in its README. Run it from the root
# of a hub clone; actions/examples_test.go runs it on every test run.

# Two builds of the same tree, times clamped and entries sorted: identical.
mkdir -p .demo/src && echo 'hello' > .demo/src/hello.txt
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf .demo/first.tar -C .demo/src .
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf .demo/second.tar -C .demo/src .
go run ./actions/reproducible --expected=.demo/first.tar --actual=.demo/second.tar  # exit 0
# A rebuild that keeps the build machine's times: denied, entry by entry.
tar --sort=name --owner=0 --group=0 --numeric-owner -cf .demo/third.tar -C .demo/src .
go run ./actions/reproducible --expected=.demo/first.tar --actual=.demo/third.tar  # exit 1
# The same noise, accepted explicitly until a date: passes, and says so.
go run ./actions/reproducible --expected=.demo/first.tar --actual=.demo/third.tar --noise="entry-mtime ** until $(date -u -d '+30 days' +%F)"  # exit 0
rm -rf .demo reproducible.sarif
