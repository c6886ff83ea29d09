import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Byok } from "../src/index.js"
import { FakeByokApi, fakeId, Fault } from "../src/testing.js"
import { provideFresh } from "./support.js"

describe("created_at: RFC 3339 date-times only", () => {
  it.effect("a key whose created_at is not RFC 3339 is a DecodeError that names the field", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      for (const createdAt of ["1", "12/31/1999", "2025-08-24T10:30:00"]) {
        yield* fake.injectFault(Fault.mapBody((wire) => ({ data: { ...wire.data, created_at: createdAt } })), { operation: "get" })
        const error = yield* Effect.flip(byok.get(fakeId(1)))
        expect(error._tag).toBe("DecodeError")
        expect(error.message).toContain("created_at")
        expect(error.message).toContain("RFC 3339")
      }
      // and an offset is applied, never the local time zone
      yield* fake.injectFault(Fault.mapBody((wire) => ({ data: { ...wire.data, created_at: "2025-08-24T12:30:00.123456+02:00" } })), {
        operation: "get"
      })
      expect((yield* byok.get(fakeId(1))).createdAt.toISOString()).toBe("2025-08-24T10:30:00.123Z")
    }).pipe(provideFresh({ fake: { seed: 1 }, client: { retry: false } })))
})
