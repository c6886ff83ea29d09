#!/usr/bin/env bash
# Packs each line, installs its tarball into a fresh project with that line's own Effect, and runs
# scripts/runtime-smoke/smoke.mjs there (every operation once against the in-memory fake: no server,
# no socket) under Node 22 and 24, Bun and Deno, and Node 20 where the machine has it (the libraries
# still run there; only @effect/platform-node 4 needs 22). The smoke program imports the package by its name, so each
# runtime resolves it through the published `exports` and `files`, as a user's project would. Fails
# if any runtime is missing or any run fails.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Node 22 and 24, Bun and Deno come from the pinned devDependencies `node`, `node-24`, `bun` and
# `deno`. The launcher packages put the real binary in place with an install script, which npm may
# not have run (allowScripts, --ignore-scripts): then it is still in the platform package. Try each
# place and keep the first that runs.
first_runnable() {
  local candidate
  for candidate in "$@"; do
    if [ -f "$candidate" ] && [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
shopt -s nullglob
node22="$(first_runnable "$repo/node_modules/node/bin/node")" || { echo "no Node 22 under node_modules: run npm ci" >&2; exit 1; }
node24="$(first_runnable "$repo/node_modules/node-24/bin/node")" || { echo "no Node 24 under node_modules: run npm ci" >&2; exit 1; }
bun="$(first_runnable "$repo"/node_modules/@oven/bun-*/bin/bun "$repo/node_modules/bun/bin/bun.exe")" ||
  { echo "no runnable Bun binary under node_modules: run npm ci" >&2; exit 1; }
deno="$(first_runnable "$repo"/node_modules/@deno/*/deno "$repo/node_modules/deno/deno")" ||
  { echo "no runnable Deno binary under node_modules: run npm ci" >&2; exit 1; }
shopt -u nullglob
# The machine's own Node 20, when it has one.
node20="$(first_runnable /usr/bin/node /usr/local/bin/node || true)"
case "$("${node20:-false}" --version 2>/dev/null)" in v20.*) ;; *) node20="" ;; esac

echo "node $("$node22" --version), node $("$node24" --version)${node20:+, node $("$node20" --version)}"
echo "bun $("$bun" --version), deno $("$deno" --version | awk 'NR == 1 { print $2 }')"

failed=0
# A hung run is cut off where coreutils' timeout exists (not on a stock macOS).
limit=()
if command -v timeout >/dev/null; then limit=(timeout 120); fi
run() {
  local name="$1" status=0
  shift
  ${limit[@]+"${limit[@]}"} "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "$name: failed (exit $status)" >&2
    failed=1
  fi
}

# The version of a package the line installed for itself (the Effect 3 line has its own node_modules).
installed() {
  local line="$1" name="$2" dir
  for dir in "$repo/$line/node_modules" "$repo/node_modules"; do
    if [ -f "$dir/$name/package.json" ]; then "$node22" -p 'require(process.argv[1]).version' "$dir/$name/package.json"; return; fi
  done
  echo "$line: $name is not installed" >&2
  exit 1
}

for line in effect4 effect3; do
  echo "== $line"
  (cd "$repo/$line" && npm run --silent build)
  tarball="$(cd "$repo/$line" && npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)"
  consumer="$work/$line"
  mkdir "$consumer"
  echo '{ "name": "byok-runtime-smoke", "private": true, "type": "module" }' >"$consumer/package.json"
  peers=("effect@$(installed "$line" effect)")
  [ "$line" = effect3 ] && peers+=("@effect/platform@$(installed "$line" @effect/platform)")
  # --omit=peer: the optional peer @effect/platform-node stays out; the in-memory fake must not need it.
  (cd "$consumer" && npm install --no-audit --no-fund --prefer-offline --silent --omit=peer "$work/$tarball" "${peers[@]}")
  if [ -e "$consumer/node_modules/@effect/platform-node" ]; then
    echo "$line: @effect/platform-node was installed into the consumer; the smoke must run without it" >&2
    exit 1
  fi
  cp "$repo/scripts/runtime-smoke/smoke.mjs" "$consumer/"
  cd "$consumer"
  run "$line node 22" "$node22" smoke.mjs
  run "$line node 24" "$node24" smoke.mjs
  if [ -n "$node20" ]; then run "$line node 20" "$node20" smoke.mjs; fi
  # --no-install: never fetch a package at run time, only use the consumer's node_modules.
  run "$line bun" "$bun" --no-install smoke.mjs
  # manual: use node_modules as npm laid it out and never write to it; --cached-only and --no-remote:
  # fail rather than fetch. No permission is granted: the library and the in-memory fake need none.
  run "$line deno" env DENO_DIR="$work/deno-dir" DENO_NO_UPDATE_CHECK=1 \
    "$deno" run --node-modules-dir=manual --cached-only --no-remote --no-lock --no-prompt smoke.mjs
  cd "$repo"
done
exit "$failed"
