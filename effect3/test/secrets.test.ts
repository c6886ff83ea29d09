import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Layer, Redacted, Stream } from "effect"
import { inspect } from "node:util"
import { Byok } from "../src/index.js"
import { FakeByokApi, fakeId, Fault } from "../src/testing.js"
import { fakeClient } from "./support.js"
import { makeTelemetry } from "./telemetry.js"

const apiKey = "sk-or-v1-management-SECRET-4f1c9a"
const providerKey = "sk-proj-PROVIDER-SECRET-77aa01"
const rotatedKey = "sk-proj-ROTATED-SECRET-19ce42"
const secrets = [apiKey, providerKey, rotatedKey]

/** Everything an outcome can be turned into by a caller, a logger or an error reporter. */
const renderings = (exit: Exit.Exit<unknown, unknown>): ReadonlyArray<string> => {
  const out = [String(exit), inspect(exit, { depth: 10 }), JSON.stringify(exit)]
  if (Exit.isFailure(exit)) {
    out.push(Cause.pretty(exit.cause), JSON.stringify(Cause.squash(exit.cause)), String(Cause.squash(exit.cause)))
    const error = Cause.squash(exit.cause)
    if (error instanceof Error) out.push(error.message, error.stack ?? "", inspect(error, { depth: 10 }))
  } else {
    out.push(inspect(exit.value, { depth: 10 }))
  }
  return out
}

/** A hostile or careless server that echoes the secrets the request carried back into its error. */
const echo = (status: number, sent: string) =>
  Fault.status(status, {
    body: JSON.stringify({ error: { code: status, message: `bad key ${sent} / ${apiKey}`, metadata: { raw: sent } } }),
    headers: { "x-request-id": "req-1" }
  })

describe("secrets never leak", () => {
  it.effect("the API key and provider keys appear in no error, value, log line or span attribute", () =>
    Effect.gen(function*() {
      const telemetry = yield* makeTelemetry
      const outputs: Array<string> = []
      const scenario = <A, E>(effect: Effect.Effect<A, E, Byok | FakeByokApi>) =>
        Effect.gen(function*() {
          const exit = yield* Effect.exit(Effect.tapErrorCause(effect, (cause) => Effect.logDebug("operation failed", cause)))
          outputs.push(...renderings(exit))
          yield* Effect.logDebug("operation finished", exit)
        })

      const program = Effect.gen(function*() {
        const fake = yield* FakeByokApi
        const byok = yield* Byok
        const input = { provider: "openai", key: Redacted.make(providerKey), name: "Prod" } as const
        outputs.push(JSON.stringify(input), String(input.key), inspect(input, { depth: 5 }))

        yield* scenario(byok.create(input))
        const id = fakeId(2)
        yield* scenario(byok.update(id, { key: Redacted.make(rotatedKey) }))
        yield* scenario(byok.get(id))
        yield* scenario(byok.list({ limit: 2 }))
        yield* scenario(Stream.runCollect(byok.stream({ pageSize: 1 })).pipe(Effect.map(Chunk.toReadonlyArray)))
        for (const status of [400, 401, 403, 404, 429, 500, 502]) {
          yield* fake.injectFault(echo(status, providerKey), { operation: "create" })
          yield* scenario(byok.create(input))
          yield* fake.injectFault(echo(status, rotatedKey), { operation: "update" })
          yield* scenario(byok.update(id, { key: Redacted.make(rotatedKey) }))
        }
        yield* fake.injectFault(Fault.body(`{"data": "${providerKey}"`), { operation: "get" })
        yield* scenario(byok.get(id))
        yield* fake.injectFault(Fault.reset(), { operation: "create" })
        yield* scenario(byok.create(input))
        yield* scenario(byok.create({ ...input, key: Redacted.make("") }))
        yield* scenario(byok.create({ ...input, key: providerKey as unknown as Redacted.Redacted<string> }))
        yield* scenario(byok.update("../keys", { key: Redacted.make(rotatedKey) }))
        yield* scenario(byok.delete(id))
        yield* scenario(byok.delete(id))
      })

      yield* program.pipe(
        Effect.provide(Layer.fresh(fakeClient({
          fake: { seed: 3, apiKey },
          // the platform's own HTTP span is on, so its attributes are searched too
          client: { apiKey: Redacted.make(apiKey), retry: false, appTitle: "leak test", httpClientSpans: true }
        }))),
        Effect.provide(telemetry.layer)
      )

      const spans = telemetry.spans()
      const spanText = spans.map((span) => `${span.name} ${JSON.stringify(Object.fromEntries(span.attributes))}`)
      const everything = [...outputs, ...telemetry.logs(), ...spanText]

      // the search must have something to search: every scenario rendered, logged and traced
      expect(outputs.length).toBeGreaterThan(100)
      expect(telemetry.logs().length).toBeGreaterThan(25)
      expect(spans.filter((s) => s.name.startsWith("Byok.")).length).toBeGreaterThan(20)
      expect(spans.some((s) => s.name.startsWith("http.client"))).toBe(true)
      // and the server's echo of the key did reach the errors, scrubbed
      expect(everything.some((text) => text.includes("bad key <redacted> / <redacted>"))).toBe(true)

      for (const secret of secrets) {
        const leaks = everything.filter((text) => text.includes(secret))
        expect(leaks, `${secret} leaked`).toEqual([])
      }
    }))
})
