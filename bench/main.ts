/**
 * `npm run bench`: builds both lines of the library, starts the bench server, runs every workload
 * for each client (each line over fetch and over undici, `@openrouter/sdk`, raw fetch), each client
 * in a process of its own, then the request-limit comparison on Effect 4, writes BENCHMARKS.md and
 * prints the tables.
 * `npm run bench -- --quick`: fewer rounds and smaller counts, to smoke-test the harness; prints the
 * tables only (BENCHMARKS.md is left alone).
 * `npm run bench -- --profile`: profiles each line's `get` and 10k stream over both transports
 * with `node --cpu-prof` (profiles in .bench-tmp/profiles/) and prints the top self-time functions.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { loadavg } from "node:os"
import { join } from "node:path"
import { buildAll, clientFile, type ColdClient, type ColdScript, coldFile, effect4File, entryFile, root, tmpDir } from "./build.js"
import { clientNames, lineClients } from "./clients.js"
import { cliStartupBegin, cliStartupEnd, cliStartupSection, withCliStartupSection } from "./cliStartup.js"
import { format, summarise } from "./profile.js"
import { markdown, revision, tables } from "./report.js"
import { limitNames, processBudgetMs, settingsFrom } from "./settings.js"
import { pushAt, rotate, type Series } from "./stats.js"

const settings = settingsFrom(process.argv)
const flags = settings.quick ? ["--quick"] : []
const budgetMs = processBudgetMs(settings)

const started = performance.now()
/** A line on stderr, with the seconds since the bench started: where a run's time goes. */
const log = (line: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`)

/** Runs `node ...args`, stderr passed through; resolves to its stdout, or `undefined` if it ran past the process budget. */
const runNode = (args: ReadonlyArray<string>): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"], timeout: budgetMs })
    let out = ""
    child.stdout.on("data", (chunk) => out += chunk)
    child.on("error", reject)
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(out)
      else if (signal === "SIGTERM") {
        log(`  node ${args.join(" ")}: killed after ${budgetMs / 1000} s, its figures are misses`)
        resolve(undefined)
      } else reject(new Error(`node ${args.join(" ")} exited with ${code ?? signal}`))
    })
  })

const runJson = async <A>(args: ReadonlyArray<string>): Promise<A | undefined> => {
  const out = await runNode(args)
  return out === undefined ? undefined : JSON.parse(out) as A
}

/** Fills the rounds a variant has no value for (its process was killed) with `null`, as stopped. */
const padRounds = (figures: Record<string, Series>) => {
  for (const series of Object.values(figures)) {
    for (const values of Object.values(series)) while (values.length < settings.rounds) values.push(null)
  }
}

/** Starts the bench server; resolves once it listens. */
const startServer = (): Promise<{ readonly url: string; readonly process: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [effect4File("server"), String(settings.largeKeys)], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"]
    })
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

/**
 * The `get` and `list` workload groups: one process per client per round, clients one after the
 * other in an order rotated every round. A round's ratios compare processes run back to back.
 */
const workloadFigures = async (server: string, figures: Record<string, Series>) => {
  for (const group of ["get", "list"]) {
    log(`${group} workloads, one process per client per round`)
    for (let round = 0; round < settings.rounds; round++) {
      for (const client of rotate(clientNames, round)) {
        const args = [entryFile("workloads"), server, client, clientFile(client), group, ...flags]
        const values = await runJson<Record<string, number | null>>(args)
        for (const [figure, value] of Object.entries(values ?? {})) pushAt(figures[figure] ??= {}, client, round, value)
      }
    }
  }
}

/** Peak RSS of each client listing 10k keys and `largeKeys` keys, one process per client per round. */
const rssFigures = async (server: string, figures: Record<string, Series>) => {
  const sizes = [
    { figure: "rss-10k", base: `${server}/api/v1`, keys: 10_000 },
    { figure: "rss-large", base: `${server}/large/api/v1`, keys: settings.largeKeys }
  ]
  for (const { base, figure, keys } of sizes) {
    log(`peak RSS, ${keys} keys, one process per client`)
    const series: Record<string, Array<number | null>> = {}
    for (let round = 0; round < settings.rounds; round++) {
      for (const client of rotate(clientNames, round)) {
        await resetServer(server)
        const result = await runJson<{ peakMiB: number }>([entryFile("rss"), client, clientFile(client), base, String(keys)])
        const expected = keys / 100 + (client === "sdk" ? 1 : 0)
        const made = await serverRequests(server)
        if (made !== expected) log(`  note: ${client} made ${made} requests for ${keys} keys`)
        pushAt(series, client, round, result?.peakMiB ?? null)
      }
    }
    figures[figure] = series
  }
  const growth: Record<string, Array<number | null>> = {}
  for (const client of clientNames) {
    figures["rss-large"]![client]?.forEach((big, round) => {
      const small = figures["rss-10k"]![client]?.[round]
      pushAt(growth, client, round, big == null || small == null ? null : big / small)
    })
  }
  figures["rss-growth"] = growth
}

/**
 * The request limit on Effect 4: each limit in a process of its own per round, in an order rotated
 * every round, so the per-round ratios compare processes run back to back.
 */
const permitFigures = async (figures: Record<string, Series>) => {
  log("request limit: PermitPool, Semaphore, no limit; one process per limit per round")
  for (let round = 0; round < settings.rounds; round++) {
    for (const limit of rotate(limitNames, round)) {
      const values = await runJson<Record<string, number | null>>([effect4File("permits"), limit, ...flags])
      for (const [figure, value] of Object.entries(values ?? {})) pushAt(figures[figure] ??= {}, limit, round, value)
    }
  }
}

/** Cold start: each script minus bare `node`, the same round. */
const coldStartFigures = async (figures: Record<string, Series>) => {
  log("cold start")
  const clients: ReadonlyArray<ColdClient> = [...lineClients, "sdk"]
  const scripts: ReadonlyArray<ColdScript> = ["bare", ...clients, ...clients.map((c) => `${c}.bundle` as const)]
  const raw: Record<string, Array<{ ms: number; peakMiB: number }>> = {}
  for (const script of scripts) await runNode([coldFile(script)]) // file cache warm-up
  for (let round = 0; round < settings.rounds; round++) {
    for (const script of rotate(scripts, round)) {
      const result = await runJson<{ ms: number; peakMiB: number }>([coldFile(script)])
      if (result === undefined) throw new Error(`${script}: a cold start did not finish`)
      ;(raw[script] ??= []).push(result)
    }
  }
  // Each client's figure minus bare node's in the same round; the fetch column is bare node itself.
  const cold = (suffix: "" | ".bundle", measure: "ms" | "peakMiB"): Series => {
    const series: Record<string, Array<number>> = { fetch: raw["bare"]!.map((r) => r[measure]) }
    for (const client of clients) series[client] = raw[`${client}${suffix}`]!.map((r, i) => r[measure] - raw["bare"]![i]![measure])
    return series
  }
  figures["cold-ms"] = cold("", "ms")
  figures["cold-mib"] = cold("", "peakMiB")
  figures["cold-bundle-ms"] = cold(".bundle", "ms")
  figures["cold-bundle-mib"] = cold(".bundle", "peakMiB")
}

const bench = async () => {
  const loadAtStart = loadavg()[0]!
  const measured = revision(root)
  log("compiling both lines and the bench")
  await buildAll()
  const server = await startServer()
  try {
    const figures: Record<string, Series> = {}
    await workloadFigures(server.url, figures)
    await rssFigures(server.url, figures)
    server.process.removeAllListeners("exit")
    server.process.kill()
    await permitFigures(figures)
    await coldStartFigures(figures)
    padRounds(figures)
    const seconds = (performance.now() - started) / 1000
    if (settings.quick) {
      process.stdout.write(`\n${tables(figures, settings)}\n\nQuick run (${seconds.toFixed(0)} s): BENCHMARKS.md left as it was.\n`)
      return
    }
    // The CLI's start-up figures are measured by their own script; keep them.
    const cliSection = cliStartupSection(readFileSync(join(root, "BENCHMARKS.md"), "utf8"))
    const report = markdown({ root, figures, settings, seconds, loadAtStart, revision: measured })
    writeFileSync(join(root, "BENCHMARKS.md"), cliSection === "" ? report : withCliStartupSection(report, cliSection.slice(cliStartupBegin.length, -cliStartupEnd.length)))
    writeFileSync(join(tmpDir, "figures.json"), JSON.stringify(figures, null, 2))
    process.stdout.write(`\n${tables(figures, settings)}\n\nWrote BENCHMARKS.md (${seconds.toFixed(0)} s).\n`)
  } finally {
    server.process.removeAllListeners("exit")
    server.process.kill()
  }
}

const profile = async () => {
  log("compiling both lines and the bench")
  await buildAll()
  const dir = join(tmpDir, "profiles")
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const server = await startServer()
  try {
    const out: Array<string> = []
    for (const client of lineClients) {
      for (const mode of ["profile-get", "profile-stream"]) {
        const modeDir = join(dir, `${client}-${mode}`)
        await runNode(["--cpu-prof", `--cpu-prof-dir=${modeDir}`, entryFile("workloads"), server.url, client, clientFile(client), mode])
        const file = join(modeDir, readdirSync(modeDir)[0]!)
        out.push(format(`${client} ${mode} (${file})`, summarise(file)))
      }
    }
    writeFileSync(join(dir, "summary.md"), out.join("\n"))
    process.stdout.write(`${out.join("\n")}\nWrote ${join(dir, "summary.md")}\n`)
  } finally {
    server.process.removeAllListeners("exit")
    server.process.kill()
  }
}

await (process.argv.includes("--profile") ? profile() : bench())
