#!/usr/bin/env bash
# Builds the release preset and runs the queue and processing benchmarks on SQLite (a temporary file) and on a
# throwaway PostgreSQL cluster, and beside them the reference: the same no-op jobs through BullMQ on a throwaway
# Redis (redis-server from Debian, bullmq from npm, installed when missing).
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
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "run-queue-benchmark.sh: as root run: apt-get install ${missing[*]}" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
bullmq=$build/bullmq-benchmark
mkdir -p "$bullmq"
cp benchmarks/bullmq/package.json benchmarks/bullmq/bullmq-benchmark.mjs "$bullmq/"
npm install --prefix "$bullmq" --no-audit --no-fund --loglevel=error >/dev/null
work=$(mktemp -d /tmp/killmail-queue-bench.XXXXXX)
redis_port=$(shuf -i 46379-47378 -n 1)
trap 'redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
      tests/postgres-cluster.sh stop "$work/cluster"; rm -rf "$work"' EXIT
tests/postgres-cluster.sh start "$work/cluster"
admin=$(cat "$work/cluster/url")
psql -q "$admin" -c "CREATE DATABASE queue_benchmark" -c "CREATE DATABASE processing_benchmark"
server=${admin%/*}
bin=$build/benchmarks
"$bin/queue-benchmark" --sqlite "$work/queue.db" "$@"
"$bin/queue-benchmark" --postgres "$server/queue_benchmark" "$@"
# Redis in memory (no snapshots, no append-only file): unlike ours, BullMQ's jobs are not durable per commit.
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --logfile "$work/redis.log" --dir "$work"
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done
node "$bullmq/bullmq-benchmark.mjs" --port "$redis_port" "$@"
"$bin/processing-benchmark" --sqlite "$work/processing.db"
"$bin/processing-benchmark" --postgres "$server/processing_benchmark"
