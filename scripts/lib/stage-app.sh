# shellcheck shell=bash
# What a release contains, shared by scripts/install.sh (installing from a built tree) and
# scripts/bundle.sh (making a bundle): the compiled runtime, the data files, the unit, the scripts
# and the docs; never TypeScript sources, compiled tests or benchmarks, or dev dependencies.

# stage_app SOURCE APP: copy the release's files from the built tree SOURCE into APP (new folder).
stage_app() {
  local source="$1" app="$2" f
  mkdir -p "$app/dist" "$app/scripts"
  cp -a "$source/dist/src" "$app/dist/src"
  [ -d "$source/dist/drivers" ] && cp -a "$source/dist/drivers" "$app/dist/drivers"
  # Profiles (data) and their schema; the TypeScript sources stay behind.
  (cd "$source" && find drivers -type f \( -name '*.yaml' -o -name '*.json' -o -name '*.md' \) -exec cp --parents -p {} "$app" \;)
  cp -a "$source/config" "$source/systemd" "$app/"
  [ -d "$source/docs" ] && cp -a "$source/docs" "$app/"
  for f in install.sh uninstall.sh hearth-release bundle.sh templates lib; do
    [ -e "$source/scripts/$f" ] && cp -a "$source/scripts/$f" "$app/scripts/"
  done
  for f in package.json package-lock.json README.md LICENSE; do [ -f "$source/$f" ] && cp -a "$source/$f" "$app/"; done
  find "$app" -name '*.tsbuildinfo' -delete
  find "$app/dist" -name '*.test.*' -delete
}

# stage_deps_copy NODE SOURCE DEST: the production packages package-lock.json names (every entry
# not marked dev), copied from SOURCE/node_modules as they are: same machine and architecture as
# the build, native modules are not rebuilt. Read from the lock rather than `npm ls` so the list
# does not depend on how node_modules got there.
stage_deps_copy() {
  local node="$1" source="$2" dest="$3" rel
  [ -d "$source/node_modules" ] || { echo "$source/node_modules missing" >&2; return 1; }
  mkdir -p "$dest"
  "$node" -e '
    const lock = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const [path, p] of Object.entries(lock.packages ?? {}))
      if (path.startsWith("node_modules/") && !p.dev && !p.link) console.log(path.slice("node_modules/".length));
  ' "$source/package-lock.json" | sort | while read -r rel; do
    [ -d "$source/node_modules/$rel" ] || continue   # an optional package for another platform
    if [ ! -e "$dest/$rel" ]; then
      mkdir -p "$dest/$(dirname "$rel")"
      cp -a "$source/node_modules/$rel/." "$dest/$rel"
    fi
  done
  # npm's own cache of the tree would list dev packages that were not copied.
  rm -f "$dest/.package-lock.json"
}

# package_version NODE DIR: the "version" of DIR/package.json.
package_version() {
  "$1" -p 'require(process.argv[1]).version' "$2/package.json"
}
