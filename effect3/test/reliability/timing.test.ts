/**
 * Time without waiting: retries and timeouts in memory under `TestClock`. Every attempt's time is
 * recorded from the Clock at the HttpClient boundary, so backoff, jitter, `Retry-After` and the
 * per-attempt timeout are asserted to the millisecond, and nothing here sleeps for real.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, FastCheck, Fiber, Random, Redacted, Schedule, Stream, TestClock } from "effect"
import type { ByokError, ByokOptions } from "../../src/index.js"
import { Byok } from "../../src/index.js"
import { FakeByokApi, fakeId, Fault } from "../../src/testing.js"
import { failureOf, fakeOptions, fakeSecrets, fullTier, makeTally, providerKeyText, Recorder, valueOf } from "./support.js"

const tally = makeTally("timing.test.ts")

/** The in-memory fake and the real client, recording the Clock's time of every attempt. */
const timed = (client: Partial<ByokOptions> = {}, seed = 3) => {
  const times: Array<number> = []
  const layer = FakeByokApi.layerByok({
    client: {
      ...client,
      transformClient: (c) =>
        HttpClient.tapRequest(c, () => Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => times.push(t))))
    },
    fake: fakeOptions({ seed })
  })
  return { times, layer }
}

/** Lets forked fibers run to their next suspension (macrotasks, not sleeps). */
const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve))).pipe(Effect.repeatN(3))

/** Moves the TestClock to `millis` after `origin` and lets the fibers it woke run. */
const at = (origin: number, millis: number) =>
  Effect.zipRight(TestClock.setTime(origin + millis), settle)

const recorder = () => new Recorder()
const done = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) => Effect.map(Fiber.poll(fiber), (o) => o._tag === "Some")

/** Finishes a scenario: no secret in anything it produced; counted. */
const finish = (rec: Recorder, faults: number) =>
  Effect.gen(function*() {
    rec.expectNoLeaks(yield* fakeSecrets, tally)
    tally.scenarios++
    tally.faults += faults
  })

/** The default schedule's delays before retries 1..3 for a jitter draw `r` in [0, 1). */
const defaultDelays = (r: number) => [500, 1000, 2000].map((base) => base * (0.8 + 0.4 * r))

it.effect.each([0, 0.25, 0.5, 0.75])(
  "default backoff with jitter draw %s: attempts at exactly 0, d1, d1+d2, d1+d2+d3 (500 ms ×2, 80–120%%), then the last error",
  (r) => {
    const { layer, times } = timed()
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.status(503), { operation: "get", times: 10 })
      const rec = recorder()
      const fiber = yield* Effect.fork(rec.observe(byok.get(fakeId(1))).pipe(Effect.withRandom(Random.fixed([r]))))
      yield* settle
      const [d1, d2, d3] = defaultDelays(r) as [number, number, number]
      const schedule = [0, d1, d1 + d2, d1 + d2 + d3]
      expect(times).toEqual([0])
      for (let i = 1; i < schedule.length; i++) {
        yield* at(0, schedule[i]! - 1)
        expect(times.length).toBe(i)
        yield* at(0, schedule[i]!)
        expect(times.length).toBe(i + 1)
      }
      expect(times).toEqual(schedule)
      const exit = yield* Fiber.join(fiber)
      expect(failureOf(exit)).toMatchObject({ _tag: "ApiError", status: 503 })
      yield* at(0, 3_600_000)
      expect(times.length).toBe(4)
      yield* finish(rec, 4)
    }).pipe(Effect.provide(layer))
  }
)

it.effect.prop(
  "for any jitter draw r, each delay is base × (0.8 + 0.4 r) to the millisecond, inside [80%, 120%] of 500/1000/2000 ms",
  [FastCheck.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })],
  ([r]) => {
    const { layer, times } = timed()
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.status(500), { operation: "list", times: 10 })
      const rec = recorder()
      const fiber = yield* Effect.fork(rec.observe(byok.list()).pipe(Effect.withRandom(Random.fixed([r]))))
      yield* settle
      yield* at(0, 10_000)
      const exit = yield* Fiber.join(fiber)
      expect(failureOf(exit)).toMatchObject({ _tag: "InternalServer", status: 500 })
      expect(times.length).toBe(4)
      const gaps = [times[1]! - times[0]!, times[2]! - times[1]!, times[3]! - times[2]!]
      const expected = defaultDelays(r)
      gaps.forEach((gap, i) => {
        const base = [500, 1000, 2000][i]!
        expect(Math.abs(gap - expected[i]!)).toBeLessThanOrEqual(1)
        expect(gap).toBeGreaterThanOrEqual(0.8 * base)
        expect(gap).toBeLessThanOrEqual(1.2 * base)
      })
      yield* finish(rec, 4)
    }).pipe(Effect.provide(layer))
  },
  // the four draws above pin the edges; the full tier samples the range more densely
  { fastCheck: { numRuns: fullTier ? 60 : 15 } }
)

describe("Retry-After", () => {
  const origin = Date.parse("2025-08-24T10:30:00Z")

  type Op = "get" | "list" | "update" | "delete" | "create"
  const call = (byok: Byok["Type"], op: Op): Effect.Effect<unknown, ByokError.ByokError> => {
    switch (op) {
      case "get":
        return byok.get(fakeId(2))
      case "list":
        return byok.list({ limit: 2 })
      case "update":
        return byok.update(fakeId(2), { name: "renamed" })
      case "delete":
        return byok.delete(fakeId(2))
      case "create":
        return byok.create({ provider: "openai", key: Redacted.make(providerKeyText("timing-create")) })
    }
  }

  const retryAfterCase = (options: {
    readonly header: (now: number) => string
    readonly times: number
    /** Attempt times relative to the origin. */
    readonly schedule: ReadonlyArray<number>
    /** `retryAfter` on the final error, in ms; `undefined` when the call succeeds. */
    readonly retryAfterMillis?: number | "absent"
    /** The status the server answers with; 429 unless given. */
    readonly status?: number
    /** The tag of the final error; `RateLimited` unless given. */
    readonly tag?: string
    readonly op?: Op
    readonly client?: Partial<ByokOptions>
  }) => {
    const { layer, times } = timed(options.client)
    const op = options.op ?? "get"
    return Effect.gen(function*() {
      yield* TestClock.setTime(origin)
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(
        Fault.status(options.status ?? 429, {
          headers: { "retry-after": options.header(origin) },
          // a create the server acted on, then failed: the case a retry must never repeat
          afterHandling: op === "create"
        }),
        { operation: op, times: options.times }
      )
      const rec = recorder()
      const fiber = yield* Effect.fork(rec.observe(call(byok, op)).pipe(Effect.withRandom(Random.fixed([0]))))
      yield* settle
      for (let i = 1; i < options.schedule.length; i++) {
        yield* at(origin, options.schedule[i]! - 1)
        expect(times.length).toBe(i)
        yield* at(origin, options.schedule[i]!)
        expect(times.length).toBe(i + 1)
      }
      expect(times.map((t) => t - origin)).toEqual(options.schedule)
      expect(yield* done(fiber)).toBe(true)
      const exit = yield* Fiber.join(fiber)
      if (options.retryAfterMillis === undefined) {
        valueOf(exit)
      } else {
        const error: any = failureOf(exit)
        expect(error._tag).toBe(options.tag ?? "RateLimited")
        if (options.retryAfterMillis === "absent") expect(error.retryAfter).toBeUndefined()
        else expect(Duration.toMillis(error.retryAfter)).toBe(options.retryAfterMillis)
      }
      if (op === "create") expect((yield* fake.credentials).length).toBe(3 + 1)
      // Nothing else is scheduled: an hour later there is still no other attempt.
      yield* at(origin, 3_600_000)
      expect(times.length).toBe(options.schedule.length)
      yield* finish(rec, Math.min(options.times, options.schedule.length))
    }).pipe(Effect.provide(layer))
  }

  for (const op of ["get", "list", "update", "delete"] as const) {
    it.effect(`503 with 'Retry-After: 2' on ${op}: retried at exactly 2 s, not at the 400 ms backoff`, () =>
      retryAfterCase({ status: 503, header: () => "2", times: 1, schedule: [0, 2000], op }))
  }

  it.effect("500 with 'Retry-After: 5' on get: retried at exactly 5 s", () =>
    retryAfterCase({ status: 500, header: () => "5", times: 1, schedule: [0, 5000] }))

  it.effect("503 with an HTTP date 9 s ahead: retried at exactly +9 s", () =>
    retryAfterCase({ status: 503, header: (now) => new Date(now + 9000).toUTCString(), times: 1, schedule: [0, 9000] }))

  it.effect("503 with 'Retry-After: 120', over the cap: no retry; ApiError carries retryAfter 120 s", () =>
    retryAfterCase({ status: 503, header: () => "120", times: 1, schedule: [0], tag: "ApiError", retryAfterMillis: 120_000 }))

  it.effect("503 with 'Retry-After: 2' on every attempt: each retry waits 2 s; the last ApiError carries it", () =>
    retryAfterCase({ status: 503, header: () => "2", times: 10, schedule: [0, 2000, 4000, 6000], tag: "ApiError", retryAfterMillis: 2000 }))

  it.effect("a create answered 503 with 'Retry-After: 2' after storing is not retried; stored once", () =>
    retryAfterCase({ status: 503, op: "create", header: () => "2", times: 5, schedule: [0], tag: "ApiError", retryAfterMillis: 2000 }))

  it.effect("maxRetryAfter 5 s: 'Retry-After: 7' is over it, the call fails at once with retryAfter 7 s", () =>
    retryAfterCase({
      status: 503,
      header: () => "7",
      times: 1,
      schedule: [0],
      tag: "ApiError",
      retryAfterMillis: 7000,
      client: { maxRetryAfter: "5 seconds" }
    }))

  it.effect("maxRetryAfter 2 minutes: 'Retry-After: 90' is waited out, retried at exactly 90 s", () =>
    retryAfterCase({ header: () => "90", times: 1, schedule: [0, 90_000], client: { maxRetryAfter: "2 minutes" } }))

  it.effect("a caller's schedule with no delay still waits the server's 2 s before each retry", () =>
    retryAfterCase({
      status: 503,
      header: () => "2",
      times: 10,
      schedule: [0, 2000, 4000, 6000],
      tag: "ApiError",
      retryAfterMillis: 2000,
      client: { retry: Schedule.recurs(3) }
    }))

  it.effect("seconds: 'Retry-After: 7' delays the retry to exactly 7 s (over the 400 ms backoff)", () =>
    retryAfterCase({ header: () => "7", times: 1, schedule: [0, 7000] }))

  it.effect("seconds: 'Retry-After: 60' is honoured exactly at the cap", () =>
    retryAfterCase({ header: () => "60", times: 1, schedule: [0, 60_000] }))

  it.effect("seconds: 'Retry-After: 61' is over the cap: no retry, RateLimited with retryAfter 61 s", () =>
    retryAfterCase({ header: () => "61", times: 1, schedule: [0], retryAfterMillis: 61_000 }))

  it.effect("seconds: every retry waits for the server's 2 s; after 4 attempts RateLimited carries it", () =>
    retryAfterCase({ header: () => "2", times: 10, schedule: [0, 2000, 4000, 6000], retryAfterMillis: 2000 }))

  it.effect("seconds: 'Retry-After: 0' falls back to the backoff (400 ms at the lowest jitter)", () =>
    retryAfterCase({ header: () => "0", times: 1, schedule: [0, 400] }))

  it.effect("HTTP date 9 s ahead of the Clock: retried at exactly +9 s", () =>
    retryAfterCase({ header: (now) => new Date(now + 9000).toUTCString(), times: 1, schedule: [0, 9000] }))

  it.effect("HTTP date 2 minutes ahead: over the cap, not retried, retryAfter exactly 120 s", () =>
    retryAfterCase({
      header: (now) => new Date(now + 120_000).toUTCString(),
      times: 1,
      schedule: [0],
      retryAfterMillis: 120_000
    }))

  it.effect("HTTP date in the past: retryAfter 0, the backoff decides (400 ms)", () =>
    retryAfterCase({ header: (now) => new Date(now - 5000).toUTCString(), times: 1, schedule: [0, 400] }))

  it.effect("an unreadable Retry-After ('soon') is ignored: backoff 400/800/1600 ms, retryAfter absent", () =>
    retryAfterCase({ header: () => "soon", times: 10, schedule: [0, 400, 1200, 2800], retryAfterMillis: "absent" }))

  it.effect("a create rate-limited with 'Retry-After: 3' is retried at exactly 3 s and stored once", () => {
    const { layer, times } = timed({}, 0)
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.status(429, { headers: { "retry-after": "3" } }), { operation: "create" })
      const rec = recorder()
      const key = providerKeyText("timing-429")
      const fiber = yield* Effect.fork(
        rec.observe(byok.create({ provider: "openai", key: Redacted.make(key) })).pipe(Effect.withRandom(Random.fixed([0])))
      )
      yield* settle
      yield* at(0, 2999)
      expect(times).toEqual([0])
      yield* at(0, 3000)
      const made = valueOf(yield* Fiber.join(fiber))
      expect(times).toEqual([0, 3000])
      const stored = yield* fake.credentials
      expect(stored.map((c) => c.key.id)).toEqual([made.id])
      expect(stored.filter((c) => Redacted.value(c.secret) === key).length).toBe(1)
      yield* finish(rec, 1)
    }).pipe(Effect.provide(layer))
  })
})

describe("per-attempt timeout", () => {
  it.effect("a hung get: each attempt times out at exactly 30 s; attempts at 0, 30.4, 61.2, 92.8 s; Timeout at 122.8 s, without sleeping", () => {
    const { layer, times } = timed()
    return Effect.gen(function*() {
      const realStart = Date.now()
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.hang, { operation: "get", times: 10 })
      const rec = recorder()
      const fiber = yield* Effect.fork(rec.observe(byok.get(fakeId(1))).pipe(Effect.withRandom(Random.fixed([0]))))
      yield* settle
      for (const [t, attempts] of [[29_999, 1], [30_399, 1], [30_400, 2], [61_199, 2], [61_200, 3], [92_799, 3], [92_800, 4]] as const) {
        yield* at(0, t)
        expect(times.length).toBe(attempts)
      }
      yield* at(0, 122_799)
      expect(yield* done(fiber)).toBe(false)
      yield* at(0, 122_800)
      expect(yield* done(fiber)).toBe(true)
      expect(times).toEqual([0, 30_400, 61_200, 92_800])
      const error: any = failureOf(yield* Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout", method: "GET" })
      // Two virtual minutes passed; the real clock barely moved.
      expect(Date.now() - realStart).toBeLessThan(5_000)
      yield* finish(rec, 4)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a hung create times out once at exactly 30 s and is not retried; nothing stored", () => {
    const { layer, times } = timed({}, 0)
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.hang, { operation: "create", times: 10 })
      const rec = recorder()
      const fiber = yield* Effect.fork(rec.observe(byok.create({ provider: "openai", key: Redacted.make(providerKeyText("hang")) })))
      yield* settle
      yield* at(0, 29_999)
      expect(yield* done(fiber)).toBe(false)
      yield* at(0, 30_000)
      expect(failureOf(yield* Fiber.join(fiber))).toMatchObject({ _tag: "TransportError", reason: "Timeout", method: "POST" })
      yield* at(0, 3_600_000)
      expect(times).toEqual([0])
      expect((yield* fake.credentials).length).toBe(0)
      yield* finish(rec, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a create the server answers only after 31 s: Timeout at 30 s, one attempt, the late handler never stores", () => {
    const { layer, times } = timed({}, 0)
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.delay("31 seconds"), { operation: "create" })
      const rec = recorder()
      const fiber = yield* Effect.fork(rec.observe(byok.create({ provider: "openai", key: Redacted.make(providerKeyText("slow")) })))
      yield* settle
      yield* at(0, 30_000)
      expect(failureOf(yield* Fiber.join(fiber))).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      yield* at(0, 120_000)
      expect(times).toEqual([0])
      expect((yield* fake.credentials).length).toBe(0)
      yield* finish(rec, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a response 1 ms inside the timeout succeeds on the first attempt", () => {
    const { layer, times } = timed()
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.delay("29999 millis"), { operation: "get" })
      const rec = recorder()
      const fiber = yield* Effect.fork(rec.observe(byok.get(fakeId(3))))
      yield* settle
      yield* at(0, 29_998)
      expect(yield* done(fiber)).toBe(false)
      yield* at(0, 29_999)
      expect(valueOf(yield* Fiber.join(fiber)).id).toBe(fakeId(3))
      expect(times).toEqual([0])
      yield* finish(rec, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a configured 5 s timeout with retry: false fails at exactly 5 s after one attempt", () => {
    const { layer, times } = timed({ timeout: "5 seconds", retry: false })
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.hang, { operation: "list", times: 10 })
      const rec = recorder()
      const fiber = yield* Effect.fork(rec.observe(byok.list()))
      yield* settle
      yield* at(0, 4_999)
      expect(yield* done(fiber)).toBe(false)
      yield* at(0, 5_000)
      expect(failureOf(yield* Fiber.join(fiber))).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      yield* at(0, 600_000)
      expect(times).toEqual([0])
      yield* finish(rec, 1)
    }).pipe(Effect.provide(layer))
  })
})

describe("a caller's schedule replaces the timing, not the rule", () => {
  it.effect("spaced 2 s × 1 retry: attempts at exactly 0 and 2 s, then the last error", () => {
    const { layer, times } = timed({ retry: Schedule.spaced("2 seconds").pipe(Schedule.intersect(Schedule.recurs(1))) })
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.status(502, { body: "<html>bad gateway</html>", headers: { "content-type": "text/html" } }), {
        operation: "delete",
        times: 10
      })
      const rec = recorder()
      const fiber = yield* Effect.fork(rec.observe(byok.delete(fakeId(1))))
      yield* settle
      yield* at(0, 1_999)
      expect(times).toEqual([0])
      yield* at(0, 2_000)
      expect(failureOf(yield* Fiber.join(fiber))).toMatchObject({ _tag: "ApiError", status: 502 })
      yield* at(0, 600_000)
      expect(times).toEqual([0, 2_000])
      expect((yield* fake.credentials).map((c) => c.key.id)).toContain(fakeId(1))
      yield* finish(rec, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("retry: false makes exactly one attempt", () => {
    const { layer, times } = timed({ retry: false })
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.status(503), { operation: "update", times: 10 })
      const rec = recorder()
      const exit = yield* rec.observe(byok.update(fakeId(1), { disabled: true }))
      expect(failureOf(exit)).toMatchObject({ _tag: "ApiError", status: 503 })
      yield* at(0, 600_000)
      expect(times).toEqual([0])
      yield* finish(rec, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a generous schedule (recurs 10, no delay) still never retries a create after a 500: stored once", () => {
    const { layer, times } = timed({ retry: Schedule.recurs(10) }, 0)
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.status(500, { afterHandling: true }), { operation: "create", times: 10 })
      const rec = recorder()
      const key = providerKeyText("generous")
      const exit = yield* rec.observe(byok.create({ provider: "openai", key: Redacted.make(key) }))
      expect(failureOf(exit)).toMatchObject({ _tag: "InternalServer", status: 500 })
      expect(times).toEqual([0])
      const copies = (yield* fake.credentials).filter((c) => Redacted.value(c.secret) === key).length
      tally.duplicates += Math.max(0, copies - 1)
      expect(copies).toBe(1)
      yield* finish(rec, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a refused create (in memory) is retried on the default backoff and stored once", () => {
    const { layer, times } = timed({}, 0)
    return Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.refuse, { operation: "create", times: 2 })
      const rec = recorder()
      const key = providerKeyText("refused")
      const fiber = yield* Effect.fork(
        rec.observe(byok.create({ provider: "openai", key: Redacted.make(key) })).pipe(Effect.withRandom(Random.fixed([0])))
      )
      yield* settle
      yield* at(0, 399)
      expect(times).toEqual([0])
      yield* at(0, 400)
      expect(times).toEqual([0, 400])
      yield* at(0, 1_200)
      const made = valueOf(yield* Fiber.join(fiber))
      expect(times).toEqual([0, 400, 1_200])
      const stored = yield* fake.credentials
      expect(stored.map((c) => c.key.id)).toEqual([made.id])
      expect(stored.filter((c) => Redacted.value(c.secret) === key).length).toBe(1)
      yield* finish(rec, 2)
    }).pipe(Effect.provide(layer))
  })
})

it.effect("a stream retries page 2 on its own (offsets 0, 100, 100, 100, 200) on the default backoff, and yields all 250 keys once", () => {
  const { layer, times } = timed({}, 250)
  return Effect.gen(function*() {
    const fake = yield* FakeByokApi
    const byok = yield* Byok
    yield* fake.injectFault(Fault.mapBody((wire) => wire), { operation: "list", times: 1 })
    yield* fake.injectFault(Fault.status(503), { operation: "list", times: 2 })
    const rec = recorder()
    const fiber = yield* Effect.fork(
      rec.observe(Stream.runCollect(byok.stream())).pipe(Effect.withRandom(Random.fixed([0])))
    )
    yield* settle
    yield* at(0, 399)
    expect(times).toEqual([0, 0])
    yield* at(0, 400)
    yield* at(0, 1_199)
    expect(times).toEqual([0, 0, 400])
    yield* at(0, 1_200)
    const exit = yield* Fiber.join(fiber)
    expect(Exit.isSuccess(exit)).toBe(true)
    const keys = [...valueOf(exit)]
    expect(keys.map((k) => k.id)).toEqual(Array.from({ length: 250 }, (_, i) => fakeId(i + 1)))
    expect(times).toEqual([0, 0, 400, 1_200, 1_200])
    const offsets = (yield* fake.requests).map((r) => r.query.offset)
    expect(offsets).toEqual(["0", "100", "100", "100", "200"])
    yield* finish(rec, 2)
  }).pipe(Effect.provide(layer))
})

