import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Redacted, Stream } from "effect"
import { Byok } from "effect-openrouter-byok"

const workspaceId = "550e8400-e29b-41d4-a716-446655440000"

const program = Effect.gen(function*() {
  const byok = yield* Byok
  const page = yield* byok.list({ limit: 50, offset: 0, provider: "openai", workspaceId })
  //    page: { data: ReadonlyArray<ByokKey>, totalCount, offset, limit }
  const all = yield* Stream.runCollect(byok.stream({ provider: "openai" })) // every credential, lazily
  const one = yield* byok.get(page.data[0]!.id)
  const made = yield* byok.create({ provider: "openai", key: Redacted.make("sk-..."), name: "Prod" })
  const upd = yield* byok.update(made.id, { disabled: true, key: Redacted.make("sk-new") })
  yield* byok.delete(made.id)
  return { all, one, upd }
})

program.pipe(Effect.provide(Byok.layerConfig()), Effect.provide(NodeHttpClient.layerUndici), Effect.runPromise)

export {}
