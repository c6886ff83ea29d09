/**
 * The report: the tables (one row per figure, medians with min–max, ratios taken round by round,
 * each target and whether each line over each transport met it), the request-limit comparison, and
 * BENCHMARKS.md.
 */
import { execSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { cpus, loadavg, release, totalmem } from "node:os"
import { dirname, join } from "node:path"
import {
  type ClientName,
  clientNames,
  type Line,
  lineClient,
  type LineClient,
  lineClients,
  lineTitle,
  resolvedVersion,
  title,
  transports
} from "./clients.js"
import { inFlight, type LimitName, limitNames, listedKeys, pageSize, permits, processBudgetMs, type Settings } from "./settings.js"
import { finished, range, ratio, type Series } from "./stats.js"

/**
 * What a row measures: it says which way is better, and so the target of effect 4 ÷ effect 3
 * (no slower: ≤ 1.0× a time, ≥ 1.0× a throughput; memory, counts and ratios have none).
 */
type Kind = "time" | "throughput" | "memory" | "count" | "ratio"

type Values = Partial<Record<string, ReadonlyArray<number | null>>>

interface Stats {
  readonly median: (column: string) => number
  readonly ratio: (a: string, b: string) => number
}

interface Row {
  readonly workload: string
  readonly measure: string
  readonly kind: Kind
  /** Per-round values for each column, rounds aligned; `null` is a run stopped at its bound. */
  readonly values: Values
  /** Whether ratios against the SDK and fetch mean anything for this row. */
  readonly ratios: boolean
  readonly target?: string
  /** Whether one line over one transport met the target, from the medians and the per-round ratios. */
  readonly met?: (stats: Stats, client: LineClient) => boolean
}

/** One figure's columns; the SDK's can come from another figure (it has no parallel listing). */
const pick = (figures: Record<string, Series>, figure: string, sdkFigure = figure): Values => {
  const out: Record<string, ReadonlyArray<number | null>> = {}
  for (const column of clientNames) {
    const values = figures[column === "sdk" ? sdkFigure : figure]?.[column]
    if (values !== undefined) out[column] = values
  }
  return out
}

const count = (n: number) => n.toLocaleString("en-US")

/** Every row of the client tables, from the figures the workloads produced. */
const rows = (figures: Record<string, Series>, settings: Settings): ReadonlyArray<Row> => {
  const smallest = settings.bursts[0]!
  const largest = settings.bursts.at(-1)!
  const [firstDelay, ...otherDelays] = settings.streamDelays
  const stream = `stream ${count(listedKeys)} keys, page size ${pageSize}`
  const concurrent = "same, `concurrency: 4` (SDK: sequential; fetch: 4 in flight)"
  const undici = (client: LineClient) => client.endsWith("-undici")
  const coldInstalled = "cold start: import (as installed) + build the client (fetch: bare `node`, absolute)"
  const coldBundled = "cold start, bundled by esbuild (minified, one file)"
  return [
    {
      workload: `\`get\` × ${count(settings.sequentialGets)} sequential`,
      measure: "µs per request",
      kind: "time",
      values: pick(figures, "get-seq"),
      ratios: true,
      target: "≤ 1.1× SDK over fetch; ≤ 0.85× SDK over undici",
      met: (s, client) => s.ratio(client, "sdk") <= (undici(client) ? 0.85 : 1.1)
    },
    {
      workload: `\`get\` × ${count(settings.parallelGets)}, ${inFlight} in flight`,
      measure: "requests per second",
      kind: "throughput",
      values: pick(figures, "get-par"),
      ratios: true,
      target: "≥ 1.0× SDK over fetch; ≥ 1.2× SDK over undici",
      met: (s, client) => s.ratio(client, "sdk") >= (undici(client) ? 1.2 : 1.0)
    },
    ...settings.bursts.flatMap((n): ReadonlyArray<Row> => [
      {
        workload: `burst of ${count(n)} concurrent \`get\`s (library: \`Effect.forEach\`, \`concurrency: "unbounded"\`, default options; SDK, fetch: \`Promise.all\`)`,
        measure: "ms per burst",
        kind: "time",
        values: pick(figures, `burst-${n}`),
        ratios: true,
        ...(n === largest ? { target: "≤ SDK's", met: (s: Stats, client: LineClient) => s.ratio(client, "sdk") <= 1 } : {})
      },
      { workload: `burst of ${count(n)}`, measure: "µs per call", kind: "time", values: pick(figures, `burst-${n}-per-call`), ratios: true },
      { workload: `burst of ${count(n)}`, measure: "TCP connections opened", kind: "count", values: pick(figures, `burst-${n}-connections`), ratios: false }
    ]),
    {
      workload: `burst: µs per call at ${count(largest)} ÷ at ${count(smallest)}`,
      measure: "ratio",
      kind: "ratio",
      values: pick(figures, "burst-growth"),
      ratios: false,
      target: "≤ 1.25×",
      met: (s, client) => s.median(client) <= 1.25
    },
    {
      workload: `${stream}, delay ${firstDelay} ms`,
      measure: "requests made",
      kind: "count",
      values: pick(figures, `stream-${firstDelay}ms-requests`),
      ratios: false,
      target: "exactly 100",
      met: (s, client) => s.median(client) === 100
    },
    {
      workload: `${stream}, delay ${firstDelay} ms`,
      measure: "wall ms",
      kind: "time",
      values: pick(figures, `stream-${firstDelay}ms`),
      ratios: true,
      target: "≤ 1.0× SDK",
      met: (s, client) => s.ratio(client, "sdk") <= 1
    },
    ...otherDelays.flatMap((delay): ReadonlyArray<Row> => [
      { workload: `${stream}, delay ${delay} ms`, measure: "requests made", kind: "count", values: pick(figures, `stream-${delay}ms-requests`), ratios: false },
      { workload: `${stream}, delay ${delay} ms`, measure: "wall ms", kind: "time", values: pick(figures, `stream-${delay}ms`), ratios: true }
    ]),
    {
      workload: `${concurrent}, delay ${firstDelay} ms`,
      measure: "wall ms",
      kind: "time",
      values: pick(figures, `stream-${firstDelay}ms-c4`, `stream-${firstDelay}ms`),
      ratios: true
    },
    ...otherDelays.flatMap((delay): ReadonlyArray<Row> => [
      {
        workload: `${concurrent}, delay ${delay} ms`,
        measure: "requests made",
        kind: "count",
        values: pick(figures, `stream-${delay}ms-c4-requests`, `stream-${delay}ms-requests`),
        ratios: false
      },
      {
        workload: `${concurrent}, delay ${delay} ms`,
        measure: "wall ms",
        kind: "time",
        values: pick(figures, `stream-${delay}ms-c4`, `stream-${delay}ms`),
        ratios: true
      }
    ]),
    {
      workload: `stream ${count(listedKeys)} keys, own process, not collected`,
      measure: "peak RSS MiB",
      kind: "memory",
      values: pick(figures, "rss-10k"),
      ratios: true
    },
    {
      workload: `stream ${count(settings.largeKeys)} keys, own process, not collected`,
      measure: "peak RSS MiB",
      kind: "memory",
      values: pick(figures, "rss-large"),
      ratios: true
    },
    {
      workload: `peak RSS, ${count(settings.largeKeys)} keys ÷ ${count(listedKeys)} keys`,
      measure: "ratio",
      kind: "ratio",
      values: pick(figures, "rss-growth"),
      ratios: true,
      target: "≤ 1.1× fetch's own ratio",
      met: (s, client) => s.ratio(client, "fetch") <= 1.1
    },
    {
      workload: `decode one ${pageSize}-key page (fetch: \`JSON.parse\` of its text; each line's schema, the same for both its transports)`,
      measure: "µs per page",
      kind: "time",
      values: pick(figures, "decode"),
      ratios: true
    },
    {
      workload: coldInstalled,
      measure: "added ms",
      kind: "time",
      values: pick(figures, "cold-ms"),
      ratios: false,
      target: "≤ SDK's",
      met: (s, client) => s.median(client) <= s.median("sdk")
    },
    {
      workload: coldInstalled,
      measure: "added MiB",
      kind: "memory",
      values: pick(figures, "cold-mib"),
      ratios: false,
      target: "≤ SDK's",
      met: (s, client) => s.median(client) <= s.median("sdk")
    },
    { workload: coldBundled, measure: "added ms", kind: "time", values: pick(figures, "cold-bundle-ms"), ratios: false },
    { workload: coldBundled, measure: "added MiB", kind: "memory", values: pick(figures, "cold-bundle-mib"), ratios: false }
  ]
}

const number = (x: number) =>
  Number.isInteger(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)

/** A run stopped at its bound has no figure: the cell says so instead. */
const stopped = (values: ReadonlyArray<number | null>, settings: Settings) => {
  const n = values.filter((v) => v === null).length
  const bound = `> ${settings.boundMs / 1000} s`
  return n === values.length ? `${bound}, stopped` : `${bound}, stopped in ${n} of ${values.length} rounds`
}

const cell = (values: ReadonlyArray<number | null> | undefined, settings: Settings) => {
  if (values === undefined || values.length === 0) return "—"
  if (!finished(values)) return stopped(values, settings)
  const r = range(values)
  return r.min === r.max ? number(r.median) : `${number(r.median)} (${number(r.min)}–${number(r.max)})`
}

const ratioCell = (values: Values, a: string, b: string) => {
  const x = values[a]
  const y = values[b]
  if (x === undefined || y === undefined) return "—"
  if (!finished(x) || !finished(y)) return "stopped"
  const r = ratio(x, y)
  return `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`
}

/** A figure with a run stopped at its bound: the target is missed. */
class Stopped {}
/** A figure this run did not measure: no verdict. */
class Missing {}
const measured = (values: ReadonlyArray<number | null> | undefined): ReadonlyArray<number> => {
  if (values === undefined) throw new Missing()
  if (!finished(values)) throw new Stopped()
  return values
}
const statsOf = (values: Values): Stats => ({
  median: (c) => range(measured(values[c])).median,
  ratio: (a, b) => ratio(measured(values[a]), measured(values[b])).median
})

/** "met" or "**missed**" for one check, a stopped run being a miss. */
const judge = (check: () => boolean) => {
  try {
    return check() ? "met" : "**missed**"
  } catch (error) {
    if (error instanceof Stopped) return "**missed** (stopped)"
    if (error instanceof Missing) return "—"
    throw error
  }
}

/** `judge` of a ratio; a miss shows the median unrounded, as one at "1.00×" is a miss by less than the cell shows. */
const judgeRatio = (ratioOf: () => number, met: (r: number) => boolean) =>
  judge(() => met(ratioOf())).replace(/^\*\*missed\*\*$/, () => `**missed** (${ratioOf().toFixed(3)}×)`)

/** The verdict of each line over each transport it was measured over. */
const verdict = (row: Row) => {
  if (row.met === undefined) return "—"
  const stats = statsOf(row.values)
  const verdicts = lineClients.filter((c) => row.values[c] !== undefined).map((c) => `${title(c)}: ${judge(() => row.met!(stats, c))}`)
  return verdicts.length === 0 ? "—" : verdicts.join("; ")
}

const markdownTable = (header: ReadonlyArray<string>, body: ReadonlyArray<ReadonlyArray<string>>) =>
  [header, header.map(() => "---"), ...body].map((cells) => `| ${cells.join(" | ")} |`).join("\n")

/** Every figure of every client, each target and each line's verdict per transport. */
const resultsTable = (all: ReadonlyArray<Row>, settings: Settings) =>
  markdownTable(
    ["workload", "measure", ...clientNames.map(title), "target (library)", "met?"],
    all.map((row) => [row.workload, row.measure, ...clientNames.map((c) => cell(row.values[c], settings)), row.target ?? "—", verdict(row)])
  )

const floorPairs: ReadonlyArray<readonly [ClientName, ClientName]> = [
  ...lineClients.map((c) => [c, "sdk"] as const),
  ...lineClients.map((c) => [c, "fetch"] as const),
  ["sdk", "fetch"]
]

/** Each client against the SDK and against raw fetch, per round. */
const ratiosTable = (all: ReadonlyArray<Row>) =>
  markdownTable(
    ["workload", "measure", ...floorPairs.map(([a, b]) => `${title(a)} ÷ ${title(b)}`)],
    all.filter((row) => row.ratios).map((row) => [row.workload, row.measure, ...floorPairs.map(([a, b]) => ratioCell(row.values, a, b))])
  )

const lineTarget: Partial<Record<Kind, { readonly text: string; readonly met: (r: number) => boolean }>> = {
  time: { text: "≤ 1.0×", met: (r) => r <= 1 },
  throughput: { text: "≥ 1.0×", met: (r) => r >= 1 }
}

/** Effect 4's line against Effect 3's, over each transport, per round: the target is no slower on any row. */
const linesTable = (all: ReadonlyArray<Row>) =>
  markdownTable(
    ["workload", "measure", ...transports.map((t) => `effect 4 ÷ effect 3 (${t})`), "target", "met?"],
    all.filter((row) => row.kind !== "count").map((row) => {
      const target = lineTarget[row.kind]
      const pairs = transports.map((t) => [lineClient("effect4", t), lineClient("effect3", t)] as const)
      const stats = statsOf(row.values)
      return [
        row.workload,
        row.measure,
        ...pairs.map(([e4, e3]) => ratioCell(row.values, e4, e3)),
        target?.text ?? "— (not a speed)",
        target === undefined ? "—" : pairs.map(([e4, e3], i) => `${transports[i]}: ${judgeRatio(() => stats.ratio(e4, e3), target.met)}`).join("; ")
      ]
    })
  )

const limitTitle: Record<LimitName, string> = {
  pool: "`PermitPool.withPermit`",
  semaphore: "`Semaphore.withPermits(1)`",
  none: "no limit"
}

/** Each limit's time per call minus no limit's, round by round: what the limit itself costs. */
const ownCost = (figures: Record<string, Series>, n: number): Values => {
  const series = figures[`permits-${n}`] ?? {}
  const none = series["none"] ?? []
  const out: Record<string, ReadonlyArray<number | null>> = {}
  for (const limit of ["pool", "semaphore"] as const) {
    out[limit] = (series[limit] ?? []).map((v, i) => v === null || none[i] == null ? null : v - none[i]!)
  }
  return out
}

const permitRows = (figures: Record<string, Series>, settings: Settings) => {
  const largest = settings.bursts.at(-1)!
  return [
    ...settings.bursts.flatMap((n) => [
      { workload: `${count(n)} fibers at once on ${permits} permits`, measure: "µs per call", values: figures[`permits-${n}`] ?? {}, ratio: true },
      // A difference of two small times can be near 0 or below it in a round: no ratio of it.
      { workload: `${count(n)}: the limit's own cost (minus no limit's, per round)`, measure: "µs per call", values: ownCost(figures, n), ratio: false }
    ]),
    {
      workload: `µs per call at ${count(largest)} ÷ at ${count(settings.bursts[0]!)}`,
      measure: "ratio",
      values: figures["permits-growth"] ?? {},
      ratio: true
    }
  ]
}

const permitsTable = (figures: Record<string, Series>, settings: Settings) =>
  markdownTable(
    ["burst", "measure", ...limitNames.map((l) => limitTitle[l]), `${limitTitle.semaphore} ÷ ${limitTitle.pool}`],
    permitRows(figures, settings).map((row) => [
      row.workload,
      row.measure,
      ...limitNames.map((l) => cell(row.values[l], settings)),
      row.ratio ? ratioCell(row.values, "semaphore", "pool") : "—"
    ])
  )

/** Which limit is cheaper at the largest burst, by how much, and how each grows: computed, so it says what the figures say. */
const permitsVerdict = (figures: Record<string, Series>, settings: Settings) => {
  const n = settings.bursts.at(-1)!
  const total = statsOf(figures[`permits-${n}`] ?? {})
  const own = statsOf(ownCost(figures, n))
  const growth = statsOf(figures["permits-growth"] ?? {})
  try {
    const r = total.ratio("semaphore", "pool")
    // Within 5% of each other the rounds' noise decides the order, so no winner is named.
    const verdict = Math.abs(r - 1) < 0.05
      ? "the two cost about the same"
      : `${r > 1 ? limitTitle.pool : limitTitle.semaphore} is the cheaper`
    return `At ${count(n)} fibers, ${verdict}: ${number(total.median("pool"))} µs per call with ${limitTitle.pool} ` +
      `against ${number(total.median("semaphore"))} µs with ${limitTitle.semaphore} (${r.toFixed(2)}× per round), of which ` +
      `${number(own.median("pool"))} µs and ${number(own.median("semaphore"))} µs are the limit's own cost, the rest the ` +
      `burst's fibers (${number(total.median("none"))} µs per call with no limit). From ${count(settings.bursts[0]!)} to ` +
      `${count(n)} fibers the time per call grows ${growth.median("pool").toFixed(2)}× with ${limitTitle.pool} and ` +
      `${growth.median("semaphore").toFixed(2)}× with ${limitTitle.semaphore}.`
  } catch (error) {
    if (error instanceof Stopped || error instanceof Missing) return "A run was stopped at its bound: no comparison (see the table)."
    throw error
  }
}

/** The lines of `source` from the first starting with `start` to the first after it equal to `end`: one function as written. */
const excerpt = (source: string, start: string, end: string) => {
  const all = source.split("\n")
  const from = all.findIndex((line) => line.startsWith(start))
  const to = all.findIndex((line, i) => i > from && line === end)
  return from < 0 || to < 0 ? `(no \`${start.trim()}\` in this version)` : all.slice(from, to + 1).join("\n")
}

/** The code of Effect 4's `Semaphore` that a release and a waiter run, from the installed source. */
const semaphoreSource = (root: string) => {
  const { path, version } = resolvedVersion("effect", join(root, "effect4", "package.json"))
  const source = readFileSync(join(dirname(path), "src", "Semaphore.ts"), "utf8")
  return {
    version,
    code: [
      excerpt(source, "const firstAvailableWaiter", "}"),
      excerpt(source, "  releaseUnsafe(", "  }")
    ].join("\n\n")
  }
}

/** The tables a quick run prints. */
export const tables = (figures: Record<string, Series>, settings: Settings): string => {
  const all = rows(figures, settings)
  return [
    resultsTable(all, settings),
    linesTable(all),
    ratiosTable(all),
    permitsTable(figures, settings),
    permitsVerdict(figures, settings)
  ].join("\n\n")
}

/** The commit, and whether the libraries' sources have uncommitted changes: read just before the run compiles them. */
export const revision = (root: string) => {
  try {
    const git = (args: string) => execSync(`git ${args}`, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
    const dirty = git("status --porcelain -- effect3/src effect4/src shared/src").length > 0
    return `commit ${git("rev-parse --short HEAD")}${dirty ? " with uncommitted changes in the libraries' sources" : ""}`
  } catch {
    return "no git revision"
  }
}

/** The version of `pkg` as a module in `dir` imports it. */
const versionFrom = (dir: string, pkg: string) => resolvedVersion(pkg, join(dir, "package.json")).version

const lineVersions = (root: string, line: Line) => {
  const dir = join(root, line)
  const self = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }
  const packages = line === "effect3" ? ["effect", "@effect/platform", "@effect/platform-node"] : ["effect", "@effect/platform-node"]
  return `${lineTitle[line]} line: effect-openrouter-byok ${self.version} (compiled by the run into \`${line}/.bench-tmp/dist/\`), ` +
    packages.map((pkg) => `${pkg} ${versionFrom(dir, pkg)}`).join(", ") +
    `, as resolved from \`${line}/\``
}

export const markdown = (options: {
  readonly root: string
  readonly figures: Record<string, Series>
  readonly settings: Settings
  readonly seconds: number
  /** The 1-minute load average when the run started: anything above 0 is other work on the machine. */
  readonly loadAtStart: number
  /** `revision(root)` when the run compiled the libraries: the tree can move on while it runs. */
  readonly revision: string
}): string => {
  const { figures, root, settings } = options
  const all = rows(figures, settings)
  const cpu = cpus()
  const sdkDir = dirname(resolvedVersion("@openrouter/sdk", join(root, "package.json")).path)
  const semaphore = semaphoreSource(root)
  return `# Benchmarks

Generated by \`npm run bench\` on ${new Date().toISOString()} (the run took ${options.seconds.toFixed(0)} s). Do not edit by hand: run it again.

## Machine and versions

- ${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Linux ${release()}; load average ${options.loadAtStart.toFixed(2)} when the run started, ${loadavg()[0]!.toFixed(2)} at its end (the bench itself keeps about 2 busy)
- Node ${process.versions.node}; ${options.revision}
- ${lineVersions(root, "effect3")}
- ${lineVersions(root, "effect4")}
- @openrouter/sdk ${versionFrom(root, "@openrouter/sdk")} (zod ${versionFrom(sdkDir, "zod")}), esbuild ${versionFrom(root, "esbuild")}

## Results

Each figure is the median of ${settings.rounds} rounds, with the min–max in brackets. Every client runs in a process of
its own: in each round, one process per client, one after another, in an order rotated every round. Ratios are taken
within each round (two processes run back to back against the same server) and then summarised the same way.
"effect 3" is the Effect 3 line (effect3/, \`effect-openrouter-byok\` 1.x), "effect 4" the Effect 4 line (effect4/, 2.x);
"(fetch)" is the line over its \`FetchHttpClient.layer\` (Node's global \`fetch\`), "(undici)" over
\`NodeHttpClient.layerUndici\` (npm \`undici\`), each \`Byok.layer\` with default options in one \`ManagedRuntime\`.
"SDK" is \`@openrouter/sdk\`, "fetch" is Node's \`fetch\` + \`JSON.parse\` with no validation: the floor. Every
measured run is stopped at ${settings.boundMs / 1000} s and reported as a miss ("stopped"); "met?" is computed from the
figures, for each line over each transport.

${resultsTable(all, settings)}

### Effect 4 line ÷ Effect 3 line

The target: the Effect 4 line is no slower than the Effect 3 line on any row, over either transport (≤ 1.0× a time,
≥ 1.0× a throughput), the ratio taken within each round. Memory and ratio rows are shown without a target.

${linesTable(all)}

### Against the SDK and the floor

${ratiosTable(all)}

### The request limit on Effect 4: \`PermitPool\` against \`Semaphore\`

The library limits requests in flight (\`maxConcurrentRequests\`, default ${permits}) with its own first-in-first-out
pool (\`effect4/src/internal/permitPool.ts\` over \`shared/src/permitQueue.ts\`), not Effect's \`Semaphore\`. Measured
alone: a burst of n fibers at once (\`Effect.forEach\`, \`concurrency: "unbounded"\`) over ${permits} permits, each fiber
holding its permit across one \`Effect.yieldNow\`, so n − ${permits} wait in line; bursts repeated to
${count(settings.permitCalls)} calls per figure. "no limit" runs the same burst with no limit: what forking and
yielding cost, the floor under both.

${permitsTable(figures, settings)}

${permitsVerdict(figures, settings)}

What a waiter and a release run in effect ${semaphore.version}'s \`Semaphore\` (\`effect/src/Semaphore.ts\`, as installed):

\`\`\`ts
${semaphore.code}
\`\`\`

## How it is measured

- **Node and installs**: every process runs on Node ${process.versions.node} (\`npm run\` puts the root's \`node\` package first
  on the path; Effect 4's \`@effect/platform-node\` needs ≥ 22.19). The Effect 3 line has its own install in
  \`effect3/node_modules\`; the Effect 4 line's packages are hoisted to the root's \`node_modules\`. Each line is
  compiled by \`tsc\` with its \`tsconfig.build.json\` (what \`npm run build\` puts in \`dist/\`) into that line's own
  \`.bench-tmp/dist/\`, and its bench modules by esbuild into its \`.bench-tmp/\`, packages left as imports, so node
  resolves them from the line's directory upwards (and a build of \`dist/\` during the run touches nothing measured).
  Every measured process of a line checks, before it measures, that \`effect\` and the \`@effect/platform*\` packages
  it imports are that line's (major 3 and 0.x, or major 4) and fails otherwise, and each bundle is checked to
  contain only its line's \`effect\`.
- **Server**: the Effect 4 line's fake (\`FakeByokApi.layer({ seed: ${count(listedKeys)} })\`, its request handler) served by
  \`node:http\` on 127.0.0.1 in a separate process, so it does not take the measured process's CPU; both lines are
  measured against this one server. The server delay is applied by the bench server before the fake answers.
  "requests made" is the length of the fake's request log; "TCP connections opened" counts the server's new
  connections during the run (its listen backlog is 4096, so a burst's connections are not dropped and retried).
- **${count(settings.largeKeys)} keys**: a second fake in the same server process, seeded with ${count(settings.largeKeys)} keys.
- **One process per client**: importing \`@effect/platform-node\` loads npm \`undici\`, which installs its own
  \`Agent\` as the global \`fetch\` dispatcher when none is installed yet, and would change the SDK's, raw fetch's
  and the \`(fetch)\` columns' transport. So each client runs alone in its process and loads only its own modules
  (a process that should not have loaded npm \`undici\` checks that it did not); the measured processes never import
  a line's \`testing\` module. The Effect 3 line takes \`FetchHttpClient\` from \`@effect/platform/FetchHttpClient\`,
  the Effect 4 line from \`effect/http\` (as the library itself does); both take \`NodeHttpClient\` from
  \`@effect/platform-node/NodeHttpClient\`, not the barrel, and Effect's own modules by path (\`effect/Effect\`), as
  the library does: Effect 3's \`effect\` barrel loads every module, fast-check included.
- **\`get\` workloads**: a process per client per round warms up with ${count(settings.warmupGets)} sequential \`get\`s (a
  service runs for hours: the figures are each client once the JIT has compiled it), then runs the
  sequential \`get\`s, the ${inFlight} in flight (${inFlight} promise loops sharing a counter, for every client alike), then the
  bursts, smallest first: every id at once, each line with \`Effect.forEach(ids, byok.get, { concurrency:
  "unbounded" })\`, the others with \`Promise.all\`. The ids are the fake's seeded keys, in order.
- **List workloads**: a process per client per round warms up with one listing at each concurrency it is measured at,
  then streams at each server delay, then decodes. The SDK has no parallel listing, so the \`concurrency: 4\` rows
  compare with its sequential listing.
- **Time bound**: a run still going at ${settings.boundMs / 1000} s is stopped and its figure is a miss: a line's fiber is
  interrupted, the other clients' loops stop before their next request (a \`Promise.all\` burst has every request in
  flight already, so it runs out). The process goes on once the run has stopped; one that has not stopped
  ${settings.graceMs / 1000} s later ends its process, and what that process had left to run is a miss too. A process still
  running after ${processBudgetMs(settings) / 1000} s is killed. The request-limit runs are bounded the same way.
- **Peak RSS**: one process per client per round, listing with \`pageSize: ${pageSize}\` and counting keys without keeping
  them, \`process.resourceUsage().maxRSS\` at the end.
- **Decode**: one ${pageSize}-key page, already parsed: each line's \`ListResponse\` schema as its request pipeline runs
  it (Effect 3: \`Schema.decodeUnknownEither\`, \`errors: "first"\`; Effect 4: \`Schema.decodeUnknownResult\`) against
  the SDK's \`ListBYOKKeysResponse$inboundSchema.parse\`. The transport plays no part: a line's two columns measure
  the same schema, each in its own process.
- **Cold start**: a script that imports the client and builds it (\`ManagedRuntime\` over \`Byok.layer\` and
  \`FetchHttpClient.layer\` or \`NodeHttpClient.layerUndici\`, run once, with \`Layer\`, \`ManagedRuntime\` and
  \`Redacted\` from the \`effect\` barrel as an application would import them; \`new OpenRouter(...)\` and its \`byok\`
  resource), minus a bare \`node\` script in the same round, each measured as \`performance.now()\` and \`maxRSS\` at the
  end of the script. "As installed" imports the line's compiled files and \`node_modules\`; "bundled" is the same
  script bundled and minified by esbuild.
- **Request limit**: one process per limit per round, in an order rotated every round, on Effect 4 alone. Each process
  first checks that the limit lets exactly ${permits} fibers hold a permit at once, then warms up with one run at each
  burst size.

## Command

\`\`\`sh
npm run bench              # compiles both lines, runs everything above, rewrites this file
npm run bench -- --quick   # fewer rounds, smaller counts: smoke-tests the harness, prints the tables only
npm run bench -- --profile # node --cpu-prof of \`get\` and of the 10k stream, each line over both transports, top self-time functions
\`\`\`
`
}
