#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan+UBSan) and runs each over its corpus for a bounded time.
#   scripts/fuzz.sh                      the short run CI makes: FUZZ_SECONDS (default 25) per target
#   scripts/fuzz.sh --long SECONDS       the longer run (README: 300 per target)
#   scripts/fuzz.sh [...] fuzz_killmail  only the targets named
# Each target starts from its committed seeds (fuzz/corpus/<name>, crash reproducers included, so each finding is
# replayed by every run) and keeps what it finds in build/fuzz/corpus/<name>. Exits non-zero when any target crashes,
# leaks, hangs, runs out of memory or trips a sanitizer, naming the reproducer it saved.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${FUZZ_SECONDS:-25}
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
  --long)
    [[ ${2:-} =~ ^[0-9]+$ ]] || {
      echo "usage: scripts/fuzz.sh [--long SECONDS] [target...]" >&2
      exit 2
    }
    seconds=$2
    shift 2
    ;;
  fuzz_*)
    targets+=("$1")
    shift
    ;;
  *)
    echo "usage: scripts/fuzz.sh [--long SECONDS] [target...]" >&2
    exit 2
    ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_killmail fuzz_r2z2 fuzz_redisq fuzz_evekill fuzz_zkb_history fuzz_feed_subscription
    fuzz_price_history fuzz_import_archive fuzz_config_file fuzz_database_url fuzz_feed_request)
fi

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake --preset fuzz "${launcher[@]}" >/dev/null
cmake --build build/fuzz --target "${targets[@]}"

build=build/fuzz
mkdir -p "$build/logs"
# Leaks are looked for; a parser that needs over 2 GB or 10 s for one input is a finding.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  seeds=fuzz/corpus/$name
  corpus=$build/corpus/$name
  artifacts=$build/artifacts/$name/
  log=$build/logs/$name.log
  mkdir -p "$corpus" "$artifacts"
  options=(-max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -max_len=65536
    -print_final_stats=1 -artifact_prefix="$artifacts")
  if [ -f "fuzz/dictionaries/$name.dict" ]; then
    options+=(-dict="fuzz/dictionaries/$name.dict")
  fi
  status=0
  "$build/fuzz/$target" "${options[@]}" "$corpus" "$seeds" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [ "$status" -ne 0 ] || grep -qE '^(==[0-9]+==ERROR|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer)|runtime error:' "$log"; then
    failed+=("$target")
    echo "fuzz.sh: $target FAILED (exit status $status) after ${runs:-?} runs; log: $log" >&2
    grep -E 'ERROR:|runtime error:|broken promise|SUMMARY:|Test unit written to|^artifact_prefix' "$log" | head -20 >&2 || true
    echo "fuzz.sh: reproduce with: $build/fuzz/$target <the file written above>" >&2
  else
    echo "fuzz.sh: $target ok: ${runs:-?} runs in ${seconds}s, ${coverage:-cov: ?}"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: every target ran ${seconds}s without a finding"
