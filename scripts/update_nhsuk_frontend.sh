#!/usr/bin/env bash
# Vendor the compiled NHS.UK frontend (CSS, JS, icons, favicons) into
# static/nhsuk/ so riskapp looks like an NHS service without a CDN: trusts run
# it on closed networks, and a strict CSP will only allow 'self'.
#
# Usage: scripts/update_nhsuk_frontend.sh [VERSION]
#   VERSION defaults to the pinned one below. Needs node/npm (npm registry) and
#   python3. Leaves no node_modules behind: the package is unpacked in a temp dir.
#
# What it copies from the package (layout checked for 10.x: dist/nhsuk/):
#   dist/nhsuk/nhsuk-frontend.min.css  -> static/nhsuk/nhsuk-frontend.min.css
#   dist/nhsuk/nhsuk-frontend.min.js   -> static/nhsuk/nhsuk-frontend.min.js (ES module, exports initAll)
#   dist/nhsuk/assets/images/*         -> static/nhsuk/assets/images/ (icons, favicons, logo PNGs)
#   dist/nhsuk/assets/manifest.json    -> static/nhsuk/assets/manifest.json
# and post-processes the CSS:
#   * url(/assets/...) -> url(assets/...) so icons resolve next to the CSS,
#     i.e. under /static/nhsuk/assets/ whatever the static URL prefix is;
#   * drops the @font-face rules that load Frutiger from an NHS CDN (the
#     font is licensed and not in the package; the stack falls back to Arial)
#     so pages make no off-site requests;
#   * drops sourceMappingURL comments (maps are not vendored).
set -euo pipefail

PINNED_VERSION="10.6.1"
VERSION="${1:-$PINNED_VERSION}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/nhsuk"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "Fetching nhsuk-frontend@$VERSION"
(cd "$TMP" && npm pack --silent "nhsuk-frontend@$VERSION" >/dev/null)
TARBALL="$(ls "$TMP"/nhsuk-frontend-*.tgz)"
tar -xzf "$TARBALL" -C "$TMP"
PKG="$TMP/package"
DIST="$PKG/dist/nhsuk"

GOT_VERSION="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$PKG/package.json")"
if [ "$GOT_VERSION" != "$VERSION" ]; then
  echo "Expected nhsuk-frontend $VERSION, got $GOT_VERSION" >&2
  exit 1
fi
for f in nhsuk-frontend.min.css nhsuk-frontend.min.js assets/images assets/manifest.json; do
  if [ ! -e "$DIST/$f" ]; then
    echo "Package layout changed: $DIST/$f not found; update this script" >&2
    exit 1
  fi
done

rm -rf "$DEST"
mkdir -p "$DEST/assets/images"
cp "$DIST/nhsuk-frontend.min.css" "$DEST/"
cp "$DIST/nhsuk-frontend.min.js" "$DEST/"
cp "$DIST/assets/manifest.json" "$DEST/assets/"
cp "$DIST"/assets/images/* "$DEST/assets/images/"

python3 - "$DEST" <<'PY'
import pathlib
import re
import sys

dest = pathlib.Path(sys.argv[1])
css_path = dest / "nhsuk-frontend.min.css"
js_path = dest / "nhsuk-frontend.min.js"

css = css_path.read_text(encoding="utf-8")
css = css.replace("url(/assets/", "url(assets/")
# Remove @font-face rules whose src is off-site (the NHS font CDN).
css = re.sub(r"@font-face\{[^}]*url\(https?://[^}]*\}", "", css)
css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css).rstrip() + "\n"

remote = re.findall(r"url\((?:[\"']?)(https?:)?//[^)]*\)", css)
if remote:
    sys.exit(f"CSS still has off-site URLs: {remote[:5]}")
missing = []
for ref in sorted(set(re.findall(r"url\([\"']?([^)\"'#?]+)", css))):
    if ref.startswith("data:"):
        continue
    if not (dest / ref).is_file():
        missing.append(ref)
if missing:
    sys.exit(f"CSS refers to assets that were not copied: {missing}")
css_path.write_text(css, encoding="utf-8")

js = js_path.read_text(encoding="utf-8")
js = re.sub(r"//# sourceMappingURL=\S*", "", js).rstrip() + "\n"
if "initAll" not in js:
    sys.exit("nhsuk-frontend.min.js no longer exports initAll; update static/app.js")
js_path.write_text(js, encoding="utf-8")
PY

printf '%s\n' "$VERSION" > "$DEST/VERSION"
echo "Vendored nhsuk-frontend $VERSION into ${DEST#"$ROOT"/}"
