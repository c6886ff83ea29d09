/**
 * The request limit on Effect 4, alone: the library's `PermitPool.withPermit` against Effect's
 * `Semaphore.withPermits(1)`, and no limit at all (the floor: what forking the burst costs). Each
 * burst is n fibers at once (`Effect.forEach`, unbounded) over `permits` permits, every fiber
 * holding its permit across one `Effect.yieldNow`, so n − permits of them wait in line.
 *
 * `node permits.js pool|semaphore|none [--quick]` prints `{"permits-<n>": µs per call, ...,
 * "permits-growth": µs per call at the largest n ÷ at the smallest}`; `null` is a run stopped at
 * its bound.
 */
import * as Effect from "effect/Effect"
import * as Semaphore from "effect/Semaphore"
import { checkLine } from "../../bench/clients.js"
import { type LimitName, permits, settingsFrom } from "../../bench/settings.js"
import { bounded, WouldNotStop } from "../../bench/stats.js"
import { PermitPool } from "../src/internal/permitPool.js"

type Limit = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

const limits: Record<LimitName, () => Limit> = {
  pool: () => {
    const pool = new PermitPool(permits)
    return (self) => pool.withPermit(self)
  },
  semaphore: () => Semaphore.makeUnsafe(permits).withPermits(1),
  none: () => (self) => self
}

checkLine("effect4", import.meta.url)
const settings = settingsFrom(process.argv)
const name = process.argv[2] as LimitName
const limit = limits[name]()

const burst = (n: number, held: Effect.Effect<void>) =>
  Effect.forEach(Array.from({ length: n }), () => limit(held), { concurrency: "unbounded", discard: true })

/** Fails unless the limit lets through exactly `permits` fibers at once, so both limits are measured doing the same job. */
const checkLimit = async (n: number) => {
  let holding = 0
  let most = 0
  const held = Effect.andThen(
    Effect.sync(() => most = Math.max(most, ++holding)),
    Effect.ensuring(Effect.yieldNow, Effect.sync(() => holding--))
  )
  await Effect.runPromise(burst(n, held))
  const expected = name === "none" ? n : Math.min(n, permits)
  if (most !== expected) throw new Error(`${name}: ${most} fibers held a permit at once in a burst of ${n}, expected ${expected}`)
}

/** Bursts of n, repeated to `permitCalls` calls: µs per call, or `null` if stopped at the bound. */
const perCall = async (n: number): Promise<number | null> => {
  const repeats = Math.ceil(settings.permitCalls / n)
  const run = Effect.forEach(Array.from({ length: repeats }), () => burst(n, Effect.yieldNow), { discard: true })
  const ms = await bounded(settings, (signal) => Effect.runPromise(run, { signal }))
  return ms === null ? null : (ms * 1000) / (repeats * n)
}

const main = async () => {
  // Every figure starts as a miss, so one the process does not get to (it ended early) stays one.
  const out: Record<string, number | null> = { "permits-growth": null }
  for (const n of settings.bursts) out[`permits-${n}`] = null
  try {
    for (const n of settings.bursts) await checkLimit(n)
    for (const n of settings.bursts) await perCall(n) // warm-up
    for (const n of settings.bursts) out[`permits-${n}`] = await perCall(n)
  } catch (error) {
    if (!(error instanceof WouldNotStop)) throw error
    // The stopped run is still busy: end the process rather than measure anything beside it.
    process.stderr.write(`    ${name}: a run ${error.message}; the rest are misses\n`)
    process.stdout.write(JSON.stringify(out), () => process.exit(0))
    return
  }
  const smallest = out[`permits-${settings.bursts[0]}`]
  const largest = out[`permits-${settings.bursts.at(-1)}`]
  out["permits-growth"] = smallest == null || largest == null ? null : largest / smallest
  process.stdout.write(JSON.stringify(out))
}

await main()
