#!/usr/bin/env bash
# Installs the dependencies, builds and runs every test suite (SQLite and PostgreSQL).
#   KILLMAIL_TEST_PRESET=asan (default): Debug with AddressSanitizer and UndefinedBehaviorSanitizer; every suite runs
#     there, a sanitizer report fails its suite (UBSan does not recover, ASan stops at the first error), and the
#     benchmarks are built too so that they keep compiling. This is what CI runs.
#   KILLMAIL_TEST_PRESET=release: the optimised build, every suite and the benchmarks.
#   KILLMAIL_TEST_ONLY=tst_outage builds the program and that suite only, and runs it alone (both backends)
# Then (not with KILLMAIL_TEST_ONLY) the short fuzz run of every parser, scripts/fuzz.sh.
# Exits non-zero when any test fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=${KILLMAIL_TEST_PRESET:-asan}
case "$preset" in
release | asan) ;;
*)
  echo "test.sh: KILLMAIL_TEST_PRESET must be asan or release, not '$preset'" >&2
  exit 2
  ;;
esac

scripts/check-coroutines.sh
scripts/install-deps.sh
only=${KILLMAIL_TEST_ONLY:-}
build_start=$SECONDS
if [ -n "$only" ]; then
  scripts/build.sh "$preset" --target killmail-console "$only"
else
  scripts/build.sh "$preset"
fi
echo "test.sh: $preset build took $((SECONDS - build_start)) s"

log="build/$preset/ctest${only:+-$only}.log"
status=0
test_start=$SECONDS
ctest --preset "$preset" --output-on-failure -j2 ${only:+-R "^${only}_"} 2>&1 | tee "$log" || status=$?

echo
echo "== test summary ($preset preset, $((SECONDS - test_start)) s) =="
sed -n '/tests passed/,$p' "$log"
if [ "$status" -ne 0 ]; then
  echo "test.sh: FAILED (ctest exit status $status; full log in $log)" >&2
else
  echo "test.sh: all tests passed"
fi

# Every parser of outside input under libFuzzer for a short while (FUZZ_SECONDS each, see scripts/fuzz.sh).
if [ -z "$only" ]; then
  fuzz_start=$SECONDS
  scripts/fuzz.sh || status=$?
  echo "test.sh: fuzz run took $((SECONDS - fuzz_start)) s"
fi

exit "$status"
