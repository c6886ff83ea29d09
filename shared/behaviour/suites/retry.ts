/**
 * Retries by the library's rule: idempotent requests retry 429, 5XX and transport failures on the
 * default backoff; a create only when the server certainly did not act; `Retry-After` is honoured up
 * to its cap; a caller's schedule replaces the timing and the count, never the rule. All on the
 * test clock.
 */
import assert from "node:assert/strict"
import type { Operation } from "../../src/endpoints.js"
import type { FakeApi } from "../../src/fake/fakeApi.js"
import { fakeId } from "../../src/fake/fakeApi.js"
import { type Fault, faults } from "../../src/fake/faults.js"
import { type Call, type Outcome, secret, type Session } from "../driver.js"
import { errorOf, requestsOf, type SessionSetup, type Suite, test, valueOf, withSession } from "../harness.js"

const attempts = (fake: FakeApi, operation: Operation) => requestsOf(fake, operation).length
const create: Call = { op: "create", input: { provider: "openai", key: secret("sk-create-once-0001") } }
const get: Call = { op: "get", id: fakeId(1) }
const oneKey: SessionSetup = { fake: { seed: 1 } }

/** Runs `call`, moving the test clock by `stepMillis` until it ends. */
const runOnClock = async (session: Session, call: Call, stepMillis = 100, limit = 2_000): Promise<Outcome> => {
  const running = session.start(call)
  for (let i = 0; i < limit && !running.ended(); i++) await session.advance(stepMillis)
  return running.done
}

const idempotent = [
  test("get retries 500 with exponential, jittered backoff and succeeds", (driver) =>
    withSession(driver, oneKey, async (session, fake) => {
      fake.injectFault(faults.status(500), { operation: "get", times: 2 })
      const running = session.start(get)
      await session.advance(399) // first delay: 500 ms jittered to 400..600 ms
      assert.equal(attempts(fake, "get"), 1)
      await session.advance(201)
      assert.equal(attempts(fake, "get"), 2)
      // second delay: 1000 ms jittered to 800..1200 ms after the second attempt (at 400..600 ms)
      await session.advance(599) // t = 1199 ms: too early for any draw
      assert.equal(attempts(fake, "get"), 2)
      await session.advance(601) // t = 1800 ms: late enough for every draw
      assert.equal(valueOf((await running.done)).id, fakeId(1))
      assert.equal(attempts(fake, "get"), 3)
    })),

  test("gives up after 4 attempts with the last error", (driver) =>
    withSession(driver, oneKey, async (session, fake) => {
      fake.injectFault(faults.status(503), { operation: "get", times: 10 })
      const error = errorOf(await runOnClock(session, get))
      assert.deepEqual([error._tag, error.status], ["ApiError", 503])
      assert.equal(attempts(fake, "get"), 4)
    })),

  ...([
    ["502", faults.status(502, { body: "<html>Bad gateway</html>", headers: { "content-type": "text/html" } })],
    ["504", faults.status(504)],
    ["a reset", faults.reset()],
    ["a refused connection", faults.refuse],
    ["a broken-off body", faults.resetMidBody]
  ] as ReadonlyArray<readonly [string, Fault]>).map(([name, fault]) =>
    test(`update and delete retry ${name}`, (driver) =>
      withSession(driver, oneKey, async (session, fake) => {
        fake.injectFault(fault, { operation: "update" })
        fake.injectFault(fault, { operation: "delete" })
        valueOf(await runOnClock(session, { op: "update", id: fakeId(1), input: { disabled: true } }))
        valueOf(await runOnClock(session, { op: "delete", id: fakeId(1) }))
        assert.equal(attempts(fake, "update"), 2)
        assert.equal(attempts(fake, "delete"), 2)
      }))
  ),

  test("a hung attempt times out after 30 s and is retried", (driver) =>
    withSession(driver, oneKey, async (session, fake) => {
      fake.injectFault(faults.hang, { operation: "get" })
      const running = session.start(get)
      await session.advance(29_000)
      assert.equal(attempts(fake, "get"), 1)
      await session.advance(2_000)
      await session.advance(1_000)
      assert.equal(valueOf(await running.done).id, fakeId(1))
      assert.equal(attempts(fake, "get"), 2)
    })),

  test("the timeout is per attempt and configurable; the last one is TransportError Timeout", (driver) =>
    withSession(driver, { ...oneKey, client: { timeoutMillis: 5_000 } }, async (session, fake) => {
      fake.injectFault(faults.hang, { operation: "get", times: 10 })
      const error = errorOf(await runOnClock(session, get, 1_000))
      assert.deepEqual([error._tag, error.reason], ["TransportError", "Timeout"])
      assert.equal(attempts(fake, "get"), 4)
    })),

  test("400, 401 and 404 are not retried", (driver) =>
    withSession(driver, oneKey, async (session, fake) => {
      fake.injectFault(faults.status(401), { operation: "get" })
      fake.injectFault(faults.status(400), { operation: "update" })
      assert.equal(errorOf(await session.run(get))._tag, "Unauthorized")
      assert.equal(errorOf(await session.run({ op: "update", id: fakeId(1), input: { disabled: true } }))._tag, "BadRequest")
      assert.equal(errorOf(await session.run({ op: "delete", id: fakeId(9) }))._tag, "NotFound")
      assert.equal(attempts(fake, "get"), 1)
      assert.equal(attempts(fake, "update"), 1)
      assert.equal(attempts(fake, "delete"), 1)
    }))
]

const deleteAfterAmbiguity = [
  test("a retried delete that finds the key gone succeeds: the first attempt deleted it", (driver) =>
    withSession(driver, oneKey, async (session, fake) => {
      fake.injectFault(faults.reset({ afterHandling: true }), { operation: "delete" })
      valueOf(await runOnClock(session, { op: "delete", id: fakeId(1) }))
      assert.equal(attempts(fake, "delete"), 2)
      assert.equal(fake.size, 0)
    })),

  test("a first-attempt 404 is still NotFound", (driver) =>
    withSession(driver, oneKey, async (session) => {
      assert.equal(errorOf(await session.run({ op: "delete", id: fakeId(7) }))._tag, "NotFound")
    }))
]

const createOnce = [
  ...([
    ["a 500 after storing", faults.status(500, { afterHandling: true }), "InternalServer"],
    ["a 502 after storing", faults.status(502, { afterHandling: true }), "ApiError"],
    ["a 503 after storing", faults.status(503, { afterHandling: true }), "ApiError"],
    ["a reset after storing", faults.reset({ afterHandling: true }), "TransportError"]
  ] as ReadonlyArray<readonly [string, Fault, string]>).map(([name, fault, tag]) =>
    test(`${name}: one attempt, one credential, ${tag}`, (driver) =>
      withSession(driver, {}, async (session, fake) => {
        fake.injectFault(fault, { operation: "create", times: 5 })
        assert.equal(errorOf(await runOnClock(session, create))._tag, tag)
        assert.equal(attempts(fake, "create"), 1)
        assert.equal(fake.size, 1)
      }))
  ),

  test("a timeout: one attempt, TransportError Timeout, nothing stored twice", (driver) =>
    withSession(driver, {}, async (session, fake) => {
      fake.injectFault(faults.hang, { operation: "create", times: 5 })
      const error = errorOf(await runOnClock(session, create, 1_000))
      assert.deepEqual([error._tag, error.reason], ["TransportError", "Timeout"])
      assert.equal(attempts(fake, "create"), 1)
      assert.equal(fake.size, 0)
    })),

  test("a 429 is retried (the server did not act): one credential", (driver) =>
    withSession(driver, {}, async (session, fake) => {
      fake.injectFault(faults.status(429), { operation: "create", times: 2 })
      valueOf(await runOnClock(session, create))
      assert.equal(attempts(fake, "create"), 3)
      assert.equal(fake.size, 1)
    })),

  test("a refused connection is retried (nothing was sent): one credential", (driver) =>
    withSession(driver, {}, async (session, fake) => {
      fake.injectFault(faults.refuse, { operation: "create" })
      valueOf(await runOnClock(session, create))
      assert.equal(attempts(fake, "create"), 2)
      assert.equal(fake.size, 1)
    }))
]

const retryAfter = [
  test("in seconds: the retry waits at least that long", (driver) =>
    withSession(driver, oneKey, async (session, fake) => {
      fake.injectFault(faults.status(429, { headers: { "retry-after": "5" } }), { operation: "get" })
      const running = session.start(get)
      await session.advance(4_999)
      assert.equal(attempts(fake, "get"), 1)
      await session.advance(1)
      assert.equal(valueOf(await running.done).id, fakeId(1))
      assert.equal(attempts(fake, "get"), 2)
    })),

  test("as an HTTP date: the retry waits until then", (driver) =>
    withSession(driver, { ...oneKey, startMillis: Date.parse("2026-11-28T12:00:00Z") }, async (session, fake) => {
      fake.injectFault(faults.status(429, { headers: { "retry-after": "Sat, 28 Nov 2026 12:00:12 GMT" } }), { operation: "get" })
      const running = session.start(get)
      await session.advance(11_000)
      assert.equal(attempts(fake, "get"), 1)
      await session.advance(1_000)
      assert.equal(valueOf(await running.done).id, fakeId(1))
    })),

  test("longer than 60 s: not retried; the caller gets RateLimited with retryAfter", (driver) =>
    withSession(driver, oneKey, async (session, fake) => {
      fake.injectFault(faults.status(429, { headers: { "retry-after": "120" } }), { operation: "get" })
      const error = errorOf(await session.run(get))
      assert.deepEqual([error._tag, error.retryAfterMillis], ["RateLimited", 120_000])
      assert.equal(attempts(fake, "get"), 1)
    })),

  test("shorter than the backoff: the backoff wins", (driver) =>
    withSession(driver, oneKey, async (session, fake) => {
      fake.injectFault(faults.status(429, { headers: { "retry-after": "0" } }), { operation: "get" })
      const running = session.start(get)
      await session.advance(399)
      assert.equal(attempts(fake, "get"), 1)
      await session.advance(201)
      valueOf(await running.done)
      assert.equal(attempts(fake, "get"), 2)
    }))
]

const callersSchedule = [
  test("retry: false makes one attempt", (driver) =>
    withSession(driver, { ...oneKey, client: { retry: false } }, async (session, fake) => {
      fake.injectFault(faults.status(500), { operation: "get", times: 5 })
      assert.equal(errorOf(await session.run(get))._tag, "InternalServer")
      assert.equal(attempts(fake, "get"), 1)
    })),

  test("a custom Schedule replaces timing and count, but not which failures retry", (driver) =>
    withSession(driver, { ...oneKey, client: { retry: { spacedMillis: 2_000, recurs: 6 } } }, async (session, fake) => {
      fake.injectFault(faults.status(500), { operation: "get", times: 10 })
      errorOf(await runOnClock(session, get, 1_000))
      assert.equal(attempts(fake, "get"), 7)
      // create still never retries a 500
      fake.injectFault(faults.status(500, { afterHandling: true }), { operation: "create", times: 10 })
      errorOf(await runOnClock(session, create, 1_000))
      assert.equal(attempts(fake, "create"), 1)
    }))
]

export const retry: Suite = {
  name: "retries",
  tests: [],
  groups: [
    { name: "default retries: idempotent requests", tests: idempotent },
    { name: "delete after an ambiguous failure", tests: deleteAfterAmbiguity },
    { name: "create is never retried when the server may have acted", tests: createOnce },
    { name: "Retry-After", tests: retryAfter },
    { name: "the caller's schedule", tests: callersSchedule }
  ]
}
