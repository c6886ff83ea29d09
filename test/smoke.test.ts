import { it } from "@effect/vitest"
import { Effect, Redacted, Stream, Chunk } from "effect"
import { expect } from "vitest"
import { Byok } from "../src/index.js"
import { FakeByokApi } from "../src/testing.js"

it.effect("smoke", () =>
  Effect.gen(function*() {
    const byok = yield* Byok
    const page = yield* byok.list({ limit: 5 })
    expect(page.data.length).toBe(5)
    expect(page.totalCount).toBe(30)
    const all = yield* Stream.runCollect(byok.stream({ pageSize: 7 }))
    expect(Chunk.size(all)).toBe(30)
    const made = yield* byok.create({ provider: "openai", key: Redacted.make("sk-test-123456789"), name: "Prod" })
    const got = yield* byok.get(made.id)
    expect(got.name).toBe("Prod")
    const upd = yield* byok.update(made.id, { disabled: true, key: Redacted.make("sk-new-abcdefgh") })
    expect(upd.disabled).toBe(true)
    yield* byok.delete(made.id)
    const err = yield* Effect.flip(byok.get(made.id))
    expect(err._tag).toBe("NotFound")
    const bad = yield* Effect.flip(byok.get("../keys"))
    expect(bad._tag).toBe("InvalidRequest")
  }).pipe(Effect.provide(FakeByokApi.layerByok({ fake: { seed: 30 } }))))
