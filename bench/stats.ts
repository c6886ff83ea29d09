/** Timing and the numbers every figure is made of: per-round values, medians, ranges. */

/** Rounds per figure: each figure is the median of this many alternating runs. */
export const rounds = 5

/** One figure: a value per round for each variant, rounds aligned so ratios can be taken per round. */
export interface Series {
  readonly [variant: string]: Array<number>
}

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

/** The ratio a/b taken round by round (same run, same server state), then summarised. */
export const ratio = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => range(a.map((x, i) => x / b[i]!))

/** Milliseconds taken by `f`. */
export const time = async (f: () => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  await f()
  return performance.now() - start
}

/** The round's order: the variants rotated by the round number, so none always runs first. */
export const rotate = <A>(items: ReadonlyArray<A>, round: number): Array<A> =>
  items.map((_, i) => items[(i + round) % items.length]!)

export const push = (series: Record<string, Array<number>>, variant: string, value: number) => {
  ;(series[variant] ??= []).push(value)
}
