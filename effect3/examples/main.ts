/**
 * The main job: a tour of every operation.
 *
 * By default it starts the built-in fake API on 127.0.0.1, seeded with a few hundred credentials,
 * and runs over real HTTP against it: no key needed. With `--live` (and `OPENROUTER_API_KEY` set)
 * the same program runs against the real API, read-only unless `--write` is given too.
 */
import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Redacted, Stream } from "effect"
import { Byok, type ByokKey } from "../src/index.js"
import { FakeByokApi, FakeByokServer } from "../src/testing.js"

const live = process.argv.includes("--live")
const write = !live || process.argv.includes("--write")

const describe = (key: ByokKey) =>
  `${key.id}  ${key.provider.padEnd(15)} ${key.label.padEnd(14)} ${key.disabled ? "disabled" : "enabled "}  ${key.name ?? "(no name)"}`

const readOnlyTour = Effect.gen(function*() {
  const byok = yield* Byok

  const page = yield* byok.list({ limit: 5, offset: 0 })
  yield* Console.log(`First page: ${page.data.length} of ${page.totalCount} credentials`)
  for (const key of page.data) yield* Console.log(`  ${describe(key)}`)

  const perProvider = yield* byok.stream().pipe(
    Stream.runFold(new Map<string, number>(), (counts, key) => counts.set(key.provider, (counts.get(key.provider) ?? 0) + 1))
  )
  yield* Console.log(`\nStreamed every credential, page by page:`)
  for (const [provider, count] of [...perProvider].sort((a, b) => b[1] - a[1])) {
    yield* Console.log(`  ${provider.padEnd(15)} ${count}`)
  }

  const first = page.data[0]
  if (first !== undefined) {
    const one = yield* byok.get(first.id)
    yield* Console.log(`\nGot one by id:\n  ${describe(one)}`)
    if (one.workspaceId !== null) {
      // Scoped to its workspace, get answers only for a credential of that workspace.
      const scoped = yield* byok.get(one.id, { workspaceId: one.workspaceId })
      yield* Console.log(`Got it again within workspace ${scoped.workspaceId}`)
    }
  }
})

const writeTour = Effect.gen(function*() {
  const byok = yield* Byok
  // With `recover`, a create whose outcome is unknown (a timeout, a reset, a 5XX) is settled by
  // looking, so it ends with exactly one credential or a CreateOutcomeUnknown naming the candidates.
  const made = yield* byok.create(
    { provider: "openai", key: Redacted.make("sk-example-original-0001"), name: "Example key" },
    { recover: true }
  )
  yield* Console.log(`\nCreated:\n  ${describe(made)}`)
  const rotated = yield* byok.update(made.id, { key: Redacted.make("sk-example-rotated-0002") })
  yield* Console.log(`Rotated (new label ${rotated.label}):\n  ${describe(rotated)}`)
  const disabled = yield* byok.update(made.id, { disabled: true })
  yield* Console.log(`Disabled:\n  ${describe(disabled)}`)
  yield* byok.delete(made.id)
  const gone = yield* byok.get(made.id).pipe(
    Effect.as("still there"),
    Effect.catchTag("NotFound", () => Effect.succeed("gone (NotFound)"))
  )
  yield* Console.log(`Deleted; getting it again: ${gone}`)
})

const tour = Effect.gen(function*() {
  yield* readOnlyTour
  if (write) yield* writeTour
  else yield* Console.log("\n(read-only: pass --write to create, rotate, disable and delete a credential)")
})

/** The fake on 127.0.0.1 and the real client pointed at it over HTTP. */
const againstFake = Layer.unwrapEffect(
  Effect.gen(function*() {
    const fake = yield* FakeByokApi
    const server = yield* FakeByokServer
    yield* Console.log(`Fake BYOK API listening on ${server.baseUrl}\n`)
    return Byok.layer({ apiKey: fake.apiKey, baseUrl: server.baseUrl, appTitle: "effect-openrouter-byok example" })
  })
).pipe(Layer.provide(FakeByokApi.layerServer()), Layer.provide(FakeByokApi.layer({ seed: 300 })))

const againstLive = Byok.layerConfig({ appTitle: Config.succeed("effect-openrouter-byok example") })

const main: Effect.Effect<void, unknown, HttpClient.HttpClient> = live
  ? Effect.provide(tour, againstLive)
  : Effect.provide(tour, againstFake)

main.pipe(
  // On Node, undici's own client is the fast transport (see the README's "Transport" section).
  Effect.provide(NodeHttpClient.layerUndici),
  Effect.catchAll((error) => Effect.zipRight(Console.error(`Failed: ${String(error)}`), Effect.sync(() => (process.exitCode = 1)))),
  Effect.runPromise
)
