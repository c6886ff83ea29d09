import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Redacted, Schedule, TestClock } from "effect"
import { Byok, type ByokError } from "../src/index.js"
import { FakeByokApi, fakeId, Fault, type Operation } from "../src/testing.js"
import { provideFresh, requestsOf } from "./support.js"

const attempts = (operation: Operation) => Effect.map(requestsOf(operation), (r) => r.length)
const storedCount = Effect.flatMap(FakeByokApi, (fake) => Effect.map(fake.credentials, (c) => c.length))
const inject = (fault: Fault, operation: Operation, times = 1) =>
  Effect.flatMap(FakeByokApi, (fake) => fake.injectFault(fault, { operation, times }))
const create = Effect.flatMap(Byok, (byok) => byok.create({ provider: "openai", key: Redacted.make("sk-create-once-0001") }))
const get = Effect.flatMap(Byok, (byok) => byok.get(fakeId(1)))

/** Runs `effect` in a fiber and moves the TestClock by `step` until it is done, at most `limit`. */
const runWithClock = <A, E, R>(effect: Effect.Effect<A, E, R>, step: Duration.DurationInput = "100 millis", limit = 2000) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.either(effect))
    for (let i = 0; i < limit && (yield* Fiber.poll(fiber))._tag === "None"; i++) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("default retries: idempotent requests", () => {
  it.effect("get retries 500 with exponential, jittered backoff and succeeds", () =>
    Effect.gen(function*() {
      yield* inject(Fault.status(500), "get", 2)
      const fiber = yield* Effect.fork(get)
      yield* TestClock.adjust("399 millis") // first delay: 500 ms jittered to 400..600 ms
      expect(yield* attempts("get")).toBe(1)
      yield* TestClock.adjust("201 millis")
      expect(yield* attempts("get")).toBe(2)
      // second delay: 1000 ms jittered to 800..1200 ms after the second attempt (at 400..600 ms)
      yield* TestClock.adjust("599 millis") // t = 1199 ms: too early for any draw
      expect(yield* attempts("get")).toBe(2)
      yield* TestClock.adjust("601 millis") // t = 1800 ms: late enough for every draw
      const key = yield* Fiber.join(fiber)
      expect(key.id).toBe(fakeId(1))
      expect(yield* attempts("get")).toBe(3)
    }).pipe(provideFresh({ fake: { seed: 1 } })))

  it.effect("gives up after 4 attempts with the last error", () =>
    Effect.gen(function*() {
      yield* inject(Fault.status(503), "get", 10)
      const result = yield* runWithClock(get)
      expect(result._tag === "Left" && result.left).toMatchObject({ _tag: "ApiError", status: 503 })
      expect(yield* attempts("get")).toBe(4)
    }).pipe(provideFresh({ fake: { seed: 1 } })))

  for (const [name, fault] of [
    ["502", Fault.status(502, { body: "<html>Bad gateway</html>", headers: { "content-type": "text/html" } })],
    ["504", Fault.status(504)],
    ["a reset", Fault.reset()],
    ["a refused connection", Fault.refuse],
    ["a broken-off body", Fault.resetMidBody]
  ] as const) {
    it.effect(`update and delete retry ${name}`, () =>
      Effect.gen(function*() {
        yield* inject(fault, "update")
        yield* inject(fault, "delete")
        const byok = yield* Byok
        const result = yield* runWithClock(Effect.zip(byok.update(fakeId(1), { disabled: true }), byok.delete(fakeId(1))))
        expect(result._tag).toBe("Right")
        expect(yield* attempts("update")).toBe(2)
        expect(yield* attempts("delete")).toBe(2)
      }).pipe(provideFresh({ fake: { seed: 1 } })))
  }

  it.effect("a hung attempt times out after 30 s and is retried", () =>
    Effect.gen(function*() {
      yield* inject(Fault.hang, "get")
      const fiber = yield* Effect.fork(get)
      yield* TestClock.adjust("29 seconds")
      expect(yield* attempts("get")).toBe(1)
      yield* TestClock.adjust("2 seconds")
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).id).toBe(fakeId(1))
      expect(yield* attempts("get")).toBe(2)
    }).pipe(provideFresh({ fake: { seed: 1 } })))

  it.effect("the timeout is per attempt and configurable; the last one is TransportError Timeout", () =>
    Effect.gen(function*() {
      yield* inject(Fault.hang, "get", 10)
      const result = yield* runWithClock(get, "1 second")
      expect(result._tag === "Left" && result.left).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      expect(yield* attempts("get")).toBe(4)
    }).pipe(provideFresh({ fake: { seed: 1 }, client: { timeout: "5 seconds" } })))

  it.effect("400, 401 and 404 are not retried", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      yield* inject(Fault.status(401), "get")
      yield* inject(Fault.status(400), "update")
      expect((yield* Effect.flip(byok.get(fakeId(1))))._tag).toBe("Unauthorized")
      expect((yield* Effect.flip(byok.update(fakeId(1), { disabled: true })))._tag).toBe("BadRequest")
      expect((yield* Effect.flip(byok.delete(fakeId(9))))._tag).toBe("NotFound")
      expect(yield* attempts("get")).toBe(1)
      expect(yield* attempts("update")).toBe(1)
      expect(yield* attempts("delete")).toBe(1)
    }).pipe(provideFresh({ fake: { seed: 1 } })))
})

describe("delete after an ambiguous failure", () => {
  it.effect("a retried delete that finds the key gone succeeds: the first attempt deleted it", () =>
    Effect.gen(function*() {
      yield* inject(Fault.reset({ afterHandling: true }), "delete")
      const result = yield* runWithClock(Effect.flatMap(Byok, (byok) => byok.delete(fakeId(1))))
      expect(result._tag).toBe("Right")
      expect(yield* attempts("delete")).toBe(2)
      expect(yield* storedCount).toBe(0)
    }).pipe(provideFresh({ fake: { seed: 1 } })))

  it.effect("a first-attempt 404 is still NotFound", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.flatMap(Byok, (byok) => byok.delete(fakeId(7))))
      expect(error._tag).toBe("NotFound")
    }).pipe(provideFresh({ fake: { seed: 1 } })))
})

describe("create is never retried when the server may have acted", () => {
  for (const [name, fault, tag] of [
    ["a 500 after storing", Fault.status(500, { afterHandling: true }), "InternalServer"],
    ["a 502 after storing", Fault.status(502, { afterHandling: true }), "ApiError"],
    ["a 503 after storing", Fault.status(503, { afterHandling: true }), "ApiError"],
    ["a reset after storing", Fault.reset({ afterHandling: true }), "TransportError"]
  ] as const) {
    it.effect(`${name}: one attempt, one credential, ${tag}`, () =>
      Effect.gen(function*() {
        yield* inject(fault, "create", 5)
        const result = yield* runWithClock(create)
        expect(result._tag === "Left" && result.left._tag).toBe(tag)
        expect(yield* attempts("create")).toBe(1)
        expect(yield* storedCount).toBe(1)
      }).pipe(provideFresh()))
  }

  it.effect("a timeout: one attempt, TransportError Timeout, nothing stored twice", () =>
    Effect.gen(function*() {
      yield* inject(Fault.hang, "create", 5)
      const result = yield* runWithClock(create, "1 second")
      expect(result._tag === "Left" && result.left).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      expect(yield* attempts("create")).toBe(1)
      expect(yield* storedCount).toBe(0)
    }).pipe(provideFresh()))

  it.effect("a 429 is retried (the server did not act): one credential", () =>
    Effect.gen(function*() {
      yield* inject(Fault.status(429), "create", 2)
      const result = yield* runWithClock(create)
      expect(result._tag).toBe("Right")
      expect(yield* attempts("create")).toBe(3)
      expect(yield* storedCount).toBe(1)
    }).pipe(provideFresh()))

  it.effect("a refused connection is retried (nothing was sent): one credential", () =>
    Effect.gen(function*() {
      yield* inject(Fault.refuse, "create")
      const result = yield* runWithClock(create)
      expect(result._tag).toBe("Right")
      expect(yield* attempts("create")).toBe(2)
      expect(yield* storedCount).toBe(1)
    }).pipe(provideFresh()))
})

describe("Retry-After", () => {
  it.effect("in seconds: the retry waits at least that long", () =>
    Effect.gen(function*() {
      yield* inject(Fault.status(429, { headers: { "retry-after": "5" } }), "get")
      const fiber = yield* Effect.fork(get)
      yield* TestClock.adjust("4999 millis")
      expect(yield* attempts("get")).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber)).id).toBe(fakeId(1))
      expect(yield* attempts("get")).toBe(2)
    }).pipe(provideFresh({ fake: { seed: 1 } })))

  it.effect("as an HTTP date: the retry waits until then", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-11-28T12:00:00Z"))
      yield* inject(Fault.status(429, { headers: { "retry-after": "Sat, 28 Nov 2026 12:00:12 GMT" } }), "get")
      const fiber = yield* Effect.fork(get)
      yield* TestClock.adjust("11 seconds")
      expect(yield* attempts("get")).toBe(1)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).id).toBe(fakeId(1))
    }).pipe(provideFresh({ fake: { seed: 1 } })))

  it.effect("longer than 60 s: not retried; the caller gets RateLimited with retryAfter", () =>
    Effect.gen(function*() {
      yield* inject(Fault.status(429, { headers: { "retry-after": "120" } }), "get")
      const error = (yield* Effect.flip(get)) as ByokError.RateLimited
      expect(error._tag).toBe("RateLimited")
      expect(Duration.toSeconds(error.retryAfter!)).toBe(120)
      expect(yield* attempts("get")).toBe(1)
    }).pipe(provideFresh({ fake: { seed: 1 } })))

  it.effect("shorter than the backoff: the backoff wins", () =>
    Effect.gen(function*() {
      yield* inject(Fault.status(429, { headers: { "retry-after": "0" } }), "get")
      const fiber = yield* Effect.fork(get)
      yield* TestClock.adjust("399 millis")
      expect(yield* attempts("get")).toBe(1)
      yield* TestClock.adjust("201 millis")
      yield* Fiber.join(fiber)
      expect(yield* attempts("get")).toBe(2)
    }).pipe(provideFresh({ fake: { seed: 1 } })))
})

describe("the caller's schedule", () => {
  it.effect("retry: false makes one attempt", () =>
    Effect.gen(function*() {
      yield* inject(Fault.status(500), "get", 5)
      expect((yield* Effect.flip(get))._tag).toBe("InternalServer")
      expect(yield* attempts("get")).toBe(1)
    }).pipe(provideFresh({ fake: { seed: 1 }, client: { retry: false } })))

  it.effect("a custom Schedule replaces timing and count, but not which failures retry", () =>
    Effect.gen(function*() {
      yield* inject(Fault.status(500), "get", 10)
      const result = yield* runWithClock(get, "1 second")
      expect(result._tag).toBe("Left")
      expect(yield* attempts("get")).toBe(7)
      // create still never retries a 500
      yield* inject(Fault.status(500, { afterHandling: true }), "create", 10)
      yield* runWithClock(create, "1 second")
      expect(yield* attempts("create")).toBe(1)
    }).pipe(provideFresh({
      fake: { seed: 1 },
      client: { retry: Schedule.intersect(Schedule.spaced("2 seconds"), Schedule.recurs(6)) }
    })))
})
