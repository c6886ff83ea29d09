/**
 * `npm run bench`: builds the library, starts the bench server, runs every workload side by side
 * for this library, `@openrouter/sdk` and raw fetch, writes BENCHMARKS.md and prints the table.
 * `npm run bench -- --profile`: profiles this library's `get` and 10k stream with `node --cpu-prof`
 * (profiles in .bench-tmp/profiles/) and prints the top self-time functions.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { loadavg } from "node:os"
import { join } from "node:path"
import { buildAll, type ColdScript, coldFile, entryFile, root, tmpDir } from "./build.js"
import { format, summarise } from "./profile.js"
import { markdown, table } from "./report.js"
import { push, rotate, rounds, type Series } from "./stats.js"

const log = (line: string) => process.stderr.write(`${line}\n`)

/** Runs `node ...args`, stderr passed through; resolves to its stdout. */
const runNode = (args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.on("data", (chunk) => out += chunk)
    child.on("error", reject)
    child.on("exit", (code) => code === 0 ? resolve(out) : reject(new Error(`node ${args.join(" ")} exited with ${code}`)))
  })

const runJson = async <A>(args: ReadonlyArray<string>): Promise<A> => JSON.parse(await runNode(args)) as A

/** Starts the bench server; resolves once it listens. */
const startServer = (): Promise<{ readonly url: string; readonly process: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entryFile("server")], { cwd: root, stdio: ["ignore", "pipe", "inherit"] })
    child.on("error", reject)
    child.on("exit", (code) => reject(new Error(`the bench server exited with ${code}`)))
    child.stdout.once("data", (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(String(chunk))?.[1]
      if (port === undefined) reject(new Error(`unexpected server output: ${chunk}`))
      else resolve({ url: `http://127.0.0.1:${port}`, process: child })
    })
  })

const resetServer = (server: string) => fetch(`${server}/__bench/reset?delay=0`)
const serverRequests = async (server: string) =>
  ((await (await fetch(`${server}/__bench/stats`)).json()) as { requests: number }).requests

/** Peak RSS of each client listing 10k and 100k keys, one process per client per round. */
const rssFigures = async (server: string, figures: Record<string, Series>) => {
  const sizes = [
    { figure: "rss-10k", base: `${server}/api/v1`, keys: 10_000 },
    { figure: "rss-100k", base: `${server}/100k/api/v1`, keys: 100_000 }
  ]
  for (const { base, figure, keys } of sizes) {
    log(`peak RSS, ${keys} keys, one process per client`)
    const series: Record<string, Array<number>> = {}
    for (let round = 0; round < rounds; round++) {
      for (const client of rotate(["ours", "sdk", "fetch"], round)) {
        await resetServer(server)
        const result = await runJson<{ peakMiB: number }>([entryFile("rss"), client, base, String(keys)])
        const expected = keys / 100 + (client === "sdk" ? 1 : 0)
        const made = await serverRequests(server)
        if (made !== expected) log(`  note: ${client} made ${made} requests for ${keys} keys`)
        push(series, client, result.peakMiB)
      }
    }
    figures[figure] = series
  }
  const growth: Record<string, Array<number>> = {}
  for (const client of ["ours", "sdk", "fetch"]) {
    figures["rss-100k"]![client]!.forEach((big, i) => push(growth, client, big / figures["rss-10k"]![client]![i]!))
  }
  figures["rss-growth"] = growth
}

/** Cold start: each script minus bare `node`, the same round. */
const coldStartFigures = async (figures: Record<string, Series>) => {
  log("cold start")
  const scripts: ReadonlyArray<ColdScript> = ["bare", "ours", "sdk", "ours.bundle", "sdk.bundle"]
  const raw: Record<string, Array<{ ms: number; peakMiB: number }>> = {}
  for (const script of scripts) await runNode([coldFile(script)]) // file cache warm-up
  for (let round = 0; round < rounds; round++) {
    for (const script of rotate(scripts, round)) {
      ;(raw[script] ??= []).push(await runJson<{ ms: number; peakMiB: number }>([coldFile(script)]))
    }
  }
  const added = (script: ColdScript, measure: "ms" | "peakMiB") =>
    raw[script]!.map((r, i) => r[measure] - raw["bare"]![i]![measure])
  const bare = (measure: "ms" | "peakMiB") => raw["bare"]!.map((r) => r[measure])
  figures["cold-ms"] = { ours: added("ours", "ms"), sdk: added("sdk", "ms"), fetch: bare("ms") }
  figures["cold-mib"] = { ours: added("ours", "peakMiB"), sdk: added("sdk", "peakMiB"), fetch: bare("peakMiB") }
  figures["cold-bundle-ms"] = { ours: added("ours.bundle", "ms"), sdk: added("sdk.bundle", "ms"), fetch: bare("ms") }
  figures["cold-bundle-mib"] = { ours: added("ours.bundle", "peakMiB"), sdk: added("sdk.bundle", "peakMiB"), fetch: bare("peakMiB") }
}

const bench = async () => {
  const started = performance.now()
  const loadAtStart = loadavg()[0]!
  log("building dist/ and the bench")
  await buildAll()
  const server = await startServer()
  try {
    log("in-process workloads (ours, sdk, fetch alternating)")
    const figures = await runJson<Record<string, Series>>([entryFile("workloads"), server.url])
    await rssFigures(server.url, figures)
    server.process.removeAllListeners("exit")
    server.process.kill()
    await coldStartFigures(figures)
    const seconds = (performance.now() - started) / 1000
    writeFileSync(join(root, "BENCHMARKS.md"), markdown({ root, figures, rounds, seconds, loadAtStart }))
    writeFileSync(join(tmpDir, "figures.json"), JSON.stringify(figures, null, 2))
    process.stdout.write(`\n${table(figures)}\n\nWrote BENCHMARKS.md (${seconds.toFixed(0)} s).\n`)
  } finally {
    server.process.removeAllListeners("exit")
    server.process.kill()
  }
}

const profile = async () => {
  log("building dist/ and the bench")
  await buildAll()
  const dir = join(tmpDir, "profiles")
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const server = await startServer()
  try {
    const out: Array<string> = []
    for (const mode of ["profile-get", "profile-stream"]) {
      const modeDir = join(dir, mode)
      await runNode(["--cpu-prof", `--cpu-prof-dir=${modeDir}`, entryFile("workloads"), server.url, mode])
      const file = join(modeDir, readdirSync(modeDir)[0]!)
      out.push(format(`${mode} (${file})`, summarise(file)))
    }
    writeFileSync(join(dir, "summary.md"), out.join("\n"))
    process.stdout.write(`${out.join("\n")}\nWrote ${join(dir, "summary.md")}\n`)
  } finally {
    server.process.removeAllListeners("exit")
    server.process.kill()
  }
}

await (process.argv.includes("--profile") ? profile() : bench())
