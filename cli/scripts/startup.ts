/**
 * How long `byok` takes to start and finish a small command, and how much memory it peaks at: the
 * bundle (`dist/byok.mjs`) against the same sources unbundled (one file per module, Effect and
 * undici resolved from node_modules), with `node -e 0` as the floor. Builds both first.
 *
 * Every run goes through `/usr/bin/time -v`, which gives the peak resident set size and the wall
 * time (to 10 ms); the wall time is also taken here around the run, to the millisecond. The cases
 * take turns (A B C A B C …) so that a machine slowing down mid-way slows them alike.
 *
 *   npm run startup -w cli                # 15 runs of each case, after one not counted
 *   npm run startup -w cli -- --runs 30
 *   npm run startup -w cli -- --write     # and write the figures into BENCHMARKS.md
 *
 * The figures are for the Node running this script (`npm run` uses the repository's Node 22).
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { withCliStartupSection } from "../../bench/cliStartup.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const tsx = path.resolve(root, "../node_modules/tsx/dist/cli.mjs")
const runsArg = process.argv.indexOf("--runs")
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15
const time = "/usr/bin/time"

if (!fs.existsSync(time)) throw new Error(`${time} is needed (Debian: apt-get install time)`)

for (const args of [[], ["--unbundled"]]) {
  const built = spawnSync(process.execPath, [tsx, "scripts/build.ts", ...args], { cwd: root, encoding: "utf8" })
  if (built.status !== 0) throw new Error(`build ${args.join(" ")} failed:\n${built.stdout}${built.stderr}`)
  process.stdout.write(built.stdout)
}

const command = ["--fake", "list", "--format", "json"]
const cases: ReadonlyArray<{ readonly name: string; readonly argv: ReadonlyArray<string> }> = [
  { name: "node -e 0", argv: ["-e", "0"] },
  { name: `bundle: byok ${command.join(" ")}`, argv: ["dist/byok.mjs", ...command] },
  { name: `unbundled: byok ${command.join(" ")}`, argv: ["dist/unbundled/cli/src/bin.js", ...command] },
  { name: "bundle: byok --help", argv: ["dist/byok.mjs", "--help"] },
  { name: "unbundled: byok --help", argv: ["dist/unbundled/cli/src/bin.js", "--help"] }
]

interface Sample {
  readonly wallMs: number
  readonly timeWallS: number
  readonly rssKiB: number
}

const measure = (argv: ReadonlyArray<string>): Sample => {
  const started = process.hrtime.bigint()
  const run = spawnSync(time, ["-v", process.execPath, ...argv], { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } })
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6
  if (run.status !== 0) throw new Error(`${argv.join(" ")} exited ${run.status}:\n${run.stderr}`)
  const elapsed = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(run.stderr)
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)
  if (!elapsed || !rss) throw new Error(`no figures from ${time} -v:\n${run.stderr}`)
  const timeWallS = Number(elapsed[1] ?? 0) * 3600 + Number(elapsed[2]) * 60 + Number(elapsed[3])
  return { wallMs, timeWallS, rssKiB: Number(rss[1]) }
}

const loadAtStart = os.loadavg()[0]!
const samples = cases.map(() => [] as Array<Sample>)
for (let round = 0; round <= runs; round++) {
  cases.forEach((c, i) => {
    const sample = measure(c.argv)
    if (round > 0) samples[i]!.push(sample)
  })
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const spread = (values: ReadonlyArray<number>, digits: number) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`

const table = [
  "| case | wall s, measured here | wall s, time -v | max RSS MiB, time -v |",
  "| --- | --- | --- | --- |",
  ...cases.map((c, i) => {
    const s = samples[i]!
    return `| ${c.name} | ${spread(s.map((x) => x.wallMs / 1000), 3)} | ${spread(s.map((x) => x.timeWallS), 2)} | ${spread(s.map((x) => x.rssKiB / 1024), 1)} |`
  })
].join("\n")
console.log(`\nNode ${process.version}, ${runs} runs each; median (min–max)\n\n${table}`)

if (process.argv.includes("--write")) {
  const bundle = samples[1]!.map((x) => x.wallMs / 1000)
  const target = 0.25
  const section = `## The byok CLI: start-up

Measured by \`npm run startup -w cli -- --write\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, load average ${loadAtStart.toFixed(2)} at the start, ${runs} runs of each
case after one not counted, the cases taking turns; median (min–max). The bundle is \`cli/dist/byok.mjs\`, the
one file the package ships; "unbundled" is the same sources one file per module, with Effect and undici loaded
from node_modules. Target: \`byok ${command.join(" ")}\` in at most ${target} s. ${
    median(bundle) <= target ? "Met" : "**Missed**"
  }: ${median(bundle).toFixed(3)} s.

${table}
`
  const file = path.resolve(root, "../BENCHMARKS.md")
  fs.writeFileSync(file, withCliStartupSection(fs.readFileSync(file, "utf8"), section))
  console.log("\nWrote the CLI start-up section of BENCHMARKS.md.")
}
