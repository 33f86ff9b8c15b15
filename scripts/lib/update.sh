# shellcheck shell=bash
# The root half of a remote software update (docs/remote-management.md, "Software update"), run by
# `hearth-release apply REQUEST`, which systemd/hearth-update.service starts when the gateway (user
# hearth) leaves <state>/update/request.json. Nothing the service wrote is trusted:
#   1. the request is taken (renamed), so the path unit does not start us again for it;
#   2. its signed command is verified by the current release's code (root owns it) against the keys
#      in $ROOT/etc/hearth-keys/update.keys (root's own; the service can rewrite /etc/hearth), must be
#      update_software for this gateway, recent, and not applied before (digest in $PREFIX/update-applied);
#   3. the bundle is copied out of the service's folder and the copy checked: not a link, the signed
#      size and SHA-256, the signed version inside;
#   4. installed as any bundle (install.sh: smoke test before `current` switches, state untouched);
#   5. hearth restarted; the new release must become active (READY) AND write connected.json with
#      its version (its uplink reached the platform) within the deadline, else the previous release is
#      put back and restarted;
#   6. the outcome goes to <state>/update/result.json, which the release that runs reports upstream
#      and into the audit log.
# Callers define: ROOT, PREFIX, NODE_BIN, USE_SYSTEMCTL, SYSTEMCTL, say, die, and source release.sh.

UPDATE_STATE_DIR="${UPDATE_STATE_DIR:-/var/lib/hearth}"
UPDATE_DEADLINE="${UPDATE_DEADLINE:-120}"
UPDATE_MAX_AGE="${UPDATE_MAX_AGE:-3600}"

# json_get FILE KEY: one top-level field of a JSON file (empty when absent).
json_get() {
  "$NODE_BIN" -e 'try { const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]; if (v !== undefined) console.log(typeof v === "string" ? v : JSON.stringify(v)); } catch {}' "$1" "$2"
}

# update_result OUTCOME CODE MESSAGE FROM TO: result.json for the daemon, written by rename (a name
# the service prepared cannot redirect root's write) and readable by the service.
update_result() {
  local outcome="$1" code="$2" message="$3" from="$4" to="$5" dir tmp running
  dir="$ROOT$UPDATE_STATE_DIR/update"
  running="$(link_target current)"
  mkdir -p "$dir"
  tmp="$(mktemp -p "$dir" .result.XXXXXX)"
  "$NODE_BIN" -e '
    const [outcome, code, message, from, to, running, taken] = process.argv.slice(1);
    let reply;
    try { reply = JSON.parse(require("fs").readFileSync(taken, "utf8")).reply; } catch {}
    const r = { v: 1, outcome, code, message, from, to, running, at: Date.now() };
    if (reply && typeof reply === "object" && typeof reply.id === "string") r.reply = reply;
    process.stdout.write(JSON.stringify(r) + "\n");
  ' "$outcome" "$code" "$message" "$from" "$to" "$running" "${UPDATE_TAKEN:-}" >"$tmp"
  chmod 0644 "$tmp"
  mv -T "$tmp" "$dir/result.json"
  say "update $outcome ($code): $message"
}

# update_reconnected VERSION SINCE_MS: connected.json names VERSION and was written after SINCE_MS.
update_reconnected() {
  local marker="$ROOT$UPDATE_STATE_DIR/update/connected.json"
  [ -f "$marker" ] && [ ! -L "$marker" ] || return 1
  "$NODE_BIN" -e '
    const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    process.exit(m.version === process.argv[2] && m.at >= Number(process.argv[3]) ? 0 : 1);
  ' "$marker" "$1" "$2" 2>/dev/null
}

# update_wait VERSION SINCE_MS DEADLINE: active and reconnected within DEADLINE seconds.
update_wait() {
  local version="$1" since="$2" deadline="$3" waited=0
  while [ "$waited" -lt "$deadline" ]; do
    if [ "$("$SYSTEMCTL" is-active hearth.service 2>/dev/null || true)" = active ] && update_reconnected "$version" "$since"; then return 0; fi
    sleep 1
    waited=$((waited + 1))
    [ $((waited % 10)) -eq 0 ] && say "waiting for hearth $version to be ready and reach the platform ($waited s)"
  done
  return 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

update_apply() {
  local request="$1" dir taken verdict version sha size from work copy actual top inside old since
  dir="$ROOT$UPDATE_STATE_DIR/update"
  [ -e "$request" ] || { say "no update request at $request: nothing to do"; return 0; }
  taken="$dir/request.json.taken"
  mv -fT "$request" "$taken" || die "cannot take $request" 1
  UPDATE_TAKEN="$taken"
  if [ -L "$taken" ] || [ ! -f "$taken" ]; then
    rm -f "$taken"
    UPDATE_TAKEN=""
    update_result refused request_unreadable "the request is not a regular file" "$(link_target current)" "?"
    return 1
  fi
  work="$(mktemp -d -p /var/tmp hearth-update.XXXXXX)"
  # The download goes too, whatever the outcome: tens of MB on an SD card (rm never follows a link).
  # shellcheck disable=SC2064
  trap "rm -rf '$work'; rm -f '$taken' '$dir/bundle.tar.gz'" EXIT
  old="$(link_target current)"

  # 2. the signature, with root's keys, by root's code
  verdict="$work/verdict.json"
  if ! "$NODE_BIN" "$ROOT$PREFIX/current/dist/src/remote/update/verify-request.js" --request "$taken" --keys "$ROOT/etc/hearth-keys/update.keys" \
      --config "$ROOT/etc/hearth/hearth.yaml" --applied "$ROOT$PREFIX/update-applied" --max-age "$UPDATE_MAX_AGE" >"$verdict" \
    || [ "$(json_get "$verdict" ok)" != true ]; then
    # Fails closed: anything but an explicit {"ok":true} from the check is a refusal.
    local code; code="$(json_get "$verdict" code)"
    update_result refused "${code:-verify_failed}" "$(json_get "$verdict" message)" "$old" "?"
    return 1
  fi
  version="$(json_get "$verdict" version)"; sha="$(json_get "$verdict" sha256)"; size="$(json_get "$verdict" size)"; from="$old"
  json_get "$verdict" digest >>"$ROOT$PREFIX/update-applied"
  say "update $from -> $version: signed by key $(json_get "$verdict" keyId), verified"

  # 3. root's own copy of the bundle, checked
  if [ -L "$dir/bundle.tar.gz" ] || [ ! -f "$dir/bundle.tar.gz" ]; then
    update_result refused bundle_missing "$dir/bundle.tar.gz is missing or not a regular file" "$from" "$version"; return 1
  fi
  copy="$work/hearth-$version.tar.gz"
  cp "$dir/bundle.tar.gz" "$copy"
  actual="$(stat -c %s "$copy")"
  [ "$actual" = "$size" ] || { update_result refused size_mismatch "the bundle is $actual bytes, the signed size is $size" "$from" "$version"; return 1; }
  actual="$(sha256sum "$copy" | awk '{ print $1 }')"
  [ "$actual" = "$sha" ] || { update_result refused sha256_mismatch "the bundle's SHA-256 is $actual, the signed one $sha; not installing it" "$from" "$version"; return 1; }
  top="$(tar -tzf "$copy" 2>/dev/null | head -1 | cut -d/ -f1 || true)"
  inside="$(tar -xzOf "$copy" "$top/package.json" 2>/dev/null | "$NODE_BIN" -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { console.log(JSON.parse(s).version); } catch {} })' || true)"
  [ "$inside" = "$version" ] || { update_result refused version_mismatch "the bundle holds version '${inside:-none}', the signed version is $version" "$from" "$version"; return 1; }

  # 4. installed like any bundle: smoke-tested before current switches
  local -a opts=(--bundle "$copy" --sha256 "$sha" --prefix "$PREFIX" --node "$NODE_BIN" --no-start)
  [ -n "$ROOT" ] && opts+=(--root "$ROOT")
  if ! "$HERE/install.sh" "${opts[@]}" >"$work/install.log" 2>&1; then
    sed 's/^/  /' "$work/install.log"
    update_result refused install_failed "the release did not pass its checks (hearth selftest / hearth check); $from still runs" "$from" "$version"
    return 1
  fi
  [ "$(link_target current)" = "$version" ] || { update_result refused install_failed "installed, but current is $(link_target current)" "$from" "$version"; return 1; }

  # 5. restart; READY and reconnected within the deadline, or back
  [ "$USE_SYSTEMCTL" -eq 1 ] || { update_result installed installed "$version is current (no systemd here: not restarted)" "$from" "$version"; return 0; }
  rm -f "$dir/connected.json"
  since="$(now_ms)"
  say "restarting hearth on $version (ready and connected to the platform within ${UPDATE_DEADLINE} s, or back to $from)"
  "$SYSTEMCTL" restart hearth.service || true
  if update_wait "$version" "$since" "$UPDATE_DEADLINE"; then
    update_result installed installed "$version is running and connected to the platform" "$from" "$version"
    return 0
  fi
  local why=no_reconnect
  [ "$("$SYSTEMCTL" is-active hearth.service 2>/dev/null || true)" = active ] || why=not_ready
  say "hearth $version did not become ready and reach the platform within ${UPDATE_DEADLINE} s ($why): rolling back to $from"
  set_link current "$from"
  set_link previous "$version"
  "$SYSTEMCTL" restart hearth.service || true
  if service_ready "$UPDATE_DEADLINE"; then
    update_result rolled_back "$why" "$version did not become ready and reach the platform within ${UPDATE_DEADLINE} s; $from runs again ($version kept as previous)" "$from" "$version"
  else
    update_result rolled_back "$why" "$version did not become ready and reach the platform within ${UPDATE_DEADLINE} s; rolled back to $from, which is not ready either (journalctl -u hearth)" "$from" "$version"
  fi
  return 1
}
