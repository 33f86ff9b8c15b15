#!/usr/bin/env bash
# Installs hearth on Raspberry Pi OS (bookworm, trixie; arm64, armhf) or Debian.
#
#   sudo scripts/install.sh --gateway-id lindenstr-4 --platform-url mqtts://iot.example.net:8883
#
#   sudo scripts/install.sh --bundle hearth-0.2.0-linux-arm64.tar.gz     (offline, checksum verified)
#
# What it does, each step idempotent (a second run changes nothing):
#   1. pre-flight: Node.js (22 LTS supported, >= 20.19), npm and a compiler only when installing
#      dependencies with npm, free space, time sync, the sd_notify helper (socat);
#   2. creates the system user `hearth` (groups dialout, gpio) and the gpio group where missing;
#   3. stages the new release completely (with its node_modules) and smoke-tests it (hearth
#      selftest) before it goes to /opt/hearth/releases/<version> (scripts/lib/release.sh);
#   4. installs /usr/local/bin/hearth, /usr/local/sbin/hearth-release, the systemd unit (with a
#      restart-backoff drop-in where systemd >= 254 supports it) and a udev rule for /dev/gpiochip*;
#   5. writes /etc/hearth/hearth.yaml from scripts/templates/hearth.yaml.in, never over an existing one;
#   6. switches /opt/hearth/current once `hearth check` accepts the live config, restarts the service
#      and waits for READY; a release that does not get there is rolled back to the previous one.
# --root DIR installs into a scratch root (like DESTDIR) without touching the running system:
# CI checks the resulting tree. See docs/installer-guide.en.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: install.sh [options]

  --gateway-id ID       gateway id for a new config (asked for when missing and on a terminal)
  --gateway-name NAME   human name of the site (default: the id)
  --platform-url URL    platform broker, e.g. mqtts://iot.example.net:8883 (asked for likewise)
  --root DIR            install into DIR instead of / (scratch root; implies --no-systemctl)
  --prefix DIR          package location (default /opt/hearth)
  --source DIR          built package to install (default: the folder above this script)
  --bundle FILE         install from a release bundle (npm run bundle), no network needed; its
                        SHA-256 must match FILE.sha256 beside it or --sha256
  --sha256 HEX          the bundle's expected SHA-256
  --deps MODE           production dependencies: npm (npm ci --omit=dev, default), copy (copy
                        them from --source/node_modules, offline), bundle (the source carries
                        them: automatic with --bundle), skip
  --ready-timeout S     seconds the restarted service has to become ready (default 90) before
                        the previous release is put back
  --update-key ID=KEY   an Ed25519 public key (base64, as in remote.keys) the root updater trusts
                        for remote software updates; repeatable. Written to
                        /etc/hearth-keys/update.keys (root's own). Without it, a first install
                        copies the keys of remote.keys from the config into that file once
  --node PATH           node binary for the unit (default: `command -v node`)
  --no-systemctl        do not call systemctl (enable by symlink instead); automatic in a chroot
  --no-start            enable the service but do not (re)start it
  --systemd-version N   the target's systemd version (default: from `systemctl --version`; none
                        found: 0). >= 254 gets the restart-backoff drop-in (RestartSteps=)
  -h, --help            this text

Exit codes: 0 installed, 1 failed (nothing switched, or rolled back), 64 usage, 65 the bundle's
checksum does not match, 69 a requirement is missing (node, npm, space).
EOF
}

die() { echo "install.sh: $*" >&2; exit "${2:-1}"; }
say() { echo "hearth install: $*"; }

ROOT=""
PREFIX=/opt/hearth
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS=npm
NODE_BIN=""
GATEWAY_ID=""
GATEWAY_NAME=""
PLATFORM_URL=""
USE_SYSTEMCTL=1
START=1
SYSTEMD_VERSION=""
BUNDLE=""
BUNDLE_SHA=""
READY_TIMEOUT=90
UPDATE_KEYS=()
LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")/lib" && pwd)"
# shellcheck source=lib/stage-app.sh
. "$LIB/stage-app.sh"
# shellcheck source=lib/preflight.sh
. "$LIB/preflight.sh"
# shellcheck source=lib/release.sh
. "$LIB/release.sh"

while [ $# -gt 0 ]; do
  case "$1" in
    --gateway-id) GATEWAY_ID="${2:?}"; shift 2 ;;
    --gateway-name) GATEWAY_NAME="${2:?}"; shift 2 ;;
    --platform-url) PLATFORM_URL="${2:?}"; shift 2 ;;
    --root) ROOT="$(cd "${2:?}" && pwd)"; USE_SYSTEMCTL=0; shift 2 ;;
    --prefix) PREFIX="${2:?}"; shift 2 ;;
    --source) SOURCE="$(cd "${2:?}" && pwd)"; shift 2 ;;
    --deps) DEPS="${2:?}"; shift 2 ;;
    --bundle) BUNDLE="$(realpath "${2:?}")"; DEPS=bundle; shift 2 ;;
    --sha256) BUNDLE_SHA="${2:?}"; shift 2 ;;
    --ready-timeout) READY_TIMEOUT="${2:?}"; shift 2 ;;
    --node) NODE_BIN="${2:?}"; shift 2 ;;
    --update-key) [[ "${2:-}" =~ ^[A-Za-z0-9._-]+=[A-Za-z0-9+/=]+$ ]] || die "--update-key wants ID=BASE64KEY" 64; UPDATE_KEYS+=("${2%%=*} ${2#*=}"); shift 2 ;;
    --no-systemctl) USE_SYSTEMCTL=0; shift ;;
    --no-start) START=0; shift ;;
    --systemd-version) SYSTEMD_VERSION="${2:?}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" 64 ;;
  esac
done
case "$DEPS" in npm|copy|bundle|skip) ;; *) die "--deps must be npm, copy, bundle or skip" 64 ;; esac
[[ "$READY_TIMEOUT" =~ ^[0-9]+$ ]] || die "--ready-timeout must be a number of seconds" 64
if [ -z "$SYSTEMD_VERSION" ]; then
  # "systemd 252 (252.39-1~deb12u2)" -> 252. For an image built elsewhere, pass --systemd-version.
  SYSTEMD_VERSION="$(systemctl --version 2>/dev/null | awk 'NR == 1 { print $2 + 0 }' || true)"
  SYSTEMD_VERSION="${SYSTEMD_VERSION:-0}"
fi
[[ "$SYSTEMD_VERSION" =~ ^[0-9]+$ ]] || die "--systemd-version must be a number, got '$SYSTEMD_VERSION'" 64
[ "$(id -u)" -eq 0 ] || die "run as root (sudo)" 1

# HEARTH_SYSTEMCTL: another systemctl (the release test's stand-in for a service that fails to start).
SYSTEMCTL="${HEARTH_SYSTEMCTL:-systemctl}"
if [ -n "${HEARTH_SYSTEMCTL:-}" ]; then USE_SYSTEMCTL=1; fi
# In a chroot (image builds) there is no systemd to talk to.
if [ -z "${HEARTH_SYSTEMCTL:-}" ] && [ "$USE_SYSTEMCTL" -eq 1 ] && { ! command -v systemctl >/dev/null || [ ! -d /run/systemd/system ] \
  || { command -v systemd-detect-virt >/dev/null && systemd-detect-virt --chroot; }; }; then
  say "no running systemd (chroot or container): enabling by symlink, not starting"
  USE_SYSTEMCTL=0
fi

# ---- 1. requirements --------------------------------------------------------------------------
preflight_node
if [ -r "$ROOT/etc/os-release" ]; then
  # shellcheck disable=SC1091
  OS="$(. "$ROOT/etc/os-release"; echo "${ID:-?} ${VERSION_CODENAME:-?}")"
else
  OS="unknown"
fi
ARCH="$(dpkg --print-architecture 2>/dev/null || uname -m)"
case "$OS" in
  "debian bookworm"|"debian trixie"|"raspbian bookworm"|"raspbian trixie") ;;
  *) say "warning: tested on Raspberry Pi OS / Debian bookworm and trixie, this is '$OS'" ;;
esac
say "node $NODE_VERSION ($NODE_BIN), $OS, $ARCH"
# /var/tmp, not /tmp: on trixie /tmp is RAM, and a release with its node_modules is 100 MB and more.
STAGE="$(mktemp -d -p /var/tmp hearth-install.XXXXXX)"
trap 'rm -rf "$STAGE"' EXIT
if [ -n "$BUNDLE" ]; then
  # The checksum first, before a byte of the bundle is unpacked.
  [ -n "$BUNDLE_SHA" ] || { [ -r "$BUNDLE.sha256" ] && BUNDLE_SHA="$(awk '{ print $1; exit }' "$BUNDLE.sha256")"; } \
    || die "no checksum for $BUNDLE: put $(basename "$BUNDLE").sha256 beside it or give --sha256" 65
  actual="$(sha256sum "$BUNDLE" | awk '{ print $1 }')"
  [ "$actual" = "$BUNDLE_SHA" ] || die "checksum mismatch for $BUNDLE: expected $BUNDLE_SHA, got $actual; not installing it" 65
  say "bundle $(basename "$BUNDLE"): checksum ok"
  mkdir "$STAGE/bundle" && tar -xzf "$BUNDLE" -C "$STAGE/bundle" --no-same-owner
  SOURCE="$(find "$STAGE/bundle" -mindepth 1 -maxdepth 1 -type d | head -1)"
  [ -d "$SOURCE/node_modules" ] || say "warning: the bundle carries no node_modules; the smoke test will refuse it"
fi
preflight_npm
preflight_space 300
preflight_time
[ -f "$SOURCE/dist/src/main.js" ] || die "$SOURCE/dist/src/main.js missing: install from a release or run 'npm run build' first" 1

# The daemon sends sd_notify through socat (src/service/notifier.ts); python3 is the fallback.
if [ ! -x "$ROOT/usr/bin/socat" ] && [ ! -x "$ROOT/usr/bin/python3" ]; then
  if [ -z "$ROOT" ] && command -v apt-get >/dev/null; then
    say "installing socat (sd_notify helper)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends socat >/dev/null
  else
    say "warning: neither socat nor python3 in $ROOT/usr/bin: the service cannot report READY=1 (apt install socat)"
  fi
fi

# A new config needs a gateway id and a platform URL: ask (or refuse) before touching anything.
CONFIG="$ROOT/etc/hearth/hearth.yaml"
if [ ! -e "$CONFIG" ]; then
  if [ -z "$GATEWAY_ID" ] && [ -t 0 ]; then read -r -p "Gateway id (letters, digits, - and _): " GATEWAY_ID; fi
  if [ -z "$PLATFORM_URL" ] && [ -t 0 ]; then read -r -p "Platform URL (e.g. mqtts://iot.example.net:8883): " PLATFORM_URL; fi
  [ -n "$GATEWAY_ID" ] || die "no config yet: give --gateway-id (and --platform-url)" 64
  [ -n "$PLATFORM_URL" ] || die "no config yet: give --platform-url" 64
  [[ "$GATEWAY_ID" =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ ]] || die "gateway id '$GATEWAY_ID': use letters, digits, - and _ (at most 64)" 64
  [[ "$PLATFORM_URL" =~ ^mqtts?://[^[:space:]\'\"]+$ ]] || die "platform URL '$PLATFORM_URL': expected mqtts://host:port" 64
fi

# ---- helpers ----------------------------------------------------------------------------------
# install_file MODE OWNER:GROUP SRC DST: copy only when the content differs; fix mode and owner.
install_file() {
  local mode="$1" owner="$2" src="$3" dst="$4"
  mkdir -p "$(dirname "$dst")"
  if ! cmp -s "$src" "$dst" 2>/dev/null; then
    cp "$src" "$dst.tmp.$$" && mv -f "$dst.tmp.$$" "$dst"
    say "wrote ${dst#"$ROOT"}"
  fi
  chmod "$mode" "$dst"
  chown "$(ids "$owner")" "$dst"
}

# sync_tree SRC DST: make DST an exact copy of SRC, replacing it only when something differs.
sync_tree() {
  local src="$1" dst="$2"
  if [ -d "$dst" ] && diff -rq --no-dereference "$src" "$dst" >/dev/null 2>&1; then return 0; fi
  rm -rf "$dst.new.$$"
  mkdir -p "$(dirname "$dst")"
  cp -a "$src" "$dst.new.$$"
  chown -R root:root "$dst.new.$$"
  rm -rf "$dst.old.$$"
  if [ -e "$dst" ]; then mv "$dst" "$dst.old.$$"; fi
  mv "$dst.new.$$" "$dst"
  rm -rf "$dst.old.$$"
  say "updated ${dst#"$ROOT"}"
}

# Owners are looked up in the target root's own user database, not the host's.
ids() {
  local user="${1%%:*}" group="${1##*:}" uid gid
  uid="$(awk -F: -v n="$user" '$1 == n { print $3 }' "$ROOT/etc/passwd")"
  gid="$(awk -F: -v n="$group" '$1 == n { print $3 }' "$ROOT/etc/group")"
  [ -n "$uid" ] && [ -n "$gid" ] || die "no user/group $1 in $ROOT/etc" 1
  echo "$uid:$gid"
}

in_root() { if [ -n "$ROOT" ]; then "$@" --root "$ROOT"; else "$@"; fi; }

# ---- 2. user and groups -----------------------------------------------------------------------
if [ -n "$ROOT" ] && [ ! -f "$ROOT/etc/passwd" ]; then
  die "$ROOT/etc/passwd missing: a scratch root needs at least the base system's /etc/passwd and /etc/group" 1
fi
for g in dialout gpio; do
  if ! grep -q "^$g:" "$ROOT/etc/group"; then in_root groupadd --system "$g"; say "created group $g"; fi
done
if ! grep -q '^hearth:' "$ROOT/etc/passwd"; then
  in_root useradd --system --user-group --no-create-home --home-dir /var/lib/hearth --shell /usr/sbin/nologin \
    --comment 'hearth gateway' --groups dialout,gpio hearth
  say "created user hearth"
else
  for g in dialout gpio; do
    grep -q "^$g:.*[:,]hearth\(,\|$\)" "$ROOT/etc/group" || in_root usermod --append --groups "$g" hearth
  done
fi

# ---- 3. the release, staged complete before anything is replaced --------------------------------
VERSION="$(package_version "$NODE_BIN" "$SOURCE")"
[[ "$VERSION" =~ ^[0-9A-Za-z][0-9A-Za-z.+_-]*$ ]] || die "version '$VERSION' in $SOURCE/package.json is not usable as a folder name" 1
mkdir -p "$(releases_dir)"
# Staged outside /opt/hearth: nothing there changes until the staged release passed its smoke test.
NEW="$STAGE/release"
if [ "$DEPS" = bundle ]; then mv -T "$SOURCE" "$NEW"; SOURCE="$NEW"; else stage_app "$SOURCE" "$NEW"; fi
case "$DEPS" in
  npm)
    # Into the staged release, never into the running one: a registry that cannot be reached
    # leaves the running release as it was. npm's own progress stays visible (compiling native
    # modules on a Pi takes minutes).
    say "installing production dependencies into the new release (npm ci --omit=dev)"
    (cd "$NEW" && npm ci --omit=dev --no-audit --no-fund --foreground-scripts) \
      || die "npm ci failed: nothing was switched, the running release is unchanged (offline? install from a bundle: --bundle)" 1 ;;
  copy) stage_deps_copy "$NODE_BIN" "$SOURCE" "$NEW/node_modules" || die "--deps copy failed" 1 ;;
  bundle|skip) ;;
esac
release_smoke "$NEW" "$CONFIG" || die "release $VERSION refused: the running release is unchanged" 1
release_put "$NEW" "$VERSION"
# The unit and the config template come from the release as installed.
SOURCE="$(releases_dir)/$VERSION"

# ---- 4. command, unit, udev -------------------------------------------------------------------
WRAPPER="$STAGE/hearth"
printf '#!/bin/sh\n# hearth command line (installed by scripts/install.sh): the current release\nexec %s %s/current/dist/src/main.js "$@"\n' "$NODE_BIN" "$PREFIX" >"$WRAPPER"
install_file 0755 root:root "$WRAPPER" "$ROOT/usr/local/bin/hearth"
printf '#!/bin/sh\n# list and roll back hearth releases (installed by scripts/install.sh)\nexec %s/current/scripts/hearth-release "$@" --prefix %s --node %s\n' "$PREFIX" "$PREFIX" "$NODE_BIN" >"$STAGE/hearth-release"
install_file 0755 root:root "$STAGE/hearth-release" "$ROOT/usr/local/sbin/hearth-release"

UNIT="$STAGE/hearth.service"
sed -e "s#^ExecStart=/usr/bin/node #ExecStart=$NODE_BIN #" -e "s#/opt/hearth/#$PREFIX/#g" "$SOURCE/systemd/hearth.service" >"$UNIT"
install_file 0644 root:root "$UNIT" "$ROOT/etc/systemd/system/hearth.service"

# Restart backoff (1 s growing to 30 s over 5 steps) needs RestartSteps=/RestartMaxDelaySec=,
# systemd >= 254; bookworm ships 252, which would warn about unknown keys: there the unit restarts
# every RestartSec=1 s, still without a start limit. Our own file; `systemctl edit` uses override.conf.
BACKOFF="$ROOT/etc/systemd/system/hearth.service.d/restart-backoff.conf"
if [ "$SYSTEMD_VERSION" -ge 254 ]; then
  cat >"$STAGE/restart-backoff.conf" <<'CONF'
# Installed by hearth (scripts/install.sh) because systemd here is >= 254. Restart delays grow from
# RestartSec (1 s) to 30 s over 5 restarts, so a gateway that cannot start keeps trying without
# spinning; it never gives up (StartLimitIntervalSec=0 in the unit).
[Service]
RestartSteps=5
RestartMaxDelaySec=30
CONF
  install_file 0644 root:root "$STAGE/restart-backoff.conf" "$BACKOFF"
elif [ -e "$BACKOFF" ]; then
  rm -f "$BACKOFF"
  rmdir "$(dirname "$BACKOFF")" 2>/dev/null || true
  say "removed ${BACKOFF#"$ROOT"} (systemd $SYSTEMD_VERSION < 254 does not know RestartSteps=)"
fi

# Remote software update: the root updater, started when the service stages a verified bundle.
for u in hearth-update.path hearth-update.service; do
  sed -e "s#/opt/hearth/#$PREFIX/#g" "$SOURCE/systemd/$u" >"$STAGE/$u"
  install_file 0644 root:root "$STAGE/$u" "$ROOT/etc/systemd/system/$u"
done

UDEV="$STAGE/60-hearth-gpio.rules"
cat >"$UDEV" <<'EOF'
# Installed by hearth: GPIO character devices for the gpio group (Raspberry Pi OS ships the same;
# plain Debian does not).
SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"
EOF
install_file 0644 root:root "$UDEV" "$ROOT/etc/udev/rules.d/60-hearth-gpio.rules"

# ---- 5. directories and config ----------------------------------------------------------------
make_dir() { mkdir -p "$3"; chmod "$1" "$3"; chown "$(ids "$2")" "$3"; }
# Group-writable by hearth, sticky: remote config (src/remote/config-store.ts) replaces hearth.yaml
# (owned by hearth) and writes .last-good and .pending.json beside it, but cannot rename or remove
# what root owns there, tls/ included (systemd/README.md, "Writable paths").
make_dir 1770 root:hearth "$ROOT/etc/hearth"
make_dir 0750 root:hearth "$ROOT/etc/hearth/tls"
make_dir 0750 hearth:hearth "$ROOT/var/lib/hearth"
# The keys the root updater verifies remote software updates with: root's own folder, because the
# service may rewrite /etc/hearth (remote config) and must not choose what root installs.
make_dir 0755 root:root "$ROOT/etc/hearth-keys"
KEYS_FILE="$ROOT/etc/hearth-keys/update.keys"
if [ "${#UPDATE_KEYS[@]}" -gt 0 ]; then
  { echo "# Ed25519 keys for remote software updates: key-id base64-public-key (scripts/install.sh --update-key)"; printf '%s\n' "${UPDATE_KEYS[@]}"; } >"$STAGE/update.keys"
  install_file 0644 root:root "$STAGE/update.keys" "$KEYS_FILE"
elif [ ! -e "$KEYS_FILE" ]; then
  # First install: the installer, at the box, vouches for the config's keys once. Later changes of
  # remote.keys do not reach this file: only root (install.sh --update-key, or an edit) does.
  {
    echo "# Ed25519 keys for remote software updates: key-id base64-public-key. Root's own copy,"
    echo "# taken from remote.keys at the first install; edit as root or use install.sh --update-key."
    [ -e "$CONFIG" ] && "$NODE_BIN" -e '
      const r = require("module").createRequire(process.argv[1] + "/");
      const doc = r("yaml").parse(require("fs").readFileSync(process.argv[2], "utf8")) ?? {};
      for (const k of doc.remote?.keys ?? []) if (typeof k?.id === "string" && typeof k?.publicKey === "string" && !/\s/.test(k.publicKey)) console.log(`${k.id} ${k.publicKey}`);
    ' "$SOURCE" "$CONFIG" 2>/dev/null || true
  } >"$STAGE/update.keys"
  install_file 0644 root:root "$STAGE/update.keys" "$KEYS_FILE"
fi
if [ -e "$CONFIG" ]; then
  say "kept the existing /etc/hearth/hearth.yaml"
else
  esc() { printf '%s' "$1" | sed -e 's/[\\&#]/\\&/g' -e "s/'/''/g"; }
  sed -e "s#@GATEWAY_ID@#$(esc "$GATEWAY_ID")#g" \
    -e "s#@GATEWAY_NAME@#'$(esc "${GATEWAY_NAME:-$GATEWAY_ID}")'#g" \
    -e "s#@BUILDING@#$(esc "${GATEWAY_NAME:-$GATEWAY_ID}")#g" \
    -e "s#@PLATFORM_URL@#$(esc "$PLATFORM_URL")#g" \
    "$SOURCE/scripts/templates/hearth.yaml.in" >"$STAGE/hearth.yaml"
  install_file 0640 hearth:hearth "$STAGE/hearth.yaml" "$CONFIG"
fi
# An older install left it root's: the service could not replace it in the sticky folder.
if [ "$(stat -c %u "$CONFIG")" = 0 ]; then
  chown "$(ids hearth:hearth)" "$CONFIG" && chmod 0640 "$CONFIG"
  say "/etc/hearth/hearth.yaml now owned by hearth (remote config replaces it)"
fi

# ---- 6. switch, enable, restart (or roll back), tell the installer what next -------------------
release_adopt_legacy "$NODE_BIN"
release_switch "$VERSION"
release_prune
if [ "$USE_SYSTEMCTL" -eq 1 ]; then
  "$SYSTEMCTL" daemon-reload
  if [ -z "$ROOT" ]; then udevadm control --reload-rules 2>/dev/null && udevadm trigger --subsystem-match=gpio 2>/dev/null || true; fi
  "$SYSTEMCTL" enable --quiet hearth.service hearth-update.path
  [ "$START" -eq 1 ] && { "$SYSTEMCTL" start hearth-update.path || say "warning: hearth-update.path did not start: remote software updates wait (systemctl status hearth-update.path)"; }
  if [ "$START" -eq 1 ]; then
    if "$NODE_BIN" "$ROOT$PREFIX/current/dist/src/main.js" check "$CONFIG" >/dev/null 2>&1; then
      restart_or_revert "$READY_TIMEOUT" || die "release $VERSION did not start; see above (journalctl -u hearth)" 1
    else
      say "the config does not validate yet (see: hearth check); fix it, then: systemctl restart hearth"
    fi
  fi
else
  WANTS="$ROOT/etc/systemd/system/multi-user.target.wants"
  mkdir -p "$WANTS"
  [ -L "$WANTS/hearth.service" ] || { ln -s /etc/systemd/system/hearth.service "$WANTS/hearth.service"; say "enabled hearth.service"; }
  [ -L "$WANTS/hearth-update.path" ] || { ln -s /etc/systemd/system/hearth-update.path "$WANTS/hearth-update.path"; say "enabled hearth-update.path"; }
fi

PORT="$(sed -n 's/^  port: *\([0-9][0-9]*\).*/\1/p' "$CONFIG" | tail -1)"
HOST_IP="$(hostname -I 2>/dev/null | awk '{print $1}')"
TOKEN_FILE="$ROOT/var/lib/hearth/api-token"
if [ "$USE_SYSTEMCTL" -eq 1 ] && [ "$START" -eq 1 ] && [ -z "$ROOT" ]; then
  for _ in $(seq 1 20); do [ -s "$TOKEN_FILE" ] && break; sleep 0.5; done
fi
echo
say "installed hearth $VERSION in ${PREFIX}/releases/$VERSION, current (node $NODE_VERSION); releases: hearth-release list"
say "console: http://${HOST_IP:-<gateway-address>}:${PORT:-8080}/"
if [ -s "$TOKEN_FILE" ]; then
  say "console token: $(cat "$TOKEN_FILE")"
else
  say "console token: created at the first start in /var/lib/hearth/api-token; show it with: sudo hearth token"
fi
say "next: edit /etc/hearth/hearth.yaml, run 'hearth check', then 'sudo systemctl restart hearth'; logs: journalctl -u hearth -f"
