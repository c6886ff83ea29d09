/**
 * The report: the table (one row per figure, medians with min–max, ratios taken round by round
 * against the other clients, the target and whether each of the library's transports met it) and
 * BENCHMARKS.md.
 */
import { execSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { cpus, loadavg, release, totalmem } from "node:os"
import { join } from "node:path"
import { type ClientName, clientNames, oursNames } from "./clients.js"
import { inFlight, listedKeys, pageSize, processBudgetMs, type Settings } from "./settings.js"
import { finished, range, ratio, type Series } from "./stats.js"

type Column = ClientName
const title: Record<Column, string> = { ours: "ours (fetch)", "ours-undici": "ours (undici)", sdk: "SDK", fetch: "fetch" }
/** The transport a library column runs over, as the "met?" cell names it. */
const transport: Record<string, string> = { ours: "fetch", "ours-undici": "undici" }

interface Stats {
  readonly median: (c: Column) => number
  readonly ratio: (a: Column, b: Column) => number
}

interface Row {
  readonly workload: string
  readonly measure: string
  /** Per-round values for each column, rounds aligned; `null` is a run stopped at its bound. */
  readonly values: Partial<Record<Column, ReadonlyArray<number | null>>>
  /** Whether ratios between the columns mean anything for this row. */
  readonly ratios: boolean
  readonly target?: string
  /** Whether the library over one transport (`ours`) met the target, from the medians and the per-round ratios. */
  readonly met?: (stats: Stats, ours: Column) => boolean
}

/** One figure's columns; the SDK's can come from another figure (it has no parallel listing). */
const pick = (figures: Record<string, Series>, figure: string, sdkFigure = figure) => {
  const out: Partial<Record<Column, ReadonlyArray<number | null>>> = {}
  for (const column of clientNames) {
    const values = figures[column === "sdk" ? sdkFigure : figure]?.[column]
    if (values !== undefined) out[column] = values
  }
  return out
}

const count = (n: number) => n.toLocaleString("en-US")

/** Every row of the table, from the figures the workloads produced. */
export const rows = (figures: Record<string, Series>, settings: Settings): ReadonlyArray<Row> => {
  const smallest = settings.bursts[0]!
  const largest = settings.bursts.at(-1)!
  const [firstDelay, ...otherDelays] = settings.streamDelays
  const stream = `stream ${count(listedKeys)} keys, page size ${pageSize}`
  const concurrent = "same, `concurrency: 4` (SDK: sequential; fetch: 4 in flight)"
  const undici = (ours: Column) => ours === "ours-undici"
  return [
    {
      workload: `\`get\` × ${count(settings.sequentialGets)} sequential`,
      measure: "µs per request",
      values: pick(figures, "get-seq"),
      ratios: true,
      target: "≤ 1.1× SDK over fetch; ≤ 0.85× SDK over undici",
      met: (s, ours) => s.ratio(ours, "sdk") <= (undici(ours) ? 0.85 : 1.1)
    },
    {
      workload: `\`get\` × ${count(settings.parallelGets)}, ${inFlight} in flight`,
      measure: "requests per second",
      values: pick(figures, "get-par"),
      ratios: true,
      target: "≥ 1.0× SDK over fetch; ≥ 1.2× SDK over undici",
      met: (s, ours) => s.ratio(ours, "sdk") >= (undici(ours) ? 1.2 : 1.0)
    },
    ...settings.bursts.flatMap((n): ReadonlyArray<Row> => [
      {
        workload: `burst of ${count(n)} concurrent \`get\`s (ours: \`Effect.forEach\`, \`concurrency: "unbounded"\`, default options; SDK, fetch: \`Promise.all\`)`,
        measure: "ms per burst",
        values: pick(figures, `burst-${n}`),
        ratios: true,
        ...(n === largest ? { target: "≤ SDK's", met: (s: Stats, ours: Column) => s.ratio(ours, "sdk") <= 1 } : {})
      },
      { workload: `burst of ${count(n)}`, measure: "µs per call", values: pick(figures, `burst-${n}-per-call`), ratios: true },
      { workload: `burst of ${count(n)}`, measure: "TCP connections opened", values: pick(figures, `burst-${n}-connections`), ratios: false }
    ]),
    {
      workload: `burst: µs per call at ${count(largest)} ÷ at ${count(smallest)}`,
      measure: "ratio",
      values: pick(figures, "burst-growth"),
      ratios: false,
      target: "≤ 1.25×",
      met: (s, ours) => s.median(ours) <= 1.25
    },
    {
      workload: `${stream}, delay ${firstDelay} ms`,
      measure: "requests made",
      values: pick(figures, `stream-${firstDelay}ms-requests`),
      ratios: false,
      target: "exactly 100",
      met: (s, ours) => s.median(ours) === 100
    },
    {
      workload: `${stream}, delay ${firstDelay} ms`,
      measure: "wall ms",
      values: pick(figures, `stream-${firstDelay}ms`),
      ratios: true,
      target: "≤ 1.0× SDK",
      met: (s, ours) => s.ratio(ours, "sdk") <= 1
    },
    ...otherDelays.flatMap((delay): ReadonlyArray<Row> => [
      { workload: `${stream}, delay ${delay} ms`, measure: "requests made", values: pick(figures, `stream-${delay}ms-requests`), ratios: false },
      { workload: `${stream}, delay ${delay} ms`, measure: "wall ms", values: pick(figures, `stream-${delay}ms`), ratios: true }
    ]),
    {
      workload: `${concurrent}, delay ${firstDelay} ms`,
      measure: "wall ms",
      values: pick(figures, `stream-${firstDelay}ms-c4`, `stream-${firstDelay}ms`),
      ratios: true
    },
    ...otherDelays.flatMap((delay): ReadonlyArray<Row> => [
      {
        workload: `${concurrent}, delay ${delay} ms`,
        measure: "requests made",
        values: pick(figures, `stream-${delay}ms-c4-requests`, `stream-${delay}ms-requests`),
        ratios: false
      },
      {
        workload: `${concurrent}, delay ${delay} ms`,
        measure: "wall ms",
        values: pick(figures, `stream-${delay}ms-c4`, `stream-${delay}ms`),
        ratios: true
      }
    ]),
    { workload: "stream 10,000 keys, own process, not collected", measure: "peak RSS MiB", values: pick(figures, "rss-10k"), ratios: true },
    {
      workload: `stream ${count(settings.largeKeys)} keys, own process, not collected`,
      measure: "peak RSS MiB",
      values: pick(figures, "rss-large"),
      ratios: true
    },
    {
      workload: `peak RSS, ${count(settings.largeKeys)} keys ÷ 10,000 keys`,
      measure: "ratio",
      values: pick(figures, "rss-growth"),
      ratios: true,
      target: "≤ 1.1× fetch's own ratio",
      met: (s, ours) => s.ratio(ours, "fetch") <= 1.1
    },
    {
      workload: "decode one 100-key page (fetch: `JSON.parse` of its text; the same schema for both transports)",
      measure: "µs per page",
      values: pick(figures, "decode"),
      ratios: true
    },
    {
      workload: "cold start: import (as installed) + build the client (fetch: bare `node`, absolute)",
      measure: "added ms",
      values: pick(figures, "cold-ms"),
      ratios: false,
      target: "≤ SDK's",
      met: (s, ours) => s.median(ours) <= s.median("sdk")
    },
    {
      workload: "cold start: import (as installed) + build the client (fetch: bare `node`, absolute)",
      measure: "added MiB",
      values: pick(figures, "cold-mib"),
      ratios: false,
      target: "≤ SDK's",
      met: (s, ours) => s.median(ours) <= s.median("sdk")
    },
    { workload: "cold start, bundled by esbuild (minified, one file)", measure: "added ms", values: pick(figures, "cold-bundle-ms"), ratios: false },
    { workload: "cold start, bundled by esbuild (minified, one file)", measure: "added MiB", values: pick(figures, "cold-bundle-mib"), ratios: false }
  ]
}

const number = (x: number) =>
  Number.isInteger(x) ? String(x) : Math.abs(x) >= 1000 ? x.toFixed(0) : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)

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

const ratioCell = (row: Row, a: Column, b: Column) => {
  const x = row.values[a]
  const y = row.values[b]
  if (!row.ratios || x === undefined || y === undefined) return "—"
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

/** "met" or "missed" for each transport the library was measured over, computed from the figures. */
const verdict = (row: Row) => {
  if (row.met === undefined) return "—"
  const stats: Stats = {
    median: (c) => range(measured(row.values[c])).median,
    ratio: (a, b) => ratio(measured(row.values[a]), measured(row.values[b])).median
  }
  const verdicts = oursNames.flatMap((ours) => {
    if (row.values[ours] === undefined) return []
    try {
      return [`${transport[ours]}: ${row.met!(stats, ours) ? "met" : "**missed**"}`]
    } catch (error) {
      if (error instanceof Stopped) return [`${transport[ours]}: **missed** (stopped)`]
      if (error instanceof Missing) return [`${transport[ours]}: —`]
      throw error
    }
  })
  return verdicts.length === 0 ? "—" : verdicts.join("; ")
}

export const table = (figures: Record<string, Series>, settings: Settings): string => {
  const pairs: ReadonlyArray<readonly [Column, Column]> = [
    ["ours", "sdk"],
    ["ours-undici", "sdk"],
    ["ours", "fetch"],
    ["ours-undici", "fetch"],
    ["sdk", "fetch"]
  ]
  const header = [
    "workload",
    "measure",
    ...clientNames.map((c) => title[c]),
    ...pairs.map(([a, b]) => `${title[a]} ÷ ${title[b]}`),
    "target (ours)",
    "met?"
  ]
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`]
  for (const row of rows(figures, settings)) {
    const cells = [
      row.workload,
      row.measure,
      ...clientNames.map((c) => cell(row.values[c], settings)),
      ...pairs.map(([a, b]) => ratioCell(row, a, b)),
      row.target ?? "—",
      verdict(row)
    ]
    lines.push(`| ${cells.join(" | ")} |`)
  }
  return lines.join("\n")
}

/** The commit measured, and whether src/ had uncommitted changes when dist/ was built. */
const revision = (root: string) => {
  try {
    const git = (args: string) => execSync(`git ${args}`, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
    const dirty = git("status --porcelain -- src").length > 0
    return `commit ${git("rev-parse --short HEAD")}${dirty ? " with uncommitted changes in src/" : ""}`
  } catch {
    return "no git revision"
  }
}

const version = (root: string, pkg: string) =>
  (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version

export const markdown = (options: {
  readonly root: string
  readonly figures: Record<string, Series>
  readonly settings: Settings
  readonly seconds: number
  /** The 1-minute load average when the run started: anything above 0 is other work on the machine. */
  readonly loadAtStart: number
}): string => {
  const { figures, root, settings } = options
  const self = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }
  const cpu = cpus()
  return `# Benchmarks

Generated by \`npm run bench\` on ${new Date().toISOString()} (the run took ${options.seconds.toFixed(0)} s). Do not edit by hand: run it again.

## Machine and versions

- ${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Linux ${release()}; load average ${options.loadAtStart.toFixed(2)} when the run started, ${loadavg()[0]!.toFixed(2)} at its end (the bench itself keeps about 2 busy)
- Node ${process.versions.node}
- effect-openrouter-byok ${self.version} (${revision(root)}, built to \`dist/\` by the run), effect ${version(root, "effect")}, @effect/platform ${version(root, "@effect/platform")}, @effect/platform-node ${version(root, "@effect/platform-node")}
- @openrouter/sdk ${version(root, "@openrouter/sdk")} (zod ${version(root, "zod")}), esbuild ${version(root, "esbuild")}

## Results

Each figure is the median of ${settings.rounds} rounds, with the min–max in brackets. Every client runs in a process of
its own: in each round, one process per client, one after another, in an order rotated every round. Ratios are taken
within each round (two processes run back to back against the same server) and then summarised the same way.
"ours (fetch)" is this library over \`FetchHttpClient.layer\` (Node's global \`fetch\`), "ours (undici)" over
\`NodeHttpClient.layerUndici\` (npm \`undici\`), both \`Byok.layer\` with default options in one \`ManagedRuntime\`.
"SDK" is \`@openrouter/sdk\`, "fetch" is Node's \`fetch\` + \`JSON.parse\` with no validation: the floor. Every
measured run is stopped at ${settings.boundMs / 1000} s and reported as a miss ("stopped"); "met?" is computed from the
figures, for each of the library's transports.

${table(figures, settings)}

## How it is measured

- **Server**: the project's fake (\`FakeByokApi.layer({ seed: 10000 })\`, its own request handler) served by \`node:http\` on
  127.0.0.1 in a separate process, so it does not take the measured process's CPU. The server delay is applied by
  the bench server before the fake answers. "requests made" is the length of the fake's request log; "TCP
  connections opened" counts the server's new connections during the run (its listen backlog is 4096, so a burst's
  connections are not dropped and retried).
- **${count(settings.largeKeys)} keys**: a second fake in the same server process, seeded with ${count(settings.largeKeys)} keys.
- **One process per client**: importing \`@effect/platform-node\` loads npm \`undici\`, which installs its own
  \`Agent\` as the global \`fetch\` dispatcher when none is installed yet, and would change the SDK's and raw fetch's
  transport. So each client runs alone in its process and loads only its own modules; the measured processes never
  import \`effect-openrouter-byok/testing\` either (it loads \`@effect/platform-node\`). "ours (fetch)" takes
  \`FetchHttpClient\` from \`@effect/platform/FetchHttpClient\`, "ours (undici)" takes \`NodeHttpClient\` from
  \`@effect/platform-node/NodeHttpClient\`, not the barrels.
- **\`get\` workloads**: a process per client per round warms up with ${count(settings.warmupGets)} sequential \`get\`s (a
  service runs for hours: the figures are each client once the JIT has compiled it), then runs the
  sequential \`get\`s, the ${inFlight} in flight (${inFlight} promise loops sharing a counter, for every client alike), then the
  bursts, smallest first: every id at once, the library with \`Effect.forEach(ids, byok.get, { concurrency:
  "unbounded" })\`, the others with \`Promise.all\`. The ids are the fake's seeded keys, in order.
- **List workloads**: a process per client per round warms up with one listing at each concurrency it is measured at,
  then streams at each server delay, then decodes. The SDK has no parallel listing, so the \`concurrency: 4\` rows
  compare with its sequential listing.
- **Time bound**: a run still going at ${settings.boundMs / 1000} s is stopped and its figure is a miss: the library's fiber is
  interrupted, the other clients' loops stop before their next request (a \`Promise.all\` burst has every request in
  flight already, so it runs out). The process goes on once the run has stopped; one that has not stopped
  ${settings.graceMs / 1000} s later ends its process, and what that process had left to run is a miss too. A process still
  running after ${processBudgetMs(settings) / 1000} s is killed.
- **Peak RSS**: one process per client per round, listing with \`pageSize: 100\` and counting keys without keeping
  them, \`process.resourceUsage().maxRSS\` at the end.
- **Decode**: one 100-key page, already parsed: this library's \`ListResponse\` schema (\`Schema.decodeUnknownEither\`,
  \`errors: "first"\`, as the request pipeline does) against the SDK's \`ListBYOKKeysResponse$inboundSchema.parse\`.
  The transport plays no part: both library columns measure the same schema, each in its own process.
- **Cold start**: a script that imports the client and builds it (\`ManagedRuntime\` over \`Byok.layer\` and
  \`FetchHttpClient.layer\` or \`NodeHttpClient.layerUndici\`, run once; \`new OpenRouter(...)\` and its \`byok\`
  resource), minus a bare \`node\` script, each measured as \`performance.now()\` and \`maxRSS\` at the end of the
  script. "As installed" imports \`dist/\` and \`node_modules\`; "bundled" is the same script bundled and minified by
  esbuild.

## Command

\`\`\`sh
npm run bench              # builds dist/, runs everything above, rewrites this file
npm run bench -- --quick   # fewer rounds, smaller counts: smoke-tests the harness, prints the table only
npm run bench -- --profile # node --cpu-prof of \`get\` and of the 10k stream over both transports, top self-time functions
\`\`\`
`
}
