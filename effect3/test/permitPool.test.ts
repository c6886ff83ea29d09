import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, FastCheck, Fiber, Runtime } from "effect"
import { PermitPool } from "../src/internal/permitPool.js"

const fullTier = process.env.BYOK_TEST_TIER === "full"

/**
 * One step of a scenario: let the `n`-th task now holding a permit finish its work, or interrupt
 * task `n`, whether it is waiting, working or done. Without `settle`, the next step follows in the
 * same tick, so an interruption can land between a permit being handed over and its use.
 */
interface Step {
  readonly action: "finish" | "interrupt"
  readonly n: number
  readonly settle: boolean
}

const step: FastCheck.Arbitrary<Step> = FastCheck.record({
  action: FastCheck.constantFrom("finish", "finish", "interrupt"),
  n: FastCheck.nat(1000),
  settle: FastCheck.boolean()
})

const settle = Effect.repeatN(Effect.yieldNow(), 3)

/** Runs `tasks` callers through one pool, acting out `steps`, then lets everyone finish. */
const scenario = (permits: number, tasks: number, steps: ReadonlyArray<Step>) =>
  Effect.gen(function*() {
    const pool = new PermitPool(permits)
    let inFlight = 0
    let maxInFlight = 0
    const started: Array<number> = []
    const working: Array<number> = []
    const done = yield* Effect.forEach(Array.from({ length: tasks }), () => Deferred.make<void>())
    const fibers: Array<Fiber.RuntimeFiber<void>> = []
    for (let i = 0; i < tasks; i++) {
      fibers.push(yield* Effect.fork(pool.withPermit(Effect.gen(function*() {
        started.push(i)
        working.push(i)
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        yield* Effect.ensuring(
          Deferred.await(done[i]!),
          Effect.sync(() => {
            inFlight--
            working.splice(working.indexOf(i), 1)
          })
        )
      }))))
      // Each caller reaches the pool before the next one is forked: the line is in index order.
      yield* Effect.yieldNow()
    }
    for (const { action, n, settle: wait } of steps) {
      if (action === "finish" && working.length > 0) yield* Deferred.succeed(done[working[n % working.length]!]!, undefined)
      if (action === "interrupt" && tasks > 0) yield* Fiber.interruptFork(fibers[n % tasks]!)
      if (wait) yield* settle
    }
    for (const d of done) yield* Deferred.succeed(d, undefined)
    const exits = yield* Effect.forEach(fibers, Fiber.await)
    return { pool, maxInFlight, started, exits }
  })

describe("PermitPool", () => {
  it.effect("never more than the limit in flight, first come first served, no permit lost under random interruptions", () =>
    Effect.gen(function*() {
      const runtime = yield* Effect.runtime<never>()
      let interruptedWhileWaiting = 0
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(
            FastCheck.integer({ min: 1, max: 6 }),
            FastCheck.integer({ min: 0, max: 40 }),
            FastCheck.array(step, { maxLength: 80 }),
            async (permits, tasks, steps) => {
              const { exits, maxInFlight, pool, started } = await Runtime.runPromise(runtime)(scenario(permits, tasks, steps))
              expect(maxInFlight).toBeLessThanOrEqual(permits)
              // Permits go in the order callers asked for them.
              expect(started).toEqual([...started].sort((a, b) => a - b))
              // Every permit is back, nobody is left in line.
              expect(pool.available).toBe(permits)
              expect(pool.waiting).toBe(0)
              // Only interruptions end a task early.
              exits.forEach((exit, i) => {
                if (Exit.isFailure(exit)) {
                  expect(Exit.isInterrupted(exit)).toBe(true)
                  if (!started.includes(i)) interruptedWhileWaiting++
                }
              })
            }
          ),
          { numRuns: fullTier ? 2_000 : 300 }
        )
      )
      // The property reached the case it exists for.
      expect(interruptedWhileWaiting).toBeGreaterThan(0)
    }))

  it.effect("a waiter interrupted in the same tick its permit is handed over passes the permit on", () =>
    Effect.gen(function*() {
      const pool = new PermitPool(1)
      const release = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(pool.withPermit(Deferred.await(release)))
      yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(pool.withPermit(Effect.never))
      yield* Effect.yieldNow()
      const third = yield* Effect.fork(pool.withPermit(Effect.succeed("ran")))
      yield* Effect.yieldNow()
      expect(pool.waiting).toBe(2)
      // Hand the permit to the waiter and interrupt it before it can run.
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.interrupt(waiter)
      yield* Fiber.join(holder)
      expect(yield* Fiber.join(third)).toBe("ran")
      expect(pool.available).toBe(1)
      expect(pool.waiting).toBe(0)
    }))

  it.effect("free permits are taken without waiting", () =>
    Effect.gen(function*() {
      const pool = new PermitPool(2)
      const inside = yield* pool.withPermit(Effect.sync(() => pool.available))
      expect(inside).toBe(1)
      expect(pool.available).toBe(2)
      const failed = yield* Effect.exit(pool.withPermit(Effect.fail("boom")))
      expect(Exit.isFailure(failed)).toBe(true)
      expect(pool.available).toBe(2)
    }))
})
