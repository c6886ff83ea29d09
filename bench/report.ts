/**
 * The report: the table (one row per figure, medians with min–max, ratios taken round by round
 * against the other clients, the target and whether it was met) and BENCHMARKS.md.
 */
import { execSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { cpus, loadavg, release, totalmem } from "node:os"
import { join } from "node:path"
import { range, ratio, type Series } from "./stats.js"

type Column = "ours" | "sdk" | "fetch"

interface Row {
  readonly workload: string
  readonly measure: string
  /** Per-round values for each column, rounds aligned. */
  readonly values: Partial<Record<Column, ReadonlyArray<number>>>
  /** Whether ratios between the columns mean anything for this row. */
  readonly ratios: boolean
  readonly target?: string
  /** Whether the target was met, from the medians and the per-round ratios. */
  readonly met?: (stats: { median: (c: Column) => number; ratio: (a: Column, b: Column) => number }) => boolean
}

const pick = (series: Series | undefined, columns: Partial<Record<Column, string>>) => {
  const out: Partial<Record<Column, ReadonlyArray<number>>> = {}
  for (const [column, variant] of Object.entries(columns) as Array<[Column, string]>) {
    const values = series?.[variant]
    if (values !== undefined) out[column] = values
  }
  return out
}
const plain = { ours: "ours", sdk: "sdk", fetch: "fetch" }
const concurrent = { ours: "ours c4", sdk: "sdk", fetch: "fetch c4" }

/** Every row of the table, from the figures the workloads produced. */
export const rows = (figures: Record<string, Series>): ReadonlyArray<Row> => [
  {
    workload: "`get` × 2,000 sequential",
    measure: "µs per request",
    values: pick(figures["get-seq"], plain),
    ratios: true,
    target: "≤ SDK (SDK was 1.4× fetch)",
    met: (s) => s.ratio("ours", "sdk") <= 1
  },
  {
    workload: "`get`, 16 in flight",
    measure: "requests per second",
    values: pick(figures["get-par"], plain),
    ratios: true,
    target: "≥ SDK (SDK was 0.61× fetch)",
    met: (s) => s.ratio("ours", "sdk") >= 1
  },
  {
    workload: "stream 10,000 keys, page size 100, delay 0 ms",
    measure: "requests made",
    values: pick(figures["stream-0ms-requests"], plain),
    ratios: false,
    target: "exactly 100",
    met: (s) => s.median("ours") === 100
  },
  {
    workload: "stream 10,000 keys, page size 100, delay 0 ms",
    measure: "wall ms",
    values: pick(figures["stream-0ms"], plain),
    ratios: true,
    target: "≤ 1.5× fetch",
    met: (s) => s.ratio("ours", "fetch") <= 1.5
  },
  {
    workload: "stream 10,000 keys, page size 100, delay 20 ms",
    measure: "requests made",
    values: pick(figures["stream-20ms-requests"], plain),
    ratios: false,
    target: "exactly 100",
    met: (s) => s.median("ours") === 100
  },
  {
    workload: "stream 10,000 keys, page size 100, delay 20 ms",
    measure: "wall ms",
    values: pick(figures["stream-20ms"], plain),
    ratios: true
  },
  {
    workload: "same, `concurrency: 4` (SDK: sequential; fetch: 4 in flight), delay 0 ms",
    measure: "wall ms",
    values: pick(figures["stream-0ms"], concurrent),
    ratios: true
  },
  {
    workload: "same, `concurrency: 4` (SDK: sequential; fetch: 4 in flight), delay 20 ms",
    measure: "requests made",
    values: pick(figures["stream-20ms-requests"], concurrent),
    ratios: false,
    target: "exactly 100",
    met: (s) => s.median("ours") === 100
  },
  {
    workload: "same, `concurrency: 4` (SDK: sequential; fetch: 4 in flight), delay 20 ms",
    measure: "wall ms",
    values: pick(figures["stream-20ms"], concurrent),
    ratios: true,
    target: "≥ 3.5× faster than SDK",
    met: (s) => s.ratio("sdk", "ours") >= 3.5
  },
  {
    workload: "stream 10,000 keys, own process, not collected",
    measure: "peak RSS MiB",
    values: pick(figures["rss-10k"], plain),
    ratios: true
  },
  {
    workload: "stream 100,000 keys, own process, not collected",
    measure: "peak RSS MiB",
    values: pick(figures["rss-100k"], plain),
    ratios: true,
    target: "< SDK",
    met: (s) => s.median("ours") < s.median("sdk")
  },
  {
    workload: "peak RSS, 100,000 keys ÷ 10,000 keys",
    measure: "ratio",
    values: pick(figures["rss-growth"], plain),
    ratios: false,
    target: "within 10%",
    met: (s) => Math.abs(s.median("ours") - 1) <= 0.1
  },
  {
    workload: "decode one 100-key page (fetch: `JSON.parse` of its text)",
    measure: "µs per page",
    values: pick(figures["decode"], plain),
    ratios: true,
    target: "≤ SDK's zod parse",
    met: (s) => s.ratio("ours", "sdk") <= 1
  },
  {
    workload: "cold start: import (as installed) + build the client (fetch: bare `node`, absolute)",
    measure: "added ms",
    values: pick(figures["cold-ms"], plain),
    ratios: false,
    target: "≤ SDK's",
    met: (s) => s.median("ours") <= s.median("sdk")
  },
  {
    workload: "cold start: import (as installed) + build the client (fetch: bare `node`, absolute)",
    measure: "added MiB",
    values: pick(figures["cold-mib"], plain),
    ratios: false,
    target: "≤ SDK's",
    met: (s) => s.median("ours") <= s.median("sdk")
  },
  {
    workload: "cold start, bundled by esbuild (minified, one file)",
    measure: "added ms",
    values: pick(figures["cold-bundle-ms"], plain),
    ratios: false
  },
  {
    workload: "cold start, bundled by esbuild (minified, one file)",
    measure: "added MiB",
    values: pick(figures["cold-bundle-mib"], plain),
    ratios: false
  }
]

const number = (x: number) =>
  Math.abs(x) >= 1000 ? x.toFixed(0) : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)
const cell = (values: ReadonlyArray<number> | undefined) => {
  if (values === undefined || values.length === 0) return "—"
  const r = range(values)
  return r.min === r.max ? number(r.median) : `${number(r.median)} (${number(r.min)}–${number(r.max)})`
}
const ratioCell = (row: Row, a: Column, b: Column) => {
  const x = row.values[a]
  const y = row.values[b]
  if (!row.ratios || x === undefined || y === undefined) return "—"
  const r = ratio(x, y)
  return `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`
}
const verdict = (row: Row) => {
  if (row.met === undefined) return "—"
  try {
    const met = row.met({
      median: (c) => range(row.values[c] ?? [NaN]).median,
      ratio: (a, b) => ratio(row.values[a] ?? [NaN], row.values[b] ?? [NaN]).median
    })
    return met ? "met" : "**missed**"
  } catch {
    return "—"
  }
}

export const table = (figures: Record<string, Series>): string => {
  const header = ["workload", "measure", "ours", "SDK", "fetch", "ours ÷ fetch", "SDK ÷ fetch", "ours ÷ SDK", "target (ours)", "met?"]
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`]
  for (const row of rows(figures)) {
    const cells = [
      row.workload,
      row.measure,
      cell(row.values.ours),
      cell(row.values.sdk),
      cell(row.values.fetch),
      ratioCell(row, "ours", "fetch"),
      ratioCell(row, "sdk", "fetch"),
      ratioCell(row, "ours", "sdk"),
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
  readonly rounds: number
  readonly seconds: number
  /** The 1-minute load average when the run started: anything above 0 is other work on the machine. */
  readonly loadAtStart: number
}): string => {
  const { figures, root } = options
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

Each figure is the median of ${options.rounds} rounds, with the min–max in brackets. In each round the clients run one after
another in an order rotated every round. Ratios are taken within each round (same process, same server state) and then
summarised the same way. "ours" is this library (\`Byok.layer\` over \`FetchHttpClient.layer\`, one \`ManagedRuntime\`),
"SDK" is \`@openrouter/sdk\`, "fetch" is Node's \`fetch\` + \`JSON.parse\` with no validation: the floor.

${table(figures)}

## How it is measured

- **Server**: the project's fake (\`FakeByokApi.layer({ seed: 10000 })\`, its own request handler) served by \`node:http\` on
  127.0.0.1 in a separate process, so it does not take the measured process's CPU. The server delay is applied by
  the bench server before the fake answers. "requests made" is the length of the fake's request log.
- **100,000 keys**: a second fake in the same server process, seeded with 100,000 keys.
- **In-process workloads** (\`get\`, streams, decode) run in one plain \`node\` process with all three clients, after a
  warm-up of each. 16 in flight means 16 promise loops sharing a counter, for every client alike. The SDK has no
  parallel listing, so the \`concurrency: 4\` rows compare with its sequential listing. The measured processes do not
  import \`effect-openrouter-byok/testing\`: it loads \`@effect/platform-node\`, whose npm \`undici\` installs itself
  as the global \`fetch\` dispatcher on import and would change every client's transport. This library's client
  takes \`FetchHttpClient\` from \`@effect/platform/FetchHttpClient\`, not the package's barrel.
- **Peak RSS**: one process per client per round, listing with \`pageSize: 100\` and counting keys without keeping
  them, \`process.resourceUsage().maxRSS\` at the end.
- **Decode**: one 100-key page, already parsed: this library's \`ListResponse\` schema (\`Schema.decodeUnknownEither\`,
  \`errors: "first"\`, as the request pipeline does) against the SDK's \`ListBYOKKeysResponse$inboundSchema.parse\`.
- **Cold start**: a script that imports the client and builds it (\`ManagedRuntime\` over \`Byok.layer\` and
  \`FetchHttpClient.layer\`, run once; \`new OpenRouter(...)\` and its \`byok\` resource), minus a bare \`node\` script,
  each measured as \`performance.now()\` and \`maxRSS\` at the end of the script. "As installed" imports \`dist/\` and
  \`node_modules\`; "bundled" is the same script bundled and minified by esbuild.

## Command

\`\`\`sh
npm run bench              # builds dist/, runs everything above, rewrites this file
npm run bench -- --profile # node --cpu-prof of \`get\` and of the 10k stream, top self-time functions
\`\`\`
`
}
