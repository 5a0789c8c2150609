#!/usr/bin/env bash
# Installs a built package on a fresh Debian 12 (a minbase debootstrap, from Debian's mirror) and runs it there: the
# install pulls every dependency from the package's Depends alone, then an import, `status`, `--headless` with its
# /healthz, and the window (offscreen) are tried. Needs root, debootstrap and the Debian mirror; not run by CI.
# Usage: packaging/check-fresh-install.sh path/to/killmail-console_VERSION_ARCH.deb [ROOT_DIR]
set -euo pipefail
deb=$(realpath "$1")
root=${2:-/var/tmp/killmail-fresh-debian12}
fixture=$(dirname "$0")/../tests/data/killmails/10622653.json

[ -d "$root/usr" ] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
cp "$deb" "$root/tmp/package.deb"
cp "$fixture" "$root/tmp/kill.json"
mount -t proc proc "$root/proc"
trap 'umount "$root/proc"' EXIT
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive bash -euo pipefail -c '
apt-get update -q >/dev/null
apt-get install -y -q /tmp/package.deb curl >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }
killmail-console --version
killmail-console --database sqlite:///tmp/k.db import:killmails /tmp/kill.json
killmail-console --database sqlite:///tmp/k.db status | head -1
KILLMAIL_SOURCES=none KILLMAIL_FEED_PORT=0 KILLMAIL_METRICS_PORT=9464 \
  killmail-console --database sqlite:///tmp/k.db --headless 2>/dev/null & server=$!
for _ in $(seq 30); do curl -sf http://127.0.0.1:9464/healthz && break; sleep 1; done
echo
kill -TERM $server && wait $server && echo "headless: stopped cleanly on SIGTERM"
status=0
QT_QPA_PLATFORM=offscreen KILLMAIL_SOURCES=none timeout 8 killmail-console --database sqlite:///tmp/k.db 2>/dev/null \
  || status=$?
[ "$status" = 124 ] && echo "console: still running after 8 s (offscreen)"
'
echo "PASS: installed and ran on a fresh Debian 12"
