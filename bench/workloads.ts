/**
 * One client, one group of workloads, one round, in a plain `node` process of its own: the parent
 * (`main.ts`) starts one such process per client per round, in an order rotated every round, so
 * every client runs on a fresh process that loaded only its own modules. Prints one JSON object
 * (figure id → this round's value, `null` for a run stopped at its time bound) on stdout. A stopped
 * run that does not wind down within its grace ends the process early: the figures measured so far
 * are printed, and the parent counts the rest as misses.
 *
 * `node workloads.js <serverUrl> <client> <clientModule> get|list [--quick]`, the client module being
 * the file `build.ts` built for that client.
 * - `get`: `get` sequential, `get` with 16 in flight, then the bursts, smallest first (a burst
 *   stopped at its bound leaves nothing behind for the other workloads).
 * - `list`: the 10,000-key stream at each server delay, one and four pages in flight, then the
 *   decode of one page.
 *
 * `node workloads.js <serverUrl> <client> <clientModule> profile-get|profile-stream`: only that
 * workload, long enough for `--cpu-prof`.
 */
import { type BenchClient, checkTransport, type ClientName, makeClient } from "./clients.js"
import { inFlight, listedKeys, pageSize, settingsFrom } from "./settings.js"
import { bounded, time, WouldNotStop } from "./stats.js"

type Figures = Record<string, number | null>

const log = (line: string) => process.stderr.write(`    ${line}\n`)

const [server, name, clientModule, group] = process.argv.slice(2) as [string, ClientName, string, string]
const settings = settingsFrom(process.argv)
const apiBase = `${server}/api/v1`
/**
 * The fake's ids, as `fakeId(n)` from the testing module makes them. Not imported from there: the
 * testing module is a line's, and loads that line's Effect into every client's process.
 */
const fakeId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`
const ids = Array.from({ length: listedKeys }, (_, i) => fakeId(i + 1))

const resetServer = (delay: number) => fetch(`${server}/__bench/reset?delay=${delay}`)
const serverStats = async () =>
  (await (await fetch(`${server}/__bench/stats`)).json()) as { requests: number; connections: number }

/** Never aborted: for warm-ups and profiles, which are not bounded. */
const unbounded = new AbortController().signal

const getSequential = async (client: BenchClient, n: number, signal: AbortSignal) => {
  for (let i = 0; i < n; i++) {
    signal.throwIfAborted()
    const id = ids[i % ids.length]!
    if ((await client.get(id)) !== id) throw new Error(`${client.name}: wrong key for ${id}`)
  }
}

/** `workers` promise loops sharing one counter: that many gets in flight, for every client alike. */
const getParallel = async (client: BenchClient, n: number, workers: number, signal: AbortSignal) => {
  let next = 0
  const worker = async () => {
    while (next < n) {
      signal.throwIfAborted()
      await client.get(ids[next++ % ids.length]!)
    }
  }
  await Promise.all(Array.from({ length: workers }, worker))
}

const burst = async (client: BenchClient, n: number, signal: AbortSignal) => {
  const wanted = ids.slice(0, n)
  const got = await client.getAll(wanted, signal)
  if (got.length !== n || got.some((id, i) => id !== wanted[i])) throw new Error(`${client.name}: wrong keys in a burst of ${n}`)
}

const streamAll = async (client: BenchClient, concurrency: number, signal: AbortSignal) => {
  const count = await client.countAll({ pageSize, concurrency, signal })
  if (count !== listedKeys) throw new Error(`${client.name}: listed ${count} keys, expected ${listedKeys}`)
}

/** `value(ms)` of a run, or `null` for a run stopped at its bound. */
const per = (ms: number | null, value: (ms: number) => number) => ms === null ? null : value(ms)

const bound = (f: (signal: AbortSignal) => Promise<unknown>) => bounded(settings, f)

const getWorkloads = async (client: BenchClient, out: Figures) => {
  // Every figure starts as a miss, so one the process does not get to (it ended early) stays one.
  const burstFigures = settings.bursts.flatMap((n) => [`burst-${n}`, `burst-${n}-per-call`, `burst-${n}-connections`])
  for (const figure of ["get-seq", "get-par", ...burstFigures, "burst-growth"]) out[figure] = null
  await resetServer(0)
  await getSequential(client, settings.warmupGets, unbounded) // warm-up

  const { parallelGets, sequentialGets } = settings
  await resetServer(0) // keeps the fake's request log, and so the server's heap, small
  out["get-seq"] = per(await bound((signal) => getSequential(client, sequentialGets, signal)), (ms) => (ms * 1000) / sequentialGets)
  await resetServer(0)
  out["get-par"] = per(await bound((signal) => getParallel(client, parallelGets, inFlight, signal)), (ms) => parallelGets / (ms / 1000))

  for (const n of settings.bursts) {
    await resetServer(0)
    const ms = await bound((signal) => burst(client, n, signal))
    out[`burst-${n}`] = ms
    out[`burst-${n}-per-call`] = per(ms, (ms) => (ms * 1000) / n)
    out[`burst-${n}-connections`] = (await serverStats()).connections
    if (ms === null) log(`${client.name}: burst of ${n} stopped at ${settings.boundMs} ms`)
  }
  const smallest = out[`burst-${settings.bursts[0]}-per-call`]
  const largest = out[`burst-${settings.bursts.at(-1)}-per-call`]
  out["burst-growth"] = smallest == null || largest == null ? null : largest / smallest
}

const listWorkloads = async (client: BenchClient, out: Figures) => {
  // The SDK has no parallel listing: it is measured at one page in flight only.
  const concurrencies = client.name === "sdk" ? [1] : [1, 4]
  const runs = settings.streamDelays.flatMap((delay) =>
    concurrencies.map((concurrency) => ({ delay, concurrency, figure: `stream-${delay}ms${concurrency === 1 ? "" : `-c${concurrency}`}` }))
  )
  // Every figure starts as a miss, so one the process does not get to (it ended early) stays one.
  for (const { figure } of runs) out[figure] = out[`${figure}-requests`] = null
  out["decode"] = null
  await resetServer(0)
  for (const concurrency of concurrencies) await streamAll(client, concurrency, unbounded) // warm-up

  for (const { concurrency, delay, figure } of runs) {
    await resetServer(delay)
    out[figure] = await bound((signal) => streamAll(client, concurrency, signal))
    out[`${figure}-requests`] = (await serverStats()).requests
  }
  await resetServer(0)

  const text = await (await fetch(`${apiBase}/byok?offset=0&limit=${pageSize}`, {
    headers: { authorization: "Bearer sk-or-v1-fake-management-key" }
  })).text()
  const decode = await client.decoder(text, pageSize)
  const decodeAll = async () => {
    for (let i = 0; i < settings.decodeIterations; i++) decode()
  }
  await decodeAll() // warm-up
  out["decode"] = ((await time(decodeAll)) * 1000) / settings.decodeIterations
}

/** Only this client, one workload, long enough to profile. */
const profile = async (client: BenchClient, mode: "profile-get" | "profile-stream") => {
  await resetServer(0)
  const work = mode === "profile-get"
    ? () => getSequential(client, 10_000, unbounded)
    : () => streamAll(client, 1, unbounded)
  await work() // warm-up
  const ms = await time(async () => {
    for (let i = 0; i < (mode === "profile-get" ? 1 : 10); i++) await work()
  })
  log(`${client.name} ${mode}: ${ms.toFixed(0)} ms`)
}

const main = async () => {
  const client = await makeClient(name, clientModule, apiBase)
  if (group === "profile-get" || group === "profile-stream") {
    await profile(client, group)
    await client.dispose()
    return
  }
  const workloads = group === "get" ? getWorkloads : group === "list" ? listWorkloads : undefined
  if (workloads === undefined) throw new Error(`unknown workload group ${group}`)
  const out: Figures = {}
  try {
    await workloads(client, out)
  } catch (error) {
    if (!(error instanceof WouldNotStop)) throw error
    // The stopped run is still busy: end the process rather than measure anything beside it.
    log(`${client.name}: a run ${error.message}; the rest of its ${group} workloads are misses`)
    process.stdout.write(JSON.stringify(out), () => process.exit(0))
    return
  }
  await client.dispose()
  checkTransport(client.name)
  process.stdout.write(JSON.stringify(out))
}

await main()
