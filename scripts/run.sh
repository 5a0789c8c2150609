#!/usr/bin/env bash
# Installs the dependencies, builds the release preset and runs killmail-console with the given arguments.
# Without arguments it opens the console; without a display it runs the engine with --headless instead.
# The database is the program's default (an SQLite file in the user's data folder) unless --database or
# KILLMAIL_DATABASE_URL says otherwise.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Set-up and build messages go to stderr so that the program's own output stays clean on stdout.
"$root/scripts/install-deps.sh" >&2
"$root/scripts/build.sh" release --target killmail-console >&2

program="$root/build/release/src/app/killmail-console"
if [ $# -eq 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run.sh: no display (DISPLAY/WAYLAND_DISPLAY unset): running 'killmail-console --headless' instead of the console; stop it with Ctrl+C" >&2
  exec "$program" --headless
fi
exec "$program" "$@"
