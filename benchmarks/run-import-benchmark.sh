#!/usr/bin/env bash
# Builds the release preset and runs the import benchmark into SQLite and a throwaway PostgreSQL cluster.
#   benchmarks/run-import-benchmark.sh [--count N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cmake --preset release >/dev/null
cmake --build --preset release --target import-benchmark >/dev/null
cluster=$(mktemp -d /tmp/killmail-bench.XXXXXX)
trap 'tests/postgres-cluster.sh stop "$cluster"' EXIT
tests/postgres-cluster.sh start "$cluster"
admin=$(cat "$cluster/url")
psql -q "$admin" -c "CREATE DATABASE import_benchmark"
build/release/benchmarks/import-benchmark --postgres "${admin%/*}/import_benchmark" "$@"
