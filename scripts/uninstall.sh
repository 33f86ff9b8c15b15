#!/usr/bin/env bash
# Removes hearth. Keeps the configuration (/etc/hearth), the data (/var/lib/hearth: the outbox may
# still hold alarms the platform has not confirmed) and the user, unless --purge is given.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: uninstall.sh [--purge] [--root DIR] [--prefix DIR] [--no-systemctl]

  --purge          also delete /etc/hearth, /var/lib/hearth (outbox, token) and the hearth user
  --root DIR       remove from a scratch root instead of / (implies --no-systemctl)
  --prefix DIR     package location (default /opt/hearth)
  --no-systemctl   do not call systemctl
EOF
}

die() { echo "uninstall.sh: $*" >&2; exit "${2:-1}"; }
say() { echo "hearth uninstall: $*"; }

ROOT=""
PREFIX=/opt/hearth
PURGE=0
USE_SYSTEMCTL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) PURGE=1; shift ;;
    --root) ROOT="$(cd "${2:?}" && pwd)"; USE_SYSTEMCTL=0; shift 2 ;;
    --prefix) PREFIX="${2:?}"; shift 2 ;;
    --no-systemctl) USE_SYSTEMCTL=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" 64 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "run as root (sudo)"
if [ "$USE_SYSTEMCTL" -eq 1 ] && { ! command -v systemctl >/dev/null || [ ! -d /run/systemd/system ]; }; then USE_SYSTEMCTL=0; fi

if [ "$USE_SYSTEMCTL" -eq 1 ]; then
  # stop: SIGTERM, the daemon commits its batch and says offline to the platform.
  systemctl disable --now --quiet hearth-update.path hearth.service 2>/dev/null || true
fi
rm -f "$ROOT/etc/systemd/system/multi-user.target.wants/hearth.service" \
  "$ROOT/etc/systemd/system/hearth.service" \
  "$ROOT/etc/systemd/system/multi-user.target.wants/hearth-update.path" \
  "$ROOT/etc/systemd/system/hearth-update.path" \
  "$ROOT/etc/systemd/system/hearth-update.service" \
  "$ROOT/etc/systemd/system/hearth.service.d/restart-backoff.conf" \
  "$ROOT/etc/udev/rules.d/60-hearth-gpio.rules" \
  "$ROOT/usr/local/bin/hearth" \
  "$ROOT/usr/local/sbin/hearth-release"
# The drop-in folder goes only if empty: an installer's own `systemctl edit` override stays.
rmdir "$ROOT/etc/systemd/system/hearth.service.d" 2>/dev/null || true
# Every release, current and previous: state lives elsewhere.
rm -rf "${ROOT:?}$PREFIX"
[ "$USE_SYSTEMCTL" -eq 1 ] && systemctl daemon-reload
say "removed the service, the command and $PREFIX"

if [ "$PURGE" -eq 1 ]; then
  rm -rf "$ROOT/etc/hearth" "$ROOT/etc/hearth-keys" "$ROOT/var/lib/hearth"
  if grep -q '^hearth:' "$ROOT/etc/passwd"; then
    if [ -n "$ROOT" ]; then userdel --root "$ROOT" hearth; else userdel hearth; fi
  fi
  say "purged /etc/hearth, /var/lib/hearth and the hearth user"
else
  say "kept /etc/hearth (configuration) and /var/lib/hearth (outbox, token); --purge removes them"
fi
