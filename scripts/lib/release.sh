# shellcheck shell=bash
# Versioned releases under $PREFIX (default /opt/hearth), shared by scripts/install.sh and
# scripts/hearth-release:
#
#   releases/<version>/   one complete release each: dist, data, scripts, docs AND its node_modules
#   current  -> releases/<version>   what the unit and /usr/local/bin/hearth run
#   previous -> releases/<version>   what `hearth-release rollback` goes back to
#
# A release is staged completely (dependencies included) outside releases/, smoke-tested
# (`hearth selftest`, then `hearth check` on the live config), and only then renamed into place
# and `current` switched with one rename: a failed download, an empty node_modules or a broken
# build can never replace the release that runs. State (/var/lib/hearth, /etc/hearth) is never
# touched here. Callers define: ROOT, PREFIX, NODE_BIN, USE_SYSTEMCTL, SYSTEMCTL, say, die.

releases_dir() { echo "$ROOT$PREFIX/releases"; }

# link_target NAME: the version `current` or `previous` points to, empty when none.
link_target() {
  local link="$ROOT$PREFIX/$1"
  [ -L "$link" ] && basename "$(readlink "$link")" || true
}

# set_link NAME VERSION: point NAME at releases/VERSION with one rename (never a moment without it).
set_link() {
  local link="$ROOT$PREFIX/$1"
  ln -sfn "releases/$2" "$link.tmp.$$"
  mv -T "$link.tmp.$$" "$link"
}

# release_smoke DIR CONFIG: the new release loads completely and accepts the live config. Opens no
# device or state file, so it runs while the service holds the serial ports and GPIO lines.
release_smoke() {
  local dir="$1" config="$2"
  say "smoke test of the new release: hearth selftest"
  if ! (cd / && "$NODE_BIN" "$dir/dist/src/main.js" selftest | sed 's/^/  /'; exit "${PIPESTATUS[0]}"); then
    say "the new release does not load (selftest failed above): not switching to it"
    return 1
  fi
  if [ -e "$config" ]; then
    say "checking the live config with the new release: hearth check ${config#"$ROOT"}"
    if ! (cd / && "$NODE_BIN" "$dir/dist/src/main.js" check "$config" >/dev/null); then
      say "the new release refuses the live config (see: hearth check above): not switching to it"
      return 1
    fi
  fi
}

# release_put STAGED VERSION: move a smoke-tested staged tree to releases/VERSION. The same
# version with the same content is left as it is (a second install changes nothing).
release_put() {
  local staged="$1" version="$2" dest
  dest="$(releases_dir)/$version"
  if [ -d "$dest" ] && diff -rq --no-dereference "$staged" "$dest" >/dev/null 2>&1; then
    rm -rf "$staged"
    return 0
  fi
  chown -R root:root "$staged"
  if [ -e "$dest" ]; then mv -T "$dest" "$dest.old.$$"; fi
  mv -T "$staged" "$dest"
  rm -rf "$dest.old.$$"
  say "installed release ${dest#"$ROOT"}"
}

# release_switch VERSION: current -> VERSION, previous -> what current was. Nothing when current
# is already VERSION.
release_switch() {
  local version="$1" old
  old="$(link_target current)"
  [ "$old" = "$version" ] && return 0
  set_link current "$version"
  if [ -n "$old" ] && [ -d "$(releases_dir)/$old" ]; then set_link previous "$old"; fi
  say "switched current to $version${old:+ (previous: $old)}"
}

# release_prune: keep current and previous, remove other releases and the files of the layout
# before releases (everything directly under $PREFIX, e.g. dist/ and node_modules/; update-applied,
# the digests of applied remote updates (scripts/lib/update.sh), stays).
release_prune() {
  local keep_a keep_b entry name
  keep_a="$(link_target current)"
  keep_b="$(link_target previous)"
  for entry in "$(releases_dir)"/*; do
    [ -e "$entry" ] || continue
    name="$(basename "$entry")"
    [ "$name" = "$keep_a" ] || [ "$name" = "$keep_b" ] || { rm -rf "$entry"; say "removed release $name"; }
  done
  for entry in "$ROOT$PREFIX"/*; do
    name="$(basename "$entry")"
    case "$name" in releases|current|previous|update-applied) ;; *) rm -rf "$entry"; say "removed ${entry#"$ROOT"} (layout before releases)" ;; esac
  done
}

# service_ready TIMEOUT: restarted service reaches `active` (Type=notify: READY=1 was sent) within
# TIMEOUT seconds and is still active $HEARTH_SETTLE_S seconds later (not a crash right after READY).
service_ready() {
  local timeout="$1" settle="${HEARTH_SETTLE_S:-5}" waited=0 state
  while [ "$waited" -lt "$timeout" ]; do
    state="$("$SYSTEMCTL" is-active hearth.service 2>/dev/null || true)"
    if [ "$state" = active ]; then
      sleep "$settle"
      [ "$("$SYSTEMCTL" is-active hearth.service 2>/dev/null || true)" = active ] && return 0
    fi
    sleep 1
    waited=$((waited + 1))
    [ $((waited % 10)) -eq 0 ] && say "waiting for hearth to be ready ($waited s, state: ${state:-unknown})"
  done
  return 1
}

# restart_or_revert TIMEOUT: restart onto current; when it does not become ready, switch back to
# previous and restart that (a gateway must not stay down on a release that cannot start).
restart_or_revert() {
  local timeout="$1" new prev
  [ "$USE_SYSTEMCTL" -eq 1 ] || return 0
  new="$(link_target current)"
  say "restarting hearth on $new (ready within ${timeout} s, or back to the previous release)"
  "$SYSTEMCTL" restart hearth.service || true
  if service_ready "$timeout"; then say "hearth $new is running"; return 0; fi
  prev="$(link_target previous)"
  if [ -z "$prev" ]; then
    say "hearth $new did not become ready and there is no previous release (journalctl -u hearth)"
    return 1
  fi
  say "hearth $new did not become ready within ${timeout} s: rolling back to $prev"
  set_link current "$prev"
  set_link previous "$new"
  "$SYSTEMCTL" restart hearth.service || true
  if service_ready "$timeout"; then say "rolled back: hearth $prev is running; $new is kept as previous for inspection"
  else say "rolled back to $prev, which is not ready either (journalctl -u hearth)"; fi
  return 1
}

# release_rollback: current <-> previous, then restart (and revert if that start fails too).
release_rollback() {
  local cur prev
  cur="$(link_target current)"
  prev="$(link_target previous)"
  [ -n "$prev" ] && [ -d "$(releases_dir)/$prev" ] || die "no previous release to roll back to (hearth-release list)" 1
  set_link current "$prev"
  set_link previous "$cur"
  say "rolled back: current is $prev (previous: $cur)"
  restart_or_revert "${READY_TIMEOUT:-90}"
}

# release_list: the releases, newest first by install time, with current and previous marked.
release_list() {
  local cur prev name mark
  cur="$(link_target current)"
  prev="$(link_target previous)"
  for name in $(ls -t "$(releases_dir)" 2>/dev/null); do
    mark=""
    [ "$name" = "$cur" ] && mark=" (current)"
    [ "$name" = "$prev" ] && mark=" (previous)"
    echo "$name$mark"
  done
}

# release_adopt_legacy NODE: an install from before releases ran /opt/hearth/dist directly. Its
# files become releases/<its version> and `current`, so the first upgrade keeps it as `previous`.
release_adopt_legacy() {
  local node="$1" old entry name
  [ -f "$ROOT$PREFIX/dist/src/main.js" ] && [ ! -L "$ROOT$PREFIX/current" ] || return 0
  old="$(package_version "$node" "$ROOT$PREFIX" 2>/dev/null || echo legacy)"
  [ -e "$(releases_dir)/$old" ] && old="$old-legacy"
  mkdir -p "$(releases_dir)/$old"
  for entry in "$ROOT$PREFIX"/*; do
    name="$(basename "$entry")"
    case "$name" in releases|current|previous|update-applied) ;; *) mv "$entry" "$(releases_dir)/$old/" ;; esac
  done
  set_link current "$old"
  say "kept the installed version as release $old"
}
