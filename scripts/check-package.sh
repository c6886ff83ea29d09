#!/usr/bin/env bash
# Packs the library, installs the tarball into a fresh consumer project, and checks that both entry
# points import, type-check and run there as ESM with types, and that the `byok` bin runs. Only
# `effect` and `@effect/platform` are named: npm brings `@effect/platform-node`, a peer the CLI and
# the loopback fake need, by itself.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $tarball"

versions() { node -p "require('$root/package.json').devDependencies['$1']"; }
mkdir -p "$work/consumer"
cd "$work/consumer"
cat > package.json <<JSON
{ "name": "byok-consumer", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --prefer-offline --silent \
  "$work/$tarball" \
  "effect@$(versions effect)" "@effect/platform@$(versions @effect/platform)" \
  "typescript@$(versions typescript)" "@types/node@$(versions @types/node)"

cat > consumer.ts <<'TS'
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Redacted, Stream } from "effect"
import { Byok, ByokError, type ByokKey } from "effect-openrouter-byok"
import { FakeByokApi, FakeByokServer } from "effect-openrouter-byok/testing"

const program = Effect.gen(function*() {
  const byok = yield* Byok
  const keys: ReadonlyArray<ByokKey> = yield* Stream.runCollect(byok.stream({ pageSize: 10 })).pipe(Effect.map((c) => Array.from(c)))
  const made = yield* byok.create({ provider: "openai", key: Redacted.make("sk-consumer-0001") })
  yield* byok.delete(made.id)
  const missing = yield* byok.get(made.id).pipe(Effect.flip)
  return { count: keys.length, missing: missing._tag }
})

const overHttp = Layer.unwrapEffect(Effect.gen(function*() {
  const fake = yield* FakeByokApi
  const server = yield* FakeByokServer
  return Byok.layer({ apiKey: fake.apiKey, baseUrl: server.baseUrl })
})).pipe(Layer.provide(FakeByokApi.layerServer()), Layer.provide(FakeByokApi.layer({ seed: 25 })), Layer.provide(FetchHttpClient.layer))

const result = await Effect.runPromise(program.pipe(Effect.provide(overHttp)))
const expectedTag: ByokError.NotFound["_tag"] = "NotFound"
if (result.count !== 25 || result.missing !== expectedTag) throw new Error(`unexpected result ${JSON.stringify(result)}`)
console.log(`consumer ok: ${JSON.stringify(result)}`)
TS
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
    "strict": true, "skipLibCheck": false, "types": ["node"], "outDir": "out"
  },
  "files": ["consumer.ts"]
}
JSON
npx tsc -p tsconfig.json
node out/consumer.js

# The `byok` CLI, as the package's bin, against its built-in fake. `--no` keeps npx from fetching
# some other package called byok if the bin was not installed; `--` keeps npm from taking the CLI's
# flags (--fake, --format) as its own.
npx --no -- byok --fake list --format json > byok-list.json
node -e '
const keys = JSON.parse(require("fs").readFileSync("byok-list.json", "utf8"))
const got = keys.map((k) => `${k.provider}/${k.name}`).join(", ")
const want = "openai/Production, anthropic/Production, google-vertex/Batch jobs, amazon-bedrock/Legacy, groq/Shared fallback"
if (got !== want) throw new Error(`byok --fake list: unexpected demo keys: ${got}`)
'
id="$(node -e 'console.log(JSON.parse(require("fs").readFileSync("byok-list.json", "utf8"))[1].id)')"
npx --no -- byok --fake get "$id" --format json > byok-get.json
node -e '
const key = JSON.parse(require("fs").readFileSync("byok-get.json", "utf8"))
if (key.id !== process.argv[1] || key.provider !== "anthropic") throw new Error(`byok --fake get: unexpected ${JSON.stringify(key)}`)
' "$id"
echo "cli ok: byok --fake list and get"
