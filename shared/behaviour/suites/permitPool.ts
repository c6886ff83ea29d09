/**
 * The client's request limit (`maxConcurrentRequests`): each line's own permit pool, driven from
 * outside. Generated scenarios of callers finishing and being interrupted, while waiting, while
 * working, or in the same tick a permit is handed to them, hold it to its promises: never more
 * than the limit at once, permits in the order callers asked, and none lost. The client keeps the
 * same promises for its requests, as the fake sees them arrive, whichever answers first.
 */
import fc from "fast-check"
import assert from "node:assert/strict"
import { fakeId, type FakeApi } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import type { Driver, PermitPoolHandle, Running, Session } from "../driver.js"
import { fullTier, requestsOf, seed, type Suite, test, turns, until, valueOf, withSession } from "../harness.js"

/**
 * One step: let the `n`-th task now holding a permit finish, or interrupt task `n`, whether it is
 * waiting, working or done. Without `settle` the next step follows in the same tick, so an
 * interruption can land between a permit being handed over and its use.
 */
interface Step {
  readonly action: "finish" | "interrupt"
  readonly n: number
  readonly settle: boolean
}

const step: fc.Arbitrary<Step> = fc.record({
  action: fc.constantFrom<Step["action"]>("finish", "finish", "interrupt"),
  n: fc.nat(1000),
  settle: fc.boolean()
})

/** Turns of the event loop (not sleeps), so every fiber that can run has run. */
const settle = () => turns(3)

interface Outcome {
  readonly maxInFlight: number
  readonly started: ReadonlyArray<number>
  readonly ends: ReadonlyArray<"done" | "interrupted" | "failed">
}

/** Runs `tasks` callers through one pool, acting out `steps`, then lets everyone finish. */
const scenario = async (pool: PermitPoolHandle, tasks: number, steps: ReadonlyArray<Step>): Promise<Outcome> => {
  let inFlight = 0
  let maxInFlight = 0
  const started: Array<number> = []
  const working: Array<number> = []
  const finish: Array<() => void> = []
  const running: Array<ReturnType<PermitPoolHandle["run"]>> = []
  const leave = (i: number) => {
    const at = working.indexOf(i)
    if (at === -1) return
    working.splice(at, 1)
    inFlight--
  }
  for (let i = 0; i < tasks; i++) {
    const finished = new Promise<void>((resolve) => (finish[i] = resolve))
    running.push(pool.run((signal) => {
      started.push(i)
      working.push(i)
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      // An interrupted task stops working the moment it is interrupted, as a request does.
      signal.addEventListener("abort", () => leave(i), { once: true })
      return finished.then(() => leave(i))
    }))
    // Each caller reaches the pool before the next one starts: the line is in index order.
    await settle()
  }
  for (const { action, n, settle: wait } of steps) {
    if (action === "finish" && working.length > 0) finish[working[n % working.length]!]!()
    if (action === "interrupt" && tasks > 0) running[n % tasks]!.interrupt()
    if (wait) await settle()
  }
  for (const resolve of finish) resolve()
  const ends = await Promise.all(running.map((task) => task.done))
  return { maxInFlight, started, ends }
}

const tests = [
  test("never more than the limit at once, first come first served, no permit lost under random interruptions", async (driver: Driver) => {
    let interruptedWhileWaiting = 0
    let interruptedWhileWorking = 0
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(step, { maxLength: 80 }),
        async (permits, tasks, steps) => {
          const pool = driver.permitPool(permits)
          const { ends, maxInFlight, started } = await scenario(pool, tasks, steps)
          assert.ok(maxInFlight <= permits, `${maxInFlight} at once with ${permits} permits`)
          assert.deepEqual(started, [...started].sort((a, b) => a - b), "permits go in the order callers asked")
          assert.equal(pool.available(), permits, "every permit is back")
          assert.equal(pool.waiting(), 0, "nobody is left in line")
          ends.forEach((end, i) => {
            assert.notEqual(end, "failed", "only interruptions end a task early")
            if (end === "interrupted") {
              if (started.includes(i)) interruptedWhileWorking++
              else interruptedWhileWaiting++
            }
          })
        }
      ),
      { seed, numRuns: fullTier ? 2_000 : 300 }
    )
    // The property reached the cases it exists for.
    assert.ok(interruptedWhileWaiting > 0, "some task was interrupted while waiting")
    assert.ok(interruptedWhileWorking > 0, "some task was interrupted while working")
  }, 120_000),

  test("a waiter interrupted in the same tick its permit is handed over passes the permit on", async (driver) => {
    const pool = driver.permitPool(1)
    let releaseHolder = () => {}
    const holder = pool.run(() => new Promise<void>((resolve) => (releaseHolder = resolve)))
    await settle()
    const waiter = pool.run(() => new Promise<void>(() => {}))
    await settle()
    let thirdRan = false
    const third = pool.run(async () => {
      thirdRan = true
    })
    await settle()
    assert.equal(pool.waiting(), 2)
    // Hand the permit to the waiter, and interrupt the waiter before it can use it.
    releaseHolder()
    await Promise.resolve()
    waiter.interrupt()
    assert.equal(await holder.done, "done")
    assert.equal(await waiter.done, "interrupted")
    assert.equal(await third.done, "done")
    assert.ok(thirdRan)
    assert.equal(pool.available(), 1)
    assert.equal(pool.waiting(), 0)
  }),

  test("free permits are taken without waiting, and a failing task gives its permit back", async (driver) => {
    const pool = driver.permitPool(2)
    let inside = -1
    const first = pool.run(async () => {
      inside = pool.available()
    })
    assert.equal(await first.done, "done")
    assert.equal(inside, 1)
    assert.equal(pool.available(), 2)
    const failing = pool.run(() => Promise.reject(new Error("boom")))
    assert.equal(await failing.done, "failed")
    assert.equal(pool.available(), 2)
    assert.equal(pool.waiting(), 0)
  })
]

// ---------------------------------------------------------------------------------------------
// The same promises kept by a client with `maxConcurrentRequests`, seen from the fake.

/** One step: move the test clock by 100 ms (answering the requests whose delay is up), or interrupt caller `n`. */
interface ClientStep {
  readonly action: "advance" | "interrupt"
  readonly n: number
}

const clientStep: fc.Arbitrary<ClientStep> = fc.record({
  action: fc.constantFrom<ClientStep["action"]>("advance", "advance", "interrupt"),
  n: fc.nat(1000)
})

/** Callers of `get`, each for its own credential, which the fake answers after its own delay. */
class Callers {
  readonly running: Array<Running> = []
  readonly ids: Array<string> = []
  constructor(readonly session: Session, readonly fake: FakeApi, readonly limit: number) {}

  /** The credential ids the fake was asked for, in the order the requests reached it. */
  sent(): Array<string> {
    return requestsOf(this.fake, "get").map((r) => r.path.slice(r.path.lastIndexOf("/") + 1))
  }

  /** Callers whose request is out and who have not ended (each holds a permit), and callers still in line. */
  counts(): { readonly holding: number; readonly waiting: number } {
    const sent = new Set(this.sent())
    let holding = 0
    let waiting = 0
    this.running.forEach((running, i) => {
      if (running.ended()) return
      if (sent.has(this.ids[i]!)) holding++
      else waiting++
    })
    return { holding, waiting }
  }

  /**
   * Waits until nothing moves for several turns of the event loop, then checks the limit: never more
   * out at once than the limit, and never a caller left in line beside a free permit.
   */
  async settle(what: string): Promise<{ readonly holding: number; readonly waiting: number }> {
    let last = ""
    let same = 0
    await until(() => {
      const now = JSON.stringify([this.sent().length, this.running.map((r) => r.ended())])
      same = now === last ? same + 1 : 0
      last = now
      return same >= 5
    }, what)
    const counts = this.counts()
    assert.ok(counts.holding <= this.limit, `${what}: ${counts.holding} requests out with a limit of ${this.limit}`)
    assert.ok(counts.waiting === 0 || counts.holding === this.limit, `${what}: ${counts.waiting} in line beside a free permit`)
    return counts
  }

  /** Starts a get of credential `n`, answered `delayMillis` after it reaches the fake, and lets it reach the line. */
  async call(n: number, delayMillis: number): Promise<void> {
    const id = fakeId(n)
    this.fake.injectFault(faults.delayMillis(delayMillis), { operation: "get", id })
    this.ids.push(id)
    this.running.push(this.session.start({ op: "get", id }))
    await this.settle(`caller ${this.running.length - 1} started`)
  }

  /** Moves the clock until every caller has ended. */
  async finish(): Promise<void> {
    for (let i = 0; i < 1_000 && this.running.some((r) => !r.ended()); i++) {
      await this.session.advance(100)
      await this.settle("finishing")
    }
    assert.ok(this.running.every((r) => r.ended()), "every caller ended")
  }
}

const throughTheClient = [
  test("never more requests out than maxConcurrentRequests, sent first come first served, no permit lost when callers are interrupted", async (driver: Driver) => {
    let interruptedWhileWaiting = 0
    let interruptedWhileWorking = 0
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 16 }),
        fc.array(clientStep, { maxLength: 40 }),
        async (limit, delays, steps) =>
          withSession(driver, { fake: { seed: delays.length + limit + 1 }, client: { maxConcurrentRequests: limit } }, async (session, fake) => {
            const callers = new Callers(session, fake, limit)
            // Each caller reaches the line before the next starts: the line is in index order.
            for (const [i, delay] of delays.entries()) await callers.call(i + 1, delay * 100)
            assert.deepEqual(callers.counts(), {
              holding: Math.min(limit, delays.length),
              waiting: Math.max(0, delays.length - limit)
            }, "the first callers up to the limit are sent at once, the rest wait")

            const interrupted = new Set<number>()
            const neverSent = new Set<number>()
            for (const { action, n } of steps) {
              if (action === "advance") {
                await session.advance(100)
              } else if (delays.length > 0) {
                const i = n % delays.length
                const running = callers.running[i]!
                if (!running.ended()) {
                  const sent = callers.sent().includes(callers.ids[i]!)
                  if (sent) {
                    interruptedWhileWorking++
                  } else {
                    interruptedWhileWaiting++
                    neverSent.add(i)
                  }
                  interrupted.add(i)
                  assert.equal((await running.interrupt()).exit._tag, "Interrupted")
                }
              }
              await callers.settle(`after ${action} ${n}`)
            }
            await callers.finish()

            // Permits in the order callers asked for them; a caller interrupted in line never sends.
            const expected = callers.ids.filter((_, i) => !neverSent.has(i))
            assert.deepEqual(callers.sent(), expected, "requests reach the fake in the order callers asked")
            for (const [i, running] of callers.running.entries()) {
              if (!interrupted.has(i)) assert.equal(valueOf(await running.done).id, callers.ids[i])
            }

            // Every permit is back: as many fresh callers as the limit are sent at once, one more waits.
            const before = callers.sent().length
            for (let i = 0; i <= limit; i++) await callers.call(delays.length + 1 + i, 100)
            assert.equal(callers.sent().length - before, limit, "every permit is free again")
            assert.equal(callers.counts().waiting, 1)
            await callers.finish()
            assert.equal(callers.sent().length - before, limit + 1)
          })
      ),
      { seed, numRuns: fullTier ? 200 : 25 }
    )
    // The property reached the cases it exists for.
    assert.ok(interruptedWhileWaiting > 0, "some caller was interrupted while waiting")
    assert.ok(interruptedWhileWorking > 0, "some caller was interrupted while its request was out")
  }, 120_000)
]

export const permitPool: Suite = {
  name: "permit pool",
  tests,
  groups: [{ name: "through the client (maxConcurrentRequests)", tests: throughTheClient }]
}
