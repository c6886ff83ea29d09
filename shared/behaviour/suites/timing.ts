/**
 * Time without waiting: retries and timeouts in memory on the test clock. Every attempt's time is
 * read from the clock as it is handed to the transport, so backoff, jitter, `Retry-After` and the
 * per-attempt timeout are asserted to the millisecond, and nothing here sleeps for real.
 */
import fc from "fast-check"
import assert from "node:assert/strict"
import type { Operation } from "../../src/endpoints.js"
import { type FakeApi, fakeId } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import { type Call, type ClientOptions, type Driver, type Outcome, type PlainKey, secret, type Session } from "../driver.js"
import {
  assertNoLeaks,
  fakeSecrets,
  fullTier,
  makeTally,
  providerKeyText,
  requestsOf,
  seed,
  soleErrorOf,
  type Suite,
  test,
  turns,
  valueOf,
  withSession
} from "../harness.js"

const tally = makeTally("timing")

/** Moves the test clock to `millis` after `origin` and lets the fibers it woke run. */
const at = async (session: Session, origin: number, millis: number) => {
  await session.advanceTo(origin + millis)
  await turns(2)
}

/** Finishes a scenario: no secret in anything it produced; counted. */
const finish = (outcome: Outcome, fake: FakeApi, faultCount: number) => {
  assertNoLeaks(outcome, fakeSecrets(fake), tally)
  tally.scenarios++
  tally.faults += faultCount
}

/** The error of a failed outcome, as `[tag, status]`. */
const tagAndStatus = (outcome: Outcome) => {
  const error = soleErrorOf(outcome)
  return [error._tag, error.status]
}

/** The default schedule's delays before retries 1..3 for a jitter draw `r` in [0, 1). */
const defaultDelays = (r: number) => [500, 1000, 2000].map((base) => base * (0.8 + 0.4 * r))

const copiesOf = (fake: FakeApi, key: string) => fake.credentials().filter((c) => c.secret === key).length

const backoffTests = [0, 0.25, 0.5, 0.75].map((r) =>
  test(
    `default backoff with jitter draw ${r}: attempts at exactly 0, d1, d1+d2, d1+d2+d3 (500 ms ×2, 80–120%), then the last error`,
    (driver) =>
      withSession(driver, { fake: { seed: 3 }, random: [r] }, async (session, fake) => {
        fake.injectFault(faults.status(503), { operation: "get", times: 10 })
        const running = session.start({ op: "get", id: fakeId(1) })
        await turns(4)
        const [d1, d2, d3] = defaultDelays(r) as [number, number, number]
        const schedule = [0, d1, d1 + d2, d1 + d2 + d3]
        assert.deepEqual(running.attemptTimes(), [0])
        for (let i = 1; i < schedule.length; i++) {
          await at(session, 0, schedule[i]! - 1)
          assert.equal(running.attemptTimes().length, i)
          await at(session, 0, schedule[i]!)
          assert.equal(running.attemptTimes().length, i + 1)
        }
        assert.deepEqual(running.attemptTimes(), schedule)
        const outcome = await running.done
        assert.deepEqual(tagAndStatus(outcome), ["ApiError", 503])
        await at(session, 0, 3_600_000)
        assert.equal(running.attemptTimes().length, 4)
        finish(outcome, fake, 4)
      })
  )
)

/** One jitter draw: a list failing with 500 on every attempt, its gaps measured. */
const jitterCase = (driver: Driver, r: number) =>
  withSession(driver, { fake: { seed: 3 }, random: [r] }, async (session, fake) => {
    fake.injectFault(faults.status(500), { operation: "list", times: 10 })
    const running = session.start({ op: "list" })
    await turns(4)
    await at(session, 0, 10_000)
    const outcome = await running.done
    assert.deepEqual(tagAndStatus(outcome), ["InternalServer", 500])
    const times = outcome.attemptTimes
    assert.equal(times.length, 4)
    const gaps = [times[1]! - times[0]!, times[2]! - times[1]!, times[3]! - times[2]!]
    const expected = defaultDelays(r)
    gaps.forEach((gap, i) => {
      const base = [500, 1000, 2000][i]!
      assert.ok(Math.abs(gap - expected[i]!) <= 1, `gap ${i + 1}: ${gap} ms, expected ${expected[i]} ms`)
      assert.ok(gap >= 0.8 * base, `gap ${i + 1}: ${gap} ms under 80% of ${base} ms`)
      assert.ok(gap <= 1.2 * base, `gap ${i + 1}: ${gap} ms over 120% of ${base} ms`)
    })
    finish(outcome, fake, 4)
  })

const jitterProperty = test(
  "for any jitter draw r, each delay is base × (0.8 + 0.4 r) to the millisecond, inside [80%, 120%] of 500/1000/2000 ms",
  (driver) =>
    fc.assert(
      fc.asyncProperty(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => jitterCase(driver, r)),
      // the four draws above pin the edges; the full tier samples the range more densely
      { seed, numRuns: fullTier ? 60 : 15 }
    )
)

// ---------------------------------------------------------------------------------------------
// Retry-After.

const origin = Date.parse("2025-08-24T10:30:00Z")

const callOf = (op: Operation): Call => {
  switch (op) {
    case "get":
      return { op: "get", id: fakeId(2) }
    case "list":
      return { op: "list", options: { limit: 2 } }
    case "update":
      return { op: "update", id: fakeId(2), input: { name: "renamed" } }
    case "delete":
      return { op: "delete", id: fakeId(2) }
    case "create":
      return { op: "create", input: { provider: "openai", key: secret(providerKeyText("timing-create")) } }
  }
}

interface RetryAfterCase {
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
  readonly op?: Operation
  readonly client?: ClientOptions
}

const retryAfterCase = (driver: Driver, options: RetryAfterCase) =>
  withSession(
    driver,
    { fake: { seed: 3 }, startMillis: origin, random: [0], ...(options.client ? { client: options.client } : {}) },
    async (session, fake) => {
      const op = options.op ?? "get"
      fake.injectFault(
        faults.status(options.status ?? 429, {
          headers: { "retry-after": options.header(origin) },
          // a create the server acted on, then failed: the case a retry must never repeat
          afterHandling: op === "create"
        }),
        { operation: op, times: options.times }
      )
      const running = session.start(callOf(op))
      await turns(4)
      for (let i = 1; i < options.schedule.length; i++) {
        await at(session, origin, options.schedule[i]! - 1)
        assert.equal(running.attemptTimes().length, i)
        await at(session, origin, options.schedule[i]!)
        assert.equal(running.attemptTimes().length, i + 1)
      }
      assert.deepEqual(running.attemptTimes().map((t) => t - origin), options.schedule)
      assert.equal(running.ended(), true)
      const outcome = await running.done
      if (options.retryAfterMillis === undefined) {
        valueOf(outcome)
      } else {
        const error = soleErrorOf(outcome)
        assert.equal(error._tag, options.tag ?? "RateLimited")
        if (options.retryAfterMillis === "absent") {
          assert.equal(error.retryAfter, undefined)
          assert.equal(error.retryAfterMillis, undefined)
        } else {
          assert.equal(error.retryAfterMillis, options.retryAfterMillis)
        }
      }
      if (op === "create") assert.equal(fake.credentials().length, 3 + 1)
      // Nothing else is scheduled: an hour later there is still no other attempt.
      await at(session, origin, 3_600_000)
      assert.equal(running.attemptTimes().length, options.schedule.length)
      finish(outcome, fake, Math.min(options.times, options.schedule.length))
    }
  )

const retryAfterTests = [
  ...(["get", "list", "update", "delete"] as const).map((op) =>
    test(`503 with 'Retry-After: 2' on ${op}: retried at exactly 2 s, not at the 400 ms backoff`, (driver) =>
      retryAfterCase(driver, { status: 503, header: () => "2", times: 1, schedule: [0, 2000], op }))
  ),
  test("500 with 'Retry-After: 5' on get: retried at exactly 5 s", (driver) =>
    retryAfterCase(driver, { status: 500, header: () => "5", times: 1, schedule: [0, 5000] })),
  test("503 with an HTTP date 9 s ahead: retried at exactly +9 s", (driver) =>
    retryAfterCase(driver, { status: 503, header: (now) => new Date(now + 9000).toUTCString(), times: 1, schedule: [0, 9000] })),
  test("503 with 'Retry-After: 120', over the cap: no retry; ApiError carries retryAfter 120 s", (driver) =>
    retryAfterCase(driver, { status: 503, header: () => "120", times: 1, schedule: [0], tag: "ApiError", retryAfterMillis: 120_000 })),
  test("503 with 'Retry-After: 2' on every attempt: each retry waits 2 s; the last ApiError carries it", (driver) =>
    retryAfterCase(driver, {
      status: 503,
      header: () => "2",
      times: 10,
      schedule: [0, 2000, 4000, 6000],
      tag: "ApiError",
      retryAfterMillis: 2000
    })),
  test("a create answered 503 with 'Retry-After: 2' after storing is not retried; stored once", (driver) =>
    retryAfterCase(driver, { status: 503, op: "create", header: () => "2", times: 5, schedule: [0], tag: "ApiError", retryAfterMillis: 2000 })),
  test("maxRetryAfter 5 s: 'Retry-After: 7' is over it, the call fails at once with retryAfter 7 s", (driver) =>
    retryAfterCase(driver, {
      status: 503,
      header: () => "7",
      times: 1,
      schedule: [0],
      tag: "ApiError",
      retryAfterMillis: 7000,
      client: { maxRetryAfterMillis: 5_000 }
    })),
  test("maxRetryAfter 2 minutes: 'Retry-After: 90' is waited out, retried at exactly 90 s", (driver) =>
    retryAfterCase(driver, { header: () => "90", times: 1, schedule: [0, 90_000], client: { maxRetryAfterMillis: 120_000 } })),
  test("a caller's schedule with no delay still waits the server's 2 s before each retry", (driver) =>
    retryAfterCase(driver, {
      status: 503,
      header: () => "2",
      times: 10,
      schedule: [0, 2000, 4000, 6000],
      tag: "ApiError",
      retryAfterMillis: 2000,
      client: { retry: { recurs: 3 } }
    })),
  test("seconds: 'Retry-After: 7' delays the retry to exactly 7 s (over the 400 ms backoff)", (driver) =>
    retryAfterCase(driver, { header: () => "7", times: 1, schedule: [0, 7000] })),
  test("seconds: 'Retry-After: 60' is honoured exactly at the cap", (driver) =>
    retryAfterCase(driver, { header: () => "60", times: 1, schedule: [0, 60_000] })),
  test("seconds: 'Retry-After: 61' is over the cap: no retry, RateLimited with retryAfter 61 s", (driver) =>
    retryAfterCase(driver, { header: () => "61", times: 1, schedule: [0], retryAfterMillis: 61_000 })),
  test("seconds: every retry waits for the server's 2 s; after 4 attempts RateLimited carries it", (driver) =>
    retryAfterCase(driver, { header: () => "2", times: 10, schedule: [0, 2000, 4000, 6000], retryAfterMillis: 2000 })),
  test("seconds: 'Retry-After: 0' falls back to the backoff (400 ms at the lowest jitter)", (driver) =>
    retryAfterCase(driver, { header: () => "0", times: 1, schedule: [0, 400] })),
  test("HTTP date 9 s ahead of the Clock: retried at exactly +9 s", (driver) =>
    retryAfterCase(driver, { header: (now) => new Date(now + 9000).toUTCString(), times: 1, schedule: [0, 9000] })),
  test("HTTP date 2 minutes ahead: over the cap, not retried, retryAfter exactly 120 s", (driver) =>
    retryAfterCase(driver, {
      header: (now) => new Date(now + 120_000).toUTCString(),
      times: 1,
      schedule: [0],
      retryAfterMillis: 120_000
    })),
  test("HTTP date in the past: retryAfter 0, the backoff decides (400 ms)", (driver) =>
    retryAfterCase(driver, { header: (now) => new Date(now - 5000).toUTCString(), times: 1, schedule: [0, 400] })),
  test("an unreadable Retry-After ('soon') is ignored: backoff 400/800/1600 ms, retryAfter absent", (driver) =>
    retryAfterCase(driver, { header: () => "soon", times: 10, schedule: [0, 400, 1200, 2800], retryAfterMillis: "absent" })),
  test("a create rate-limited with 'Retry-After: 3' is retried at exactly 3 s and stored once", (driver) =>
    withSession(driver, { random: [0] }, async (session, fake) => {
      fake.injectFault(faults.status(429, { headers: { "retry-after": "3" } }), { operation: "create" })
      const key = providerKeyText("timing-429")
      const running = session.start({ op: "create", input: { provider: "openai", key: secret(key) } })
      await turns(4)
      await at(session, 0, 2999)
      assert.deepEqual(running.attemptTimes(), [0])
      await at(session, 0, 3000)
      const outcome = await running.done
      const made: PlainKey = valueOf(outcome)
      assert.deepEqual(running.attemptTimes(), [0, 3000])
      assert.deepEqual(fake.credentials().map((c) => c.wire.id), [made.id])
      assert.equal(copiesOf(fake, key), 1)
      finish(outcome, fake, 1)
    }))
]

// ---------------------------------------------------------------------------------------------
// The per-attempt timeout.

const timeoutTests = [
  test(
    "a hung get: each attempt times out at exactly 30 s; attempts at 0, 30.4, 61.2, 92.8 s; Timeout at 122.8 s, without sleeping",
    (driver) =>
      withSession(driver, { fake: { seed: 3 }, random: [0] }, async (session, fake) => {
        const realStart = Date.now()
        fake.injectFault(faults.hang, { operation: "get", times: 10 })
        const running = session.start({ op: "get", id: fakeId(1) })
        await turns(4)
        for (const [t, attempts] of [[29_999, 1], [30_399, 1], [30_400, 2], [61_199, 2], [61_200, 3], [92_799, 3], [92_800, 4]] as const) {
          await at(session, 0, t)
          assert.equal(running.attemptTimes().length, attempts, `attempts at ${t} ms`)
        }
        await at(session, 0, 122_799)
        assert.equal(running.ended(), false)
        await at(session, 0, 122_800)
        assert.equal(running.ended(), true)
        assert.deepEqual(running.attemptTimes(), [0, 30_400, 61_200, 92_800])
        const outcome = await running.done
        const error = soleErrorOf(outcome)
        assert.deepEqual([error._tag, error.reason, error.method], ["TransportError", "Timeout", "GET"])
        // Two virtual minutes passed; the real clock barely moved.
        assert.ok(Date.now() - realStart < 5_000)
        finish(outcome, fake, 4)
      })
  ),
  test("a hung create times out once at exactly 30 s and is not retried; nothing stored", (driver) =>
    withSession(driver, {}, async (session, fake) => {
      fake.injectFault(faults.hang, { operation: "create", times: 10 })
      const running = session.start({ op: "create", input: { provider: "openai", key: secret(providerKeyText("hang")) } })
      await turns(4)
      await at(session, 0, 29_999)
      assert.equal(running.ended(), false)
      await at(session, 0, 30_000)
      const outcome = await running.done
      const error = soleErrorOf(outcome)
      assert.deepEqual([error._tag, error.reason, error.method], ["TransportError", "Timeout", "POST"])
      await at(session, 0, 3_600_000)
      assert.deepEqual(running.attemptTimes(), [0])
      assert.equal(fake.credentials().length, 0)
      finish(outcome, fake, 1)
    })),
  test("a create the server answers only after 31 s: Timeout at 30 s, one attempt, the late handler never stores", (driver) =>
    withSession(driver, {}, async (session, fake) => {
      fake.injectFault(faults.delayMillis(31_000), { operation: "create" })
      const running = session.start({ op: "create", input: { provider: "openai", key: secret(providerKeyText("slow")) } })
      await turns(4)
      await at(session, 0, 30_000)
      const outcome = await running.done
      const error = soleErrorOf(outcome)
      assert.deepEqual([error._tag, error.reason], ["TransportError", "Timeout"])
      await at(session, 0, 120_000)
      assert.deepEqual(running.attemptTimes(), [0])
      assert.equal(fake.credentials().length, 0)
      finish(outcome, fake, 1)
    })),
  test("a response 1 ms inside the timeout succeeds on the first attempt", (driver) =>
    withSession(driver, { fake: { seed: 3 } }, async (session, fake) => {
      fake.injectFault(faults.delayMillis(29_999), { operation: "get" })
      const running = session.start({ op: "get", id: fakeId(3) })
      await turns(4)
      await at(session, 0, 29_998)
      assert.equal(running.ended(), false)
      await at(session, 0, 29_999)
      const outcome = await running.done
      assert.equal(valueOf(outcome).id, fakeId(3))
      assert.deepEqual(running.attemptTimes(), [0])
      finish(outcome, fake, 1)
    })),
  test("a configured 5 s timeout with retry: false fails at exactly 5 s after one attempt", (driver) =>
    withSession(driver, { fake: { seed: 3 }, client: { timeoutMillis: 5_000, retry: false } }, async (session, fake) => {
      fake.injectFault(faults.hang, { operation: "list", times: 10 })
      const running = session.start({ op: "list" })
      await turns(4)
      await at(session, 0, 4_999)
      assert.equal(running.ended(), false)
      await at(session, 0, 5_000)
      const outcome = await running.done
      const error = soleErrorOf(outcome)
      assert.deepEqual([error._tag, error.reason], ["TransportError", "Timeout"])
      await at(session, 0, 600_000)
      assert.deepEqual(running.attemptTimes(), [0])
      finish(outcome, fake, 1)
    }))
]

// ---------------------------------------------------------------------------------------------
// A caller's schedule.

const scheduleTests = [
  test("spaced 2 s × 1 retry: attempts at exactly 0 and 2 s, then the last error", (driver) =>
    withSession(driver, { fake: { seed: 3 }, client: { retry: { spacedMillis: 2_000, recurs: 1 } } }, async (session, fake) => {
      fake.injectFault(faults.status(502, { body: "<html>bad gateway</html>", headers: { "content-type": "text/html" } }), {
        operation: "delete",
        times: 10
      })
      const running = session.start({ op: "delete", id: fakeId(1) })
      await turns(4)
      await at(session, 0, 1_999)
      assert.deepEqual(running.attemptTimes(), [0])
      await at(session, 0, 2_000)
      const outcome = await running.done
      assert.deepEqual(tagAndStatus(outcome), ["ApiError", 502])
      await at(session, 0, 600_000)
      assert.deepEqual(running.attemptTimes(), [0, 2_000])
      assert.ok(fake.credentials().map((c) => c.wire.id).includes(fakeId(1)))
      finish(outcome, fake, 2)
    })),
  test("retry: false makes exactly one attempt", (driver) =>
    withSession(driver, { fake: { seed: 3 }, client: { retry: false } }, async (session, fake) => {
      fake.injectFault(faults.status(503), { operation: "update", times: 10 })
      const outcome = await session.run({ op: "update", id: fakeId(1), input: { disabled: true } })
      assert.deepEqual(tagAndStatus(outcome), ["ApiError", 503])
      await at(session, 0, 600_000)
      assert.deepEqual(outcome.attemptTimes, [0])
      assert.equal(requestsOf(fake, "update").length, 1)
      finish(outcome, fake, 1)
    })),
  test("a generous schedule (recurs 10, no delay) still never retries a create after a 500: stored once", (driver) =>
    withSession(driver, { client: { retry: { recurs: 10 } } }, async (session, fake) => {
      fake.injectFault(faults.status(500, { afterHandling: true }), { operation: "create", times: 10 })
      const key = providerKeyText("generous")
      const outcome = await session.run({ op: "create", input: { provider: "openai", key: secret(key) } })
      assert.deepEqual(tagAndStatus(outcome), ["InternalServer", 500])
      assert.deepEqual(outcome.attemptTimes, [0])
      const copies = copiesOf(fake, key)
      tally.duplicates += Math.max(0, copies - 1)
      assert.equal(copies, 1)
      finish(outcome, fake, 1)
    })),
  test("a refused create (in memory) is retried on the default backoff and stored once", (driver) =>
    withSession(driver, { random: [0] }, async (session, fake) => {
      fake.injectFault(faults.refuse, { operation: "create", times: 2 })
      const key = providerKeyText("refused")
      const running = session.start({ op: "create", input: { provider: "openai", key: secret(key) } })
      await turns(4)
      await at(session, 0, 399)
      assert.deepEqual(running.attemptTimes(), [0])
      await at(session, 0, 400)
      assert.deepEqual(running.attemptTimes(), [0, 400])
      await at(session, 0, 1_200)
      const outcome = await running.done
      const made: PlainKey = valueOf(outcome)
      assert.deepEqual(running.attemptTimes(), [0, 400, 1_200])
      assert.deepEqual(fake.credentials().map((c) => c.wire.id), [made.id])
      assert.equal(copiesOf(fake, key), 1)
      finish(outcome, fake, 2)
    }))
]

const streamTest = test(
  "a stream retries page 2 on its own (offsets 0, 100, 100, 100, 200) on the default backoff, and yields all 250 keys once",
  (driver) =>
    withSession(driver, { fake: { seed: 250 }, random: [0] }, async (session, fake) => {
      fake.injectFault(faults.mapBody((wire) => wire), { operation: "list", times: 1 })
      fake.injectFault(faults.status(503), { operation: "list", times: 2 })
      const running = session.start({ op: "stream" })
      await turns(4)
      await at(session, 0, 399)
      assert.deepEqual(running.attemptTimes(), [0, 0])
      await at(session, 0, 400)
      await at(session, 0, 1_199)
      assert.deepEqual(running.attemptTimes(), [0, 0, 400])
      await at(session, 0, 1_200)
      const outcome = await running.done
      const keys: ReadonlyArray<PlainKey> = valueOf(outcome)
      assert.deepEqual(keys.map((k) => k.id), Array.from({ length: 250 }, (_, i) => fakeId(i + 1)))
      assert.deepEqual(running.attemptTimes(), [0, 0, 400, 1_200, 1_200])
      assert.deepEqual(fake.requests().map((r) => r.query.offset), ["0", "100", "100", "100", "200"])
      finish(outcome, fake, 2)
    })
)

export const timing: Suite = {
  name: "timing on the test clock",
  tally,
  tests: [...backoffTests, jitterProperty, streamTest],
  groups: [
    { name: "Retry-After", tests: retryAfterTests },
    { name: "per-attempt timeout", tests: timeoutTests },
    { name: "a caller's schedule replaces the timing, not the rule", tests: scheduleTests }
  ]
}
