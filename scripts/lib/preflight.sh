# shellcheck shell=bash
# Pre-flight checks of scripts/install.sh: each says what is wrong and the command that fixes it,
# and checks only what this install needs (npm and a compiler only when dependencies are installed
# with npm, never with a bundle that carries them). Callers define: ROOT, PREFIX, NODE_BIN, DEPS,
# say, die.

# Node 22 LTS is the supported major: Node 20 ends in April 2026 and fastify's cookie@2 already
# asks for 22 (npm's EBADENGINE warning). 20.19 still runs hearth (engines in package.json).
node_hint() {
  cat >&2 <<'EOF2'
  hearth needs Node.js >= 20.19; supported: Node 22 LTS. Debian bookworm's apt offers 18 (too old).
  64-bit (arm64, amd64), NodeSource:
    curl -fsSL https://deb.nodesource.com/setup_22.x -o /tmp/nodesource_setup.sh
    sudo bash /tmp/nodesource_setup.sh && sudo apt-get install -y nodejs
  32-bit (armhf) or no apt repository, the official tarball (see docs/installer-guide.en.md, 1.1):
    https://nodejs.org/dist/latest-v22.x/node-v22.*-linux-armv7l.tar.xz  ->  /usr/local
  Debian trixie: `apt install nodejs` (20.19, maintained by Debian) also works.
EOF2
}

preflight_node() {
  NODE_BIN="${NODE_BIN:-$(command -v node || true)}"
  if [ -z "$NODE_BIN" ] || [ ! -x "$NODE_BIN" ]; then
    echo "install.sh: Node.js not found." >&2; node_hint; exit 69
  fi
  NODE_VERSION="$("$NODE_BIN" -p 'process.versions.node')"
  local major minor
  IFS=. read -r major minor _ <<<"$NODE_VERSION"
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    echo "install.sh: Node.js $NODE_VERSION at $NODE_BIN is too old: hearth needs >= 20.19." >&2; node_hint; exit 69
  fi
  [ "$major" -ge 22 ] || say "note: Node $major ends its support in April 2026; Node 22 LTS is the supported major (docs/installer-guide.en.md, 1.1)"
}

# npm only to install dependencies from the registry; Debian's nodejs package does not include it.
preflight_npm() {
  [ "$DEPS" = npm ] || return 0
  command -v npm >/dev/null || die "npm not found, and --deps npm needs it: apt-get install npm (or Node 22 from NodeSource, which includes it); offline, install from a bundle: --bundle hearth-<version>-linux-<arch>.tar.gz" 69
  # Native modules (better-sqlite3, serialport, epoll) compile with node-gyp whenever no prebuilt
  # binary can be downloaded for this Node and architecture: that needs a compiler and python3.
  local missing=()
  command -v make >/dev/null || missing+=(build-essential)
  command -v g++ >/dev/null || { [[ " ${missing[*]} " == *" build-essential "* ]] || missing+=(build-essential); }
  command -v python3 >/dev/null || missing+=(python3)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ -z "$ROOT" ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (native modules compile when no prebuilt binary can be downloaded)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  else
    say "warning: ${missing[*]} missing: native modules cannot compile if no prebuilt binary downloads (apt-get install ${missing[*]})"
  fi
}

# Room for one more complete release beside the current one (the previous one is kept).
preflight_space() {
  local need_mb="${1:-300}" dir="$ROOT$PREFIX" free_mb
  while [ ! -d "$dir" ]; do dir="$(dirname "$dir")"; done
  free_mb="$(df -Pm "$dir" | awk 'NR == 2 { print $4 }')"
  if [ -n "$free_mb" ] && [ "$free_mb" -lt "$need_mb" ]; then
    die "only ${free_mb} MB free under $dir, a release needs ${need_mb} MB: remove old files (journalctl --vacuum-size=50M, apt-get clean)" 69
  fi
}

# Events carry wall time: a gateway without time sync reports them with a clock the platform cannot
# trust (docs/outbox.md, "Clock integrity"). A warning, not a refusal: a fire gateway still installs.
preflight_time() {
  [ -z "$ROOT" ] || return 0
  command -v timedatectl >/dev/null || return 0
  if [ "$(timedatectl show -p NTP --value 2>/dev/null)" != yes ]; then
    say "warning: time synchronisation is off: sudo timedatectl set-ntp true (events need a trustworthy clock)"
  elif [ "$(timedatectl show -p NTPSynchronized --value 2>/dev/null)" != yes ]; then
    say "note: the clock is not synchronised yet (timedatectl timesync-status); hearth corrects event times once it is"
  fi
}
