/** Timing and the numbers every figure is made of: per-round values, medians, ranges. */

/**
 * One figure: a value per round for each variant, rounds aligned so ratios can be taken per round.
 * `null` is a run stopped at its time bound: a miss, with no figure.
 */
export interface Series {
  readonly [variant: string]: Array<number | null>
}

/** Whether every round of a variant finished within its bound. */
export const finished = (values: ReadonlyArray<number | null>): values is ReadonlyArray<number> =>
  values.every((value) => value !== null)

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const range = (values: ReadonlyArray<number>) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values)
})

/** The ratio a/b taken round by round (the same round, one process after the other), then summarised. */
export const ratio = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => range(a.map((x, i) => x / b[i]!))

/** Milliseconds taken by `f`. */
export const time = async (f: () => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  await f()
  return performance.now() - start
}

/** Thrown by `bounded` when a stopped run is still going after its grace: its process should end. */
export class WouldNotStop extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

/**
 * Milliseconds taken by `f`, or `null` if it was still running at `boundMs`: then its signal is
 * aborted and it gets `graceMs` to stop, so the next run starts on a quiet process. If it has not
 * stopped by then, `WouldNotStop` is thrown: nothing measured after it in the process would be fair.
 */
export const bounded = async (
  bounds: { readonly boundMs: number; readonly graceMs: number },
  f: (signal: AbortSignal) => Promise<unknown>
): Promise<number | null> => {
  const controller = new AbortController()
  const start = performance.now()
  const run = f(controller.signal).then(
    () => performance.now() - start,
    (error: unknown) => {
      if (controller.signal.aborted) return null
      throw error
    }
  )
  const first = await Promise.race([run, sleep(bounds.boundMs).then(() => "late" as const)])
  if (first !== "late") return first
  controller.abort()
  const stopped = await Promise.race([run.then(() => true), sleep(bounds.graceMs).then(() => false)])
  if (!stopped) throw new WouldNotStop(`still running ${bounds.graceMs} ms after it was stopped at ${bounds.boundMs} ms`)
  return null
}

/** The round's order: the variants rotated by the round number, so none always runs first. */
export const rotate = <A>(items: ReadonlyArray<A>, round: number): Array<A> =>
  items.map((_, i) => items[(i + round) % items.length]!)

/**
 * Records a variant's value for `round`. Rounds the variant has no value for (its process was
 * stopped) are filled with `null` first, so rounds stay aligned across variants.
 */
export const pushAt = (series: Record<string, Array<number | null>>, variant: string, round: number, value: number | null) => {
  const values = series[variant] ??= []
  while (values.length < round) values.push(null)
  values.push(value)
}
