/**
 * A user's test, as the README shows it: a service of the user's own that uses Byok, tested with
 * the real client over the in-memory fake. Kept in step with the README's example by hand; the
 * README's copy is type-checked by scripts/check-readme-examples.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { Byok } from "../src/index.js"
import { FakeByokApi, Fault } from "../src/testing.js"

// Your service, which uses Byok.
class KeyRotation extends Context.Tag("KeyRotation")<KeyRotation, {
  readonly rotate: (id: string, key: Redacted.Redacted<string>) => Effect.Effect<string, string>
}>() {
  static readonly layer = Layer.effect(KeyRotation, Effect.map(Byok, (byok) => ({
    rotate: (id, key) =>
      byok.update(id, { key }).pipe(
        Effect.map((updated) => updated.label),
        Effect.catchAll((error) => Effect.fail(error._tag))
      )
  })))
}

describe("KeyRotation", () => {
  // The real Byok client over a fresh in-memory fake with 3 seeded credentials; no retries.
  const TestLayer = KeyRotation.layer.pipe(
    Layer.provideMerge(FakeByokApi.layerByok({ fake: { seed: 3 }, client: { retry: false } }))
  )

  it.effect("rotates a key", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const [first] = yield* fake.credentials
      const label = yield* Effect.flatMap(KeyRotation, (s) => s.rotate(first!.key.id, Redacted.make("sk-new-secret-0042")))
      expect(label).toBe("sk-...0042")
      const [after] = yield* fake.credentials
      expect(Redacted.value(after!.secret)).toBe("sk-new-secret-0042")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("reports the server's failure", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      yield* fake.injectFault(Fault.status(500), { operation: "update" })
      const [first] = yield* fake.credentials
      const error = yield* Effect.flip(Effect.flatMap(KeyRotation, (s) => s.rotate(first!.key.id, Redacted.make("sk-x-0001"))))
      expect(error).toBe("InternalServer")
    }).pipe(Effect.provide(TestLayer)))
})
