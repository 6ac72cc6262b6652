#!/usr/bin/env bash
# runner-budget's local example, shown in its README. It reads the job
# records of a real repository, so it needs a token and the network.
# needs: network

go run ./actions/runner-budget --group=ci --minutes=20 --repository=hubgates/hub --github-token="$GITHUB_TOKEN"  # exit 0
