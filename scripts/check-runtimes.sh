#!/usr/bin/env bash
# Builds and packs the library, installs the tarball into a fresh consumer project, and runs
# scripts/runtime-smoke/smoke.mjs there under Node, Bun and Deno: every operation once against the
# in-memory fake (no server, no socket). The smoke program imports the package by its name, so each
# runtime resolves it through the published `exports` and `files`, as a user's project would.
# Fails if any runtime is missing or any runtime's run fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Bun and Deno come from the pinned devDependencies `bun` and `deno`. Their launcher packages put the
# real binary in place with a postinstall script, which npm may not run (allowScripts,
# --ignore-scripts): before it runs, bun/bin/bun.exe is a placeholder and the binary is still in the
# platform package (@oven/bun-<os>-<arch>); after, Bun's script has moved it into bun/bin. So try the
# platform package first, then the launcher's copy, and keep the first that runs.
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
bun="$(first_runnable "$root"/node_modules/@oven/bun-*/bin/bun "$root/node_modules/bun/bin/bun.exe")" ||
  { echo "no runnable Bun binary under node_modules: run npm ci" >&2; exit 1; }
deno="$(first_runnable "$root"/node_modules/@deno/*/deno "$root/node_modules/deno/deno")" ||
  { echo "no runnable Deno binary under node_modules: run npm ci" >&2; exit 1; }
shopt -u nullglob
echo "node $(node --version) (node on PATH)"
echo "bun $("$bun" --version) (${bun#"$root/"})"
echo "deno $("$deno" --version | awk 'NR == 1 { print $2 }') (${deno#"$root/"})"

cd "$root"
# Always rebuild: a dist/ left from an older src/ would be tested in its place.
npm run --silent build
tarball="$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)"

# The peers at the exact versions the lockfile installed here (within the devDependency ranges), so
# npm finds them in its cache; @effect/platform-node is left out on purpose: the in-memory fake must
# not need it.
installed() { node -p 'require(process.argv[1]).version' "$root/node_modules/$1/package.json"; }
mkdir "$work/consumer"
cd "$work/consumer"
echo '{ "name": "byok-runtime-smoke", "private": true, "type": "module" }' > package.json
# --omit=peer: npm would otherwise bring @effect/platform-node (a peer for the CLI and the loopback
# fake); leaving it out proves the library and its in-memory fake run without it.
npm install --no-audit --no-fund --prefer-offline --silent --omit=peer \
  "$work/$tarball" "effect@$(installed effect)" "@effect/platform@$(installed @effect/platform)"
if [ -e node_modules/@effect/platform-node ]; then
  echo "@effect/platform-node was installed into the consumer; the smoke must run without it" >&2
  exit 1
fi
cp "$root/scripts/runtime-smoke/smoke.mjs" .

# Each runtime in turn; a failure is reported and the others still run, so one log shows them all.
# A hung run is cut off where coreutils' timeout exists (not on a stock macOS).
limit=()
if command -v timeout >/dev/null; then limit=(timeout 120); fi
failed=0
run() {
  local name="$1" status=0
  shift
  ${limit[@]+"${limit[@]}"} "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "$name: failed (exit $status)" >&2
    failed=1
  fi
}
run node node smoke.mjs
# --no-install: never fetch a package at run time, only use the consumer's node_modules.
run bun "$bun" --no-install smoke.mjs
# manual: use the consumer's node_modules as npm laid it out and never write to it; --cached-only and
# --no-remote: fail rather than fetch anything. No permission is granted (no net, env, read or write
# outside node_modules), which the library and the in-memory fake need none of. DENO_DIR in the temp
# dir keeps the user's Deno cache out of the run.
run deno env DENO_DIR="$work/deno-dir" DENO_NO_UPDATE_CHECK=1 \
  "$deno" run --node-modules-dir=manual --cached-only --no-remote --no-lock --no-prompt smoke.mjs
exit "$failed"
