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
go test -count=1 -timeout 30m ./...
