#!/usr/bin/env bash
# Installs every Debian 12 (bookworm) package Killmail Console needs to build, test and run.
# Idempotent: when everything is already installed it does nothing (no apt-get update, no network).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates bzip2
  # Qt 6.4 and QCoro
  qt6-base-dev qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  # Qt's own strings (the standard dialogs, the command-line help) in the languages the program is translated to
  qt6-translations-l10n
  libqt6sql6-sqlite libqt6sql6-psql qt6-qpa-plugins libgl-dev qcoro-qt6-dev
  # storage and archives
  libpq-dev libsqlite3-dev libarchive-dev
  # JSON parsing of killmail files and feeds
  libsimdjson-dev
  # PostgreSQL server: the tests start a throwaway cluster
  postgresql
  # code style, static analysis, test and benchmark libraries
  clang-format clang-tidy libgtest-dev libbenchmark-dev
  # the parsers' libFuzzer targets (scripts/fuzz.sh): clang and its fuzzer and sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # the live feed's overlay is tested in a real headless browser
  chromium
  # packaging: the icon renderer, and the validators of the desktop entry, metainfo and systemd unit
  librsvg2-bin desktop-file-utils appstream systemd
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps.sh: not root and sudo is not installed; as root run: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-deps.sh: done" >&2
