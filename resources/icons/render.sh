#!/usr/bin/env bash
# Renders killmail-console.svg to the PNG sizes of the hicolor icon theme (committed next to it, so a build needs
# no SVG renderer). Run again after editing the SVG; needs rsvg-convert (librsvg2-bin, see scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 32 48 64 128 256; do
  rsvg-convert --width "$size" --height "$size" --output "killmail-console-$size.png" killmail-console.svg
done
