#!/usr/bin/env bash
# Builds a release bundle for this machine's architecture (npm run bundle):
#
#   release/hearth-<version>-linux-<arch>.tar.gz   dist (no tests, no benchmarks), production
#                                                  node_modules as installed here (native modules
#                                                  built for this Node and architecture), unit,
#                                                  installer, docs, profiles, templates
#   release/hearth-<version>-linux-<arch>.tar.gz.sha256
#
# Install it with no network: sudo scripts/install.sh --bundle hearth-...tar.gz (the .sha256 beside
# it). Native modules are per architecture and per Node major: build the arm64 bundle on an arm64
# Pi or runner, the armhf one on 32-bit Raspberry Pi OS, with the Node major the gateways run
# (docs/installer-guide.en.md, "Release bundles").
set -euo pipefail

die() { echo "bundle.sh: $*" >&2; exit "${2:-1}"; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/stage-app.sh
. "$HERE/lib/stage-app.sh"

SOURCE="$(cd "$HERE/.." && pwd)"
OUT="$SOURCE/release"
VERSION=""
NODE_BIN="$(command -v node)"
while [ $# -gt 0 ]; do
  case "$1" in
    --source) SOURCE="$(cd "${2:?}" && pwd)"; shift 2 ;;
    --out) mkdir -p "${2:?}"; OUT="$(cd "$2" && pwd)"; shift 2 ;;
    # A different version string for the same build (tests, pre-releases).
    --version) VERSION="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; echo "Usage: bundle.sh [--source DIR] [--out DIR] [--version V]"; exit 0 ;;
    *) die "unknown option '$1'" 64 ;;
  esac
done
[ -f "$SOURCE/dist/src/main.js" ] || die "$SOURCE/dist/src/main.js missing: npm run build first" 1
[ -d "$SOURCE/node_modules" ] || die "$SOURCE/node_modules missing: npm ci first" 1
VERSION="${VERSION:-$(package_version "$NODE_BIN" "$SOURCE")}"
[[ "$VERSION" =~ ^[0-9A-Za-z][0-9A-Za-z.+_-]*$ ]] || die "version '$VERSION' is not usable in a file name" 64
ARCH="$(dpkg --print-architecture 2>/dev/null || "$NODE_BIN" -p process.arch)"
NAME="hearth-$VERSION-linux-$ARCH"

STAGE="$(mktemp -d -p /var/tmp hearth-bundle.XXXXXX)"
trap 'rm -rf "$STAGE"' EXIT
APP="$STAGE/$NAME"
stage_app "$SOURCE" "$APP"
stage_deps_copy "$NODE_BIN" "$SOURCE" "$APP/node_modules"
if [ "$VERSION" != "$(package_version "$NODE_BIN" "$SOURCE")" ]; then
  "$NODE_BIN" -e 'const f = process.argv[1], p = JSON.parse(require("fs").readFileSync(f, "utf8")); p.version = process.argv[2]; require("fs").writeFileSync(f, JSON.stringify(p, null, 2) + "\n")' "$APP/package.json" "$VERSION"
fi
# What the native modules were built for: the installer's smoke test refuses a mismatch anyway,
# this says why in advance.
printf 'version=%s\narch=%s\nnode=%s\nnode_abi=%s\n' "$VERSION" "$ARCH" "$("$NODE_BIN" -p process.version)" "$("$NODE_BIN" -p process.versions.modules)" >"$APP/BUILD-INFO"

mkdir -p "$OUT"
# Reproducible order and owners: the same tree gives the same listing.
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$STAGE" -czf "$OUT/$NAME.tar.gz.tmp" "$NAME"
mv -f "$OUT/$NAME.tar.gz.tmp" "$OUT/$NAME.tar.gz"
(cd "$OUT" && sha256sum "$NAME.tar.gz" >"$NAME.tar.gz.sha256")
echo "bundle: $OUT/$NAME.tar.gz ($(du -h "$OUT/$NAME.tar.gz" | cut -f1)), sha256 $(cut -d' ' -f1 "$OUT/$NAME.tar.gz.sha256")"
