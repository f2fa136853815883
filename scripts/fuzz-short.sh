#!/usr/bin/env bash
# A short fuzz run of every fuzz target: each for FUZZTIME (default 10s),
# one target at a time, since `go test -fuzz` takes one target of one
# package per run. A failure stops the script; the failing input is left
# in the package's testdata/fuzz/<Target>/ to reproduce with
# `go test -run=<Target>/<file>` (commit it to keep it as a seed).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-10s}"
start=$SECONDS
for pkg in ./internal/notes ./internal/export ./internal/workflow ./internal/web ./internal/training; do
  # The package's fuzz targets, read from its test files.
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$pkg"/*_test.go | sed 's/^func //' | sort); do
    echo "fuzz: $pkg $target for $fuzztime"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime"
  done
done
echo "fuzz: all targets done in $((SECONDS - start))s"
