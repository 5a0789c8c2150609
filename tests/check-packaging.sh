#!/usr/bin/env bash
# The packaging test: the desktop entry, AppStream metainfo and systemd unit pass their validators, and the Debian
# package CPack builds holds every installed file, depends on the libraries and plugins the program needs, and its
# program runs. Usage: check-packaging.sh SOURCE_DIR BUILD_DIR VERSION APP_ID. Exits 77 (skipped) when a tool is
# missing (scripts/install-deps.sh installs them all).
set -euo pipefail
source_dir=$1 build_dir=$2 version=$3 app_id=$4
packaging=$source_dir/packaging

for tool in desktop-file-validate appstreamcli systemd-analyze cpack dpkg-deb dpkg-shlibdeps; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (scripts/install-deps.sh installs it)"
    exit 77
  fi
done

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

desktop-file-validate "$packaging/$app_id.desktop" || fail "$app_id.desktop is not a valid desktop entry"
appstreamcli validate --no-net "$packaging/$app_id.metainfo.xml" || fail "$app_id.metainfo.xml is not valid AppStream"
grep -q "<release version=\"$version\"" "$packaging/$app_id.metainfo.xml" \
  || fail "the metainfo has no <release> for version $version: add one when the version changes"

work=$build_dir/tests/packaging
rm -rf "$work" && mkdir -p "$work"
# systemd-analyze verify wants ExecStart's program to exist: point it at the built one.
sed "s#^ExecStart=/usr/bin/killmail-console #ExecStart=$build_dir/src/app/killmail-console #" \
  "$packaging/killmail-console.service" >"$work/killmail-console.service"
systemd-analyze verify "$work/killmail-console.service" || fail "killmail-console.service does not verify"

(cd "$build_dir" && cpack -G DEB -B "$work/cpack") >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack -G DEB failed"; }
debs=("$work"/cpack/killmail-console_"$version"_*.deb)
[ -f "${debs[0]}" ] || fail "cpack made no killmail-console_${version}_ARCH.deb (see $work/cpack.log)"
deb=${debs[0]}
echo "built $deb"

contents=$(dpkg-deb -c "$deb")
expected=(./usr/bin/killmail-console "./usr/share/applications/$app_id.desktop"
  "./usr/share/metainfo/$app_id.metainfo.xml" "./usr/share/icons/hicolor/scalable/apps/$app_id.svg"
  ./usr/lib/systemd/system/killmail-console.service ./usr/share/doc/killmail-console/copyright)
for size in 16 32 48 64 128 256; do
  expected+=("./usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png")
done
for path in "${expected[@]}"; do
  grep -qE " ${path//./\\.}\$" <<<"$contents" || fail "the package lacks $path"
done

info=$(dpkg-deb -I "$deb")
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# From dpkg-shlibdeps (the libraries the program links) and from the plugins Qt loads at run time.
for package in libc6 libqt6core6 libqt6widgets6 libqt6sql6 libqt6network6 libpq5 libsqlite3-0 libarchive13 \
  libqt6sql6-sqlite libqt6sql6-psql qt6-qpa-plugins; do
  grep -qE "(^|, )$package( |,|\$)" <<<"$depends" || fail "the package does not depend on $package"
done
for script in postinst prerm postrm; do
  grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\* +$script " <<<"$info" || fail "the package has no executable $script"
done

# The packaged (stripped) program runs.
dpkg-deb -x "$deb" "$work/root"
[ "$("$work/root/usr/bin/killmail-console" --version)" = "killmail-console $version" ] \
  || fail "the packaged program does not print its version"
echo "PASS: $(wc -l <<<"$contents") entries, $(stat -c %s "$deb") bytes"
