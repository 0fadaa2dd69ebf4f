#!/usr/bin/env bash
# Smoke run of the benchmark harness for CI, well under 2 minutes: vets and
# tests the harness (every contestant reads and writes the right bytes),
# then runs every workload once briefly with `go run ./cmd/report -short`,
# which writes results/short/ and leaves docs/benchmarks.md
# alone. The full run is `go run ./cmd/report` (about 6 minutes).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="/usr/local/go/bin:$(go env GOPATH)/bin:$PATH"
go mod download
go vet ./...
go test -count=1 ./...
go run ./cmd/report -short
