#!/usr/bin/env bash
# Installs the packed packages as a newcomer would, running the README's own install lines exactly
# as written (the package names swapped for the packed tarballs), in empty projects:
#   - a project that already has `effect@latest`, adding the Effect 4 line;
#   - a project pinned to `effect@3`, adding the Effect 3 line;
#   - the byok CLI installed globally (into a scratch prefix), then `byok --fake list`.
# Each install must print no ERESOLVE and no peer warning; each library project then runs a short
# program in the README's style (a list through Byok) against the in-memory fake.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pack() {
  (cd "$repo/$1" && npm run --silent build >/dev/null && npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)
}
effect4="$work/$(pack effect4)"
effect3="$work/$(pack effect3)"
cli="$work/$(pack cli)"

# The README's install lines: every `npm install …` line of its "## Install" section.
mapfile -t lines < <(awk '/^## Install/ { on = 1; next } /^## / { on = 0 } on && /^npm install / { sub(/[ \t]+#.*$/, ""); print }' "$repo/README.md")
line_for() {
  local pattern="$1" line
  for line in "${lines[@]}"; do
    if [[ "$line" =~ $pattern ]]; then echo "$line"; return 0; fi
  done
  echo "the README's Install section has no line matching /$pattern/" >&2
  exit 1
}
# The README names the packages; here they are the tarballs just packed.
as_packed() {
  sed -E \
    -e "s#(^| )effect-openrouter-byok-cli( |$)#\1$cli\2#" \
    -e "s#(^| )effect-openrouter-byok@1( |$)#\1$effect3\2#" \
    -e "s#(^| )effect-openrouter-byok( |$)#\1$effect4\2#" <<<"$1"
}

# Runs one install line in the current project; fails on any ERESOLVE or peer warning.
install() {
  local line="$1" log="$work/install.log"
  echo "\$ $line"
  # shellcheck disable=SC2046 # the line is a command to split into words, as a shell would
  if ! $(as_packed "$line") >"$log" 2>&1; then
    cat "$log"
    echo "the README's install line failed: $line" >&2
    exit 1
  fi
  if grep -Eiq 'ERESOLVE|peer dep|unmet peer|conflicting peer|Could not resolve dependency' "$log"; then
    cat "$log"
    echo "the README's install line printed a resolution or peer warning: $line" >&2
    exit 1
  fi
}

# A new project, as `npm init` leaves it.
project() {
  mkdir -p "$work/$1"
  cd "$work/$1"
  echo "{ \"name\": \"$1\", \"version\": \"1.0.0\", \"private\": true, \"type\": \"module\" }" >package.json
}

# The README's style: the service from the context, one list, against the in-memory fake.
program='
import { Effect } from "effect"
import { Byok } from "effect-openrouter-byok"
import { FakeByokApi } from "effect-openrouter-byok/testing"

const firstPage = Effect.gen(function*() {
  const byok = yield* Byok
  return yield* byok.list({ provider: "openai", limit: 10 })
})

const page = await Effect.runPromise(firstPage.pipe(Effect.provide(FakeByokApi.layerByok({ fake: { seed: 9 } }))))
if (page.totalCount !== 2 || page.data.map((key) => key.label).join() !== "sk-...0001,sk-...0009") {
  throw new Error(`unexpected page: ${JSON.stringify(page)}`)
}
console.log(`list through Byok: ${page.totalCount} openai credentials, ${page.data.map((key) => key.label).join(", ")}`)
'

echo "== a project on effect@latest adds the Effect 4 line"
project latest
npm install effect >/dev/null 2>&1
echo "(already has effect $(node -p 'require("effect/package.json").version'))"
install "$(line_for '^npm install effect-openrouter-byok effect')"
install "$(line_for '^npm install @effect/platform-node$')"
echo "$program" >main.mjs
node main.mjs

echo "== a project pinned to effect@3 adds the Effect 3 line"
project pinned
npm install effect@3 >/dev/null 2>&1
echo "(already has effect $(node -p 'require("effect/package.json").version'))"
install "$(line_for '^npm install effect-openrouter-byok@1 ')"
install "$(line_for '^npm install @effect/platform-node@0')"
echo "$program" >main.mjs
node main.mjs

echo "== the byok CLI, installed globally"
project global
export npm_config_prefix="$work/global-prefix"
install "$(line_for '^npm install -g effect-openrouter-byok-cli')"
unset npm_config_prefix
listed="$("$work/global-prefix/bin/byok" --fake list --format json)"
node -e '
const keys = JSON.parse(process.argv[1])
const got = keys.map((k) => `${k.provider}/${k.name}`).join(", ")
const want = "openai/Production, anthropic/Production, google-vertex/Batch jobs, amazon-bedrock/Legacy, groq/Shared fallback"
if (got !== want) throw new Error(`byok --fake list: unexpected demo keys: ${got}`)
console.log(`byok --fake list: ${keys.length} demo credentials`)
' "$listed"
