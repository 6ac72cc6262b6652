#!/usr/bin/env bash
# kyverno-proof's local example, shown in its README. Run it from the root
# of a hub clone; actions/examples_test.go runs it on every test run.

# Kyverno's engine is a second program with its own module (the gate's
# image ships it); build it once, as the image does.
mkdir -p .demo/k8s
(cd actions/kyverno-proof/engine && CGO_ENABLED=0 go build -trimpath -o ../../../.demo/kyverno-proof-engine .)
# The shipped policies: every probe denied, the signed reference admitted.
cp actions/kyverno-proof/examples/*.yaml .demo/k8s/
go run ./actions/kyverno-proof --policies=.demo/k8s --image=ghcr.io/hubgates/app --engine=.demo/kyverno-proof-engine  # exit 0
# Without the pod-security policy, a privileged pod and a hostPath mount
# are admitted: denied, naming each probe.
rm .demo/k8s/pod-security.yaml
go run ./actions/kyverno-proof --policies=.demo/k8s --image=ghcr.io/hubgates/app --engine=.demo/kyverno-proof-engine  # exit 1
rm -rf .demo kyverno-proof.sarif
