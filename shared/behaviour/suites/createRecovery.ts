/**
 * A create whose outcome is unknown ends with exactly one credential, or `CreateOutcomeUnknown`
 * naming the candidates. Each case the fake can play, in memory on the test clock and over
 * 127.0.0.1 on real time, with the requests each took; then random interleavings of store, answer,
 * timeout and settle. With recovery off, the create is what it always was: one attempt.
 */
import fc from "fast-check"
import assert from "node:assert/strict"
import { defaultWorkspaceId, type FakeApi, label } from "../../src/fake/fakeApi.js"
import { type Fault, faults } from "../../src/fake/faults.js"
import { type Call, type Driver, type Outcome, type PlainKey, secret, type Session, type Transport } from "../driver.js"
import {
  apiKeyText,
  assertNoLeaks,
  fakeSecrets,
  fullTier,
  insertKey,
  makeTally,
  providerKeyText,
  requestsOf,
  seed,
  soleErrorOf,
  type Suite,
  test,
  valueOf,
  withSession
} from "../harness.js"

const tally = makeTally("createRecovery")

/** The per-attempt timeout of these sessions: short, so a hung create ends soon. */
const timeoutMillis = 1_000
/** A workspace other than the account's default. */
const otherWorkspaceId = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
/** The default settle period. */
const settleMillis = 2_000

const createCall = (keyText: string, recover: unknown = true, workspaceId = defaultWorkspaceId): Call => ({
  op: "create",
  input: { provider: "openai", key: secret(keyText), name: "Production", workspaceId },
  options: { recover }
})

/** Runs `call`, moving the test clock `stepMillis` at a time until it ends. */
const runOnTestClock = async (session: Session, call: Call, stepMillis = 250): Promise<Outcome> => {
  const running = session.start(call)
  for (let step = 0; step < 400 && !running.ended(); step++) await session.advance(stepMillis)
  assert.ok(running.ended(), "the create ended")
  return running.done
}

/** The requests the case made, by operation. */
const counts = (fake: FakeApi) => ({
  creates: requestsOf(fake, "create").length,
  lists: requestsOf(fake, "list").length,
  deletes: requestsOf(fake, "delete").length
})

interface Case {
  readonly name: string
  readonly fault: Fault
  /** Credentials that exist before the create, as the create would have made them. */
  readonly existing?: number
  /** What the create ends with: the recovery reported, or the tag it fails with. */
  readonly ends: "Recovered" | "Retried" | "DuplicateRemoved" | "CreateOutcomeUnknown"
  /** The error left open, when the case ends unknown. */
  readonly error?: string
  readonly requests: { readonly creates: number; readonly lists: number; readonly deletes: number }
}

const cases: ReadonlyArray<Case> = [
  {
    name: "stores, then answers 500",
    fault: faults.status(500, { afterHandling: true }),
    ends: "Recovered",
    requests: { creates: 1, lists: 1, deletes: 0 }
  },
  {
    name: "stores, then resets the connection",
    fault: faults.reset({ afterHandling: true }),
    ends: "Recovered",
    requests: { creates: 1, lists: 1, deletes: 0 }
  },
  {
    name: "stores only after the client timed out, within the settle period",
    fault: faults.actLaterMillis(timeoutMillis + settleMillis / 2),
    ends: "Recovered",
    requests: { creates: 1, lists: 1, deletes: 0 }
  },
  {
    name: "stores only after the settle period, so the retry races it",
    fault: faults.actLaterMillis(timeoutMillis + settleMillis + settleMillis / 4),
    ends: "DuplicateRemoved",
    requests: { creates: 2, lists: 2, deletes: 1 }
  },
  {
    name: "never stores",
    fault: faults.hang,
    ends: "Retried",
    requests: { creates: 2, lists: 2, deletes: 0 }
  },
  {
    name: "two matching credentials already exist",
    fault: faults.status(503),
    existing: 2,
    ends: "CreateOutcomeUnknown",
    error: "ApiError",
    requests: { creates: 1, lists: 1, deletes: 0 }
  }
]

let caseNumber = 0

/**
 * A provider key of its own for each case, down to its last four characters: the label shows only
 * the ends of a key, and recovery must not take another case's credential for this one's.
 */
const keyOfCase = (n: number) => `${providerKeyText(`recover-${n}`)}-${String(n % 10_000).padStart(4, "0")}`

const caseTest = (transport: Transport, recoveryCase: Case) =>
  test(`${transport}: ${recoveryCase.name} → ${recoveryCase.ends}, ${recoveryCase.requests.creates} create(s), ${recoveryCase.requests.lists} list(s), ${recoveryCase.requests.deletes} delete(s)`, (driver) =>
    withSession(driver, {
      transport,
      clock: transport === "memory" ? "test" : "live",
      client: { timeoutMillis }
    }, async (session, fake) => {
      const keyText = keyOfCase(++caseNumber)
      const now = await session.nowMillis()
      const existing = Array.from({ length: recoveryCase.existing ?? 0 }, () =>
        insertKey(fake, { provider: "openai", name: "Production", secret: keyText, createdAt: now }))
      fake.injectFault(recoveryCase.fault, { operation: "create" })
      const outcome = transport === "memory" ? await runOnTestClock(session, createCall(keyText)) : await session.run(createCall(keyText))
      const stored = fake.credentials().filter((c) => c.secret === keyText)
      assert.deepEqual(counts(fake), recoveryCase.requests)
      if (recoveryCase.ends === "CreateOutcomeUnknown") {
        const error = soleErrorOf(outcome)
        assert.equal(error._tag, "CreateOutcomeUnknown")
        assert.deepEqual([...(error.candidates as ReadonlyArray<string>)].sort(), [...existing].sort())
        assert.equal((error.error as { _tag: string })._tag, recoveryCase.error)
        assert.deepEqual(outcome.recoveries, [])
      } else {
        const made: PlainKey = valueOf(outcome)
        // Exactly one credential, and it is the one the caller got.
        assert.deepEqual(stored.map((c) => c.wire.id), [made.id])
        assert.equal(made.label, label(keyText))
        assert.equal(outcome.recoveries.length, 1)
        assert.equal(outcome.recoveries[0]!._tag, recoveryCase.ends)
        assert.equal(outcome.recoveries[0]!.keyId, made.id)
        const span = outcome.spans.find((s) => s.name === "Byok.create" && s.attributes["byok.create.recover"] === true)
        assert.ok(span !== undefined, "the operation's span")
        const event = { Recovered: "byok.create.recovered", Retried: "byok.create.retried", DuplicateRemoved: "byok.create.duplicate_removed" }
        assert.ok(span.events.some((e) => e.name === event[recoveryCase.ends as keyof typeof event]), "the recovery's event")
        // Every look, resend and removal is an operation of its own, under the create's span.
        assert.ok(outcome.spans.some((s) => s.name === "Byok.list" && s.parent === "Byok.stream"))
      }
      assertNoLeaks(outcome, [keyText, ...fakeSecrets(fake)], tally)
      tally.scenarios++
      tally.faults++
      if (outcome.exit._tag === "Success") tally.duplicates += Math.max(0, stored.length - 1)
    }), transport === "memory" ? undefined : 30_000)

const settling = [
  test("a create in another workspace is looked for in that workspace, and found there", (driver) =>
    withSession(driver, { client: { timeoutMillis } }, async (session, fake) => {
      const keyText = providerKeyText("other-workspace")
      // The same key, name and provider in the default workspace must not be taken for it.
      insertKey(fake, { provider: "openai", name: "Production", secret: keyText })
      fake.injectFault(faults.status(500, { afterHandling: true }), { operation: "create" })
      const outcome = await runOnTestClock(session, createCall(keyText, true, otherWorkspaceId))
      const made = valueOf<PlainKey>(outcome)
      assert.equal(outcome.recoveries[0]?._tag, "Recovered")
      assert.equal(made.workspaceId, otherWorkspaceId)
      assert.deepEqual(requestsOf(fake, "list").map((r) => r.query.workspace_id), [otherWorkspaceId])
      assert.equal(fake.credentials().length, 2)
    })),

  test("the settle period is the server's Retry-After when it sent one within maxRetryAfter", (driver) =>
    withSession(driver, { client: { timeoutMillis } }, async (session, fake) => {
      const keyText = providerKeyText("retry-after")
      fake.injectFault(faults.status(503, { afterHandling: true, headers: { "retry-after": "7" } }), { operation: "create" })
      const running = session.start(createCall(keyText))
      await session.advance(6_900)
      assert.equal(requestsOf(fake, "list").length, 0, "no look before the server's 7 s")
      await session.advance(200)
      const outcome = await running.done
      assert.equal(requestsOf(fake, "list").length, 1)
      assert.equal(valueOf(outcome).label, label(keyText))
    })),

  test("a settle period of its own, and a clock-skew allowance, as durations", (driver) =>
    withSession(driver, { client: { timeoutMillis } }, async (session, fake) => {
      const keyText = providerKeyText("settle-option")
      fake.injectFault(faults.status(500, { afterHandling: true }), { operation: "create" })
      const running = session.start(createCall(keyText, { settle: "5 seconds", clockSkew: "1 minute" }))
      await session.advance(4_900)
      assert.equal(requestsOf(fake, "list").length, 0)
      await session.advance(200)
      assert.equal(valueOf(await running.done).label, label(keyText))
      const bad = await session.run(createCall(keyText, { settle: "soon" }))
      const error = soleErrorOf(bad)
      assert.deepEqual([error._tag, error.issues], ["InvalidRequest", ["recover.settle: must be a duration"]])
      assert.equal(requestsOf(fake, "create").length, 1)
    })),

  test("a credential created before the attempt, less the clock-skew allowance, is not taken for it", (driver) =>
    withSession(driver, { client: { timeoutMillis }, startMillis: 3_600_000 }, async (session, fake) => {
      const keyText = providerKeyText("old")
      // An hour before the create, with the default 5-minute allowance: another credential.
      insertKey(fake, { provider: "openai", name: "Production", secret: keyText, createdAt: 0 })
      fake.injectFault(faults.status(503), { operation: "create" })
      const outcome = await runOnTestClock(session, createCall(keyText))
      assert.equal(outcome.recoveries[0]?._tag, "Retried")
      assert.equal(fake.credentials().length, 2)
    })),

  test("a label whose visible parts are another key's rules a credential out", (driver) =>
    withSession(driver, { client: { timeoutMillis } }, async (session, fake) => {
      const keyText = providerKeyText("label")
      insertKey(fake, { provider: "openai", name: "Production", secret: "sk-someone-else-entirely-9999", createdAt: 0 })
      fake.injectFault(faults.status(503), { operation: "create" })
      const outcome = await runOnTestClock(session, createCall(keyText))
      assert.equal(outcome.recoveries[0]?._tag, "Retried")
    })),

  test("a matching credential whose label cannot tell is not taken for the create's: CreateOutcomeUnknown names it", (driver) =>
    withSession(driver, { client: { timeoutMillis } }, async (session, fake) => {
      // A key of eight characters or fewer is masked as "***", which shows neither end of it.
      const other = insertKey(fake, { provider: "openai", name: "Production", secret: "sk-short" })
      assert.equal(fake.credentials().find((c) => c.wire.id === other)?.wire.label, "***")
      fake.injectFault(faults.status(503), { operation: "create" })
      const error = soleErrorOf(await runOnTestClock(session, createCall(providerKeyText("cannot-tell"))))
      assert.deepEqual([error._tag, error.candidates], ["CreateOutcomeUnknown", [other]])
      assert.deepEqual(counts(fake), { creates: 1, lists: 1, deletes: 0 })
    })),

  test("a definite refusal is not recovered: a 400 is the answer, with nothing looked for", (driver) =>
    withSession(driver, { client: { timeoutMillis } }, async (session, fake) => {
      fake.injectFault(faults.status(400), { operation: "create" })
      const outcome = await runOnTestClock(session, createCall(providerKeyText("refused")))
      assert.equal(soleErrorOf(outcome)._tag, "BadRequest")
      assert.deepEqual(counts(fake), { creates: 1, lists: 0, deletes: 0 })
    })),

  test("with recovery off the create is what it always was: one attempt, the error, nothing looked for", (driver) =>
    withSession(driver, { client: { timeoutMillis } }, async (session, fake) => {
      const keyText = providerKeyText("off")
      fake.injectFault(faults.status(500, { afterHandling: true }), { operation: "create" })
      const plain = await session.run({ op: "create", input: { provider: "openai", key: secret(keyText) } })
      assert.equal(soleErrorOf(plain)._tag, "InternalServer")
      fake.injectFault(faults.status(500, { afterHandling: true }), { operation: "create" })
      const off = await session.run({ op: "create", input: { provider: "openai", key: secret(keyText) }, options: { recover: false } })
      assert.equal(soleErrorOf(off)._tag, "InternalServer")
      assert.deepEqual(counts(fake), { creates: 2, lists: 0, deletes: 0 })
      assert.equal(fake.credentials().length, 2)
    }))
]

// ---------------------------------------------------------------------------------------------
// Random interleavings: whenever and whether the server stores, and how it answers.

/** How one attempt goes: stored or not, and when; answered how. */
type Attempt =
  | { readonly kind: "ok" }
  | { readonly kind: "status"; readonly status: 500 | 502 | 503 | 504; readonly stores: boolean }
  | { readonly kind: "reset"; readonly stores: boolean }
  | { readonly kind: "body broke off" }
  | { readonly kind: "timeout" }
  /** Stores `after` this many milliseconds, answering nothing. */
  | { readonly kind: "stores late"; readonly after: number }

const faultOf = (attempt: Attempt): Fault | undefined => {
  switch (attempt.kind) {
    case "ok":
      return undefined
    case "status":
      return faults.status(attempt.status, { afterHandling: attempt.stores })
    case "reset":
      return faults.reset({ afterHandling: attempt.stores })
    case "body broke off":
      return faults.resetMidBody
    case "timeout":
      return faults.hang
    case "stores late":
      return faults.actLaterMillis(attempt.after)
  }
}

/**
 * The last look comes no sooner than the first attempt's timeout and two settle periods: a store
 * later than that is beyond what recovery can see, and what it documents it cannot promise.
 */
const lastLookMillis = timeoutMillis + 2 * settleMillis
const attempt = (latestStore: number): fc.Arbitrary<Attempt> =>
  fc.oneof(
    fc.constant<Attempt>({ kind: "ok" }),
    fc.record({ kind: fc.constant("status" as const), status: fc.constantFrom(500, 502, 503, 504), stores: fc.boolean() }),
    fc.record({ kind: fc.constant("reset" as const), stores: fc.boolean() }),
    fc.constant<Attempt>({ kind: "body broke off" }),
    fc.constant<Attempt>({ kind: "timeout" }),
    fc.record({ kind: fc.constant("stores late" as const), after: fc.integer({ min: 0, max: latestStore }) })
  )

const interleavings = fullTier ? 10_000 : 500

/** Cases run side by side, each in a session of its own: each waits on its own test clock. */
const concurrentCases = 25

/** One interleaving, in a fresh session: how it ended. */
const interleaving = (driver: Driver, first: Attempt, resend: Attempt, n: number) =>
  withSession(driver, { client: { timeoutMillis } }, async (session, fake) => {
    const keyText = keyOfCase(n)
    for (const fault of [faultOf(first), faultOf(resend)]) {
      fake.injectFault(fault ?? faults.mapBody((wire) => wire), { operation: "create" })
    }
    // One move past every timeout and settle period of the case: the clock wakes each sleep in turn.
    const outcome = await runOnTestClock(session, createCall(keyText), 4 * lastLookMillis)
    const stored = fake.credentials().filter((c) => c.secret === keyText).map((c) => c.wire.id)
    const where = `case ${n} (seed ${seed}) ${JSON.stringify({ first, resend })}`
    let ending: "Recovered" | "Retried" | "DuplicateRemoved" | "unknown" | "created"
    if (outcome.exit._tag === "Success") {
      assert.deepEqual(stored, [valueOf<PlainKey>(outcome).id], `${where}: exactly the credential returned`)
      ending = outcome.recoveries[0]?._tag ?? "created"
    } else {
      const error = soleErrorOf(outcome)
      assert.equal(error._tag, "CreateOutcomeUnknown", `${where}: ${JSON.stringify(error)}`)
      for (const id of error.candidates as ReadonlyArray<string>) assert.ok(stored.includes(id), `${where}: each candidate is stored`)
      ending = "unknown"
    }
    assertNoLeaks(outcome, [keyText, apiKeyText], tally)
    tally.scenarios++
    tally.faults += first.kind === "ok" ? 0 : 1
    tally.duplicates += outcome.exit._tag === "Success" ? Math.max(0, stored.length - 1) : 0
    return ending
  })

const property = test(
  `random interleavings of store, answer, timeout and settle never leave 0 or 2 credentials without CreateOutcomeUnknown (${interleavings} cases)`,
  async (driver) => {
    // The resend comes a settle period after the first attempt failed; its own late store must land before the last look too.
    const drawn = fc.sample(fc.tuple(attempt(lastLookMillis - 100), attempt(settleMillis - 100)), { seed, numRuns: interleavings })
    const seen = { Recovered: 0, Retried: 0, DuplicateRemoved: 0, unknown: 0, created: 0 }
    for (let from = 0; from < drawn.length; from += concurrentCases) {
      const endings = await Promise.all(
        drawn.slice(from, from + concurrentCases).map(([first, resend], i) => interleaving(driver, first, resend, from + i))
      )
      for (const ending of endings) seen[ending]++
    }
    // Every ending was met, not just one.
    for (const [ending, count] of Object.entries(seen)) assert.ok(count > 0, `${ending} never happened: ${JSON.stringify(seen)}`)
    console.log(`[recovery] ${driver.line}: ${interleavings} interleavings ended ${JSON.stringify(seen)}`)
  },
  fullTier ? 600_000 : 60_000
)

export const createRecovery: Suite = {
  name: "a create whose outcome is unknown",
  tally,
  tests: [],
  groups: [
    { name: "each case, in memory on the test clock", tests: cases.map((c) => caseTest("memory", c)) },
    { name: "settling", tests: settling },
    { name: "random interleavings", tests: [property] }
  ]
}

/** The same cases over 127.0.0.1, on real time. */
export const createRecoveryLoopback: Suite = {
  name: "a create whose outcome is unknown, over 127.0.0.1",
  tests: cases.map((c) => caseTest("fetch", c))
}
