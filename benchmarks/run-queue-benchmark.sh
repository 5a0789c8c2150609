#!/usr/bin/env bash
# Builds the release preset and runs the queue and processing benchmarks on SQLite (a temporary file) and on a
# throwaway PostgreSQL cluster.
#   benchmarks/run-queue-benchmark.sh [queue-benchmark options: --jobs N --batch-size N --settle-ms MS ...]
# KILLMAIL_BENCHMARK_BUILD=DIR builds and runs from that configured build folder instead of the release preset.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
targets=(--target queue-benchmark processing-benchmark)
if [ -n "${KILLMAIL_BENCHMARK_BUILD:-}" ]; then
  build=$KILLMAIL_BENCHMARK_BUILD
  cmake --build "$build" "${targets[@]}" >/dev/null
else
  build=build/release
  # The processing benchmark needs the tests' support library (its fake ESI server).
  cmake --preset release -DKILLMAIL_BUILD_BENCHMARKS=ON -DKILLMAIL_BUILD_TESTS=ON >/dev/null
  cmake --build --preset release "${targets[@]}" >/dev/null
fi
work=$(mktemp -d /tmp/killmail-queue-bench.XXXXXX)
trap 'tests/postgres-cluster.sh stop "$work/cluster"; rm -rf "$work"' EXIT
tests/postgres-cluster.sh start "$work/cluster"
admin=$(cat "$work/cluster/url")
psql -q "$admin" -c "CREATE DATABASE queue_benchmark" -c "CREATE DATABASE processing_benchmark"
server=${admin%/*}
bin=$build/benchmarks
"$bin/queue-benchmark" --sqlite "$work/queue.db" "$@"
"$bin/queue-benchmark" --postgres "$server/queue_benchmark" "$@"
"$bin/processing-benchmark" --sqlite "$work/processing.db"
"$bin/processing-benchmark" --postgres "$server/processing_benchmark"
