#!/usr/bin/env bash
# Configures and builds with a CMake preset: scripts/build.sh [release|debug|asan|tsan] [cmake --build options...]
# The build goes to build/<preset>. Extra arguments go to `cmake --build` (for example `--target killmail-console`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=${1:-release}
case "$preset" in
release | debug | asan | tsan) ;;
*)
  echo "usage: scripts/build.sh [release|debug|asan|tsan] [cmake --build options...]" >&2
  exit 2
  ;;
esac
shift $(($# > 0 ? 1 : 0))

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "$@"
