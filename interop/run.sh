#!/usr/bin/env bash
# Runs the interop module's suites: conformance (both roles), and the
# peers and browser tests as they are added. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"
go mod download
go vet ./...
go test -count=1 ./...
