#!/usr/bin/env bash
# Installs the dependencies, builds and runs every test suite (SQLite and PostgreSQL).
#   KILLMAIL_TEST_PRESET=release (default) or asan (Debug with AddressSanitizer and UndefinedBehaviorSanitizer)
# Exits non-zero when any test fails.
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
scripts/build.sh "$preset"

log="build/$preset/ctest.log"
status=0
ctest --preset "$preset" --output-on-failure -j2 2>&1 | tee "$log" || status=$?

echo
echo "== test summary ($preset preset) =="
sed -n '/tests passed/,$p' "$log"
if [ "$status" -ne 0 ]; then
  echo "test.sh: FAILED (ctest exit status $status; full log in $log)" >&2
else
  echo "test.sh: all tests passed"
fi
exit "$status"
