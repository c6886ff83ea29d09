/**
 * How much a run measures: the full run that writes BENCHMARKS.md, or `--quick`, which smoke-tests
 * the harness with fewer rounds and smaller counts (its figures are not worth comparing). Every
 * bench process reads the same flag, so they all agree.
 */

export interface Settings {
  readonly quick: boolean
  /** Each figure is the median of this many rounds. */
  readonly rounds: number
  /**
   * Gets each process makes before any get workload is measured. A service runs for hours: what
   * counts is each client once its code is compiled by the JIT, not how fast that happens.
   */
  readonly warmupGets: number
  readonly sequentialGets: number
  readonly parallelGets: number
  /**
   * Burst sizes, ascending: all gets of a burst in flight at once, and the fibers waiting on the
   * request limit in its comparison. The first and last are compared per call.
   */
  readonly bursts: ReadonlyArray<number>
  /** Calls per measured run of the request-limit comparison, at each burst size (bursts repeated). */
  readonly permitCalls: number
  /** Server delays of the 10,000-key stream; the first is 0, which the targets are about. */
  readonly streamDelays: ReadonlyArray<number>
  readonly decodeIterations: number
  /** Keys of the large listing whose peak RSS is compared with the 10,000-key one's. */
  readonly largeKeys: number
  /** Every measured run is stopped at this bound and reported as a miss, so a collapse cannot hang the bench. */
  readonly boundMs: number
  /** How long a stopped run gets to wind down before its process gives up on it and ends. */
  readonly graceMs: number
}

export const fullSettings: Settings = {
  quick: false,
  rounds: 5,
  warmupGets: 5_000,
  sequentialGets: 2_000,
  parallelGets: 2_000,
  bursts: [250, 1_000, 2_000],
  permitCalls: 200_000,
  streamDelays: [0, 20],
  decodeIterations: 300,
  largeKeys: 100_000,
  boundMs: 30_000,
  graceMs: 5_000
}

/** Small enough to run in about a minute on a quiet machine; every path of the full run still runs. */
export const quickSettings: Settings = {
  quick: true,
  rounds: 2,
  warmupGets: 200,
  sequentialGets: 200,
  parallelGets: 200,
  bursts: [100, 500],
  permitCalls: 10_000,
  streamDelays: [0, 5],
  decodeIterations: 50,
  largeKeys: 20_000,
  boundMs: 2_000,
  graceMs: 1_000
}

export const settingsFrom = (argv: ReadonlyArray<string>): Settings => argv.includes("--quick") ? quickSettings : fullSettings

/**
 * A measured process is killed past this: its workloads stop themselves at `boundMs` each, so this
 * only catches one that does not stop when told (its figures are then all misses).
 */
export const processBudgetMs = (settings: Settings) => 8 * settings.boundMs + 60_000

/** The request limit's permits in its comparison: the library's default `maxConcurrentRequests`. */
export const permits = 32
/** The request limits compared on Effect 4: the library's pool, Effect's `Semaphore`, and none (the floor). */
export const limitNames = ["pool", "semaphore", "none"] as const
export type LimitName = (typeof limitNames)[number]
/** Gets kept in flight at once by the "in flight" workload. */
export const inFlight = 16
export const listedKeys = 10_000
export const pageSize = 100
