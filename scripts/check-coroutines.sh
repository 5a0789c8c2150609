#!/usr/bin/env bash
# Refuses the two forms of co_await that GCC 12 mis-compiles (it frees the awaiting coroutine's frame while the
# awaited one still runs, and the program later jumps into freed memory):
#   - co_await inside an if/while condition or a test macro's condition: `if (!co_await pause(d))`;
#   - co_await in a statement with a conditional expression (?:) that builds temporaries.
# The safe form puts the result in a named value first: `if (const bool going = co_await pause(d); !going)`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
found=$(git ls-files '*.cpp' '*.h' | xargs grep -nE \
  '(if|while) \(!?co_await|KM_CO_[A-Z_]+\(.*co_await|co_await[^;]*\?[^;]*:|\?[^;]*co_await' || true)
if [ -n "$found" ]; then
  echo "check-coroutines.sh: co_await in a condition or beside ?: (GCC 12 mis-compiles it); await into a named value first:" >&2
  echo "$found" >&2
  exit 1
fi
echo "check-coroutines.sh: no co_await in conditions"
