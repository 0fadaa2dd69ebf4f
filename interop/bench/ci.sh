#!/usr/bin/env bash
# Smoke run of the benchmark harness for CI, well under 2 minutes: vets and
# tests the harness (every contestant reads and writes the right bytes),
# then runs every workload once briefly with `go run ./cmd/report -short`
# (the fan-out to 200 connections among them, a few seconds), which writes
# results/short/ and leaves docs/benchmarks.md alone, and the
# permessage-deflate workloads with `go run ./cmd/deflate -short` (about
# 15 s). The full runs are `go run ./cmd/report` (about 10 minutes) and
# `go run ./cmd/deflate` (about 5 minutes).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="/usr/local/go/bin:$(go env GOPATH)/bin:$PATH"
go mod download
go vet ./...
go test -count=1 ./...
go run ./cmd/report -short
go run ./cmd/deflate -short > /dev/null
