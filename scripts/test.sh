#!/usr/bin/env bash
# Installs the dependencies, builds and runs every test suite (SQLite and PostgreSQL).
#   KILLMAIL_TEST_PRESET=release (default) or asan (Debug with AddressSanitizer and UndefinedBehaviorSanitizer)
#   KILLMAIL_TEST_ONLY=tst_outage builds the program and that suite only, and runs it alone (both backends)
# By default (release, every suite) the outage suite then runs once more in the asan build: the defects it guards
# against are use-after-frees that a release build may survive by luck. Exits non-zero when any test fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=${KILLMAIL_TEST_PRESET:-release}
case "$preset" in
release | asan) ;;
*)
  echo "test.sh: KILLMAIL_TEST_PRESET must be release or asan, not '$preset'" >&2
  exit 2
  ;;
esac

scripts/check-coroutines.sh
scripts/install-deps.sh
only=${KILLMAIL_TEST_ONLY:-}
if [ -n "$only" ]; then
  scripts/build.sh "$preset" --target killmail-console "$only"
else
  scripts/build.sh "$preset"
fi

log="build/$preset/ctest${only:+-$only}.log"
status=0
ctest --preset "$preset" --output-on-failure -j2 ${only:+-R "^${only}_"} 2>&1 | tee "$log" || status=$?

echo
echo "== test summary ($preset preset) =="
sed -n '/tests passed/,$p' "$log"
if [ "$status" -ne 0 ]; then
  echo "test.sh: FAILED (ctest exit status $status; full log in $log)" >&2
else
  echo "test.sh: all tests passed"
fi
if [ "$preset" = release ] && [ -z "$only" ]; then
  KILLMAIL_TEST_PRESET=asan KILLMAIL_TEST_ONLY=tst_outage "$0" || status=$?
fi
exit "$status"
