/**
 * The client's request limit (`maxConcurrentRequests`): each line's own permit pool, driven from
 * outside. Generated scenarios of callers finishing and being interrupted, while waiting, while
 * working, or in the same tick a permit is handed to them, hold it to its promises: never more
 * than the limit at once, permits in the order callers asked, and none lost.
 */
import fc from "fast-check"
import assert from "node:assert/strict"
import type { Driver, PermitPoolHandle } from "../driver.js"
import { fullTier, seed, type Suite, test } from "../harness.js"

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
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

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

export const permitPool: Suite = { name: "permit pool", tests }
