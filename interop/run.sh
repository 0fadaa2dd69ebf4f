#!/usr/bin/env bash
# Runs the interop module's suites: conformance (both roles), peers and the
# browser. Each suite that needs outside software has a setup.sh that
# installs it (apt-get, npm); this script runs them first. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"
for setup in */setup.sh; do
  [ -f "$setup" ] || continue
  echo "== interop: $setup"
  bash "$setup"
done
go mod download
go vet ./...
# One package at a time: the conformance suite grades close handshakes with
# Autobahn's 1-second timeouts, and on a 2-core machine Chromium running the
# browser suite beside it once pushed a reply past that (9.2.3, UNCLEAN).
go test -count=1 -p 1 -timeout 30m ./...
