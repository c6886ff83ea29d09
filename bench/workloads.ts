/**
 * The in-process workloads, run in one plain `node` process against the bench server: the three
 * clients side by side, in alternating order, `rounds` times. Prints one JSON object (figure id →
 * series) on stdout.
 *
 * `node workloads.js <serverUrl> [profile-get|profile-stream]`: with a profile mode, runs only this
 * library's client on that workload, long enough for `--cpu-prof`.
 */
import { ListBYOKKeysResponse$inboundSchema } from "@openrouter/sdk/models"
import { Either, Schema } from "effect"
import { ListResponse } from "../src/internal/endpoints.js"
import { type BenchClient, clientNames, makeClient } from "./clients.js"
import { push, rotate, rounds, type Series, time } from "./stats.js"

export const listedKeys = 10_000
export const pageSize = 100
const sequentialGets = 2_000
const parallelGets = 2_000
const inFlight = 16
const decodeIterations = 300

const log = (line: string) => process.stderr.write(`  ${line}\n`)

const server = process.argv[2]!
const apiBase = `${server}/api/v1`
/**
 * The fake's ids, as `fakeId(n)` from the testing module makes them. Not imported from there: the
 * testing module loads `@effect/platform-node`, whose npm `undici` installs itself as the global
 * fetch dispatcher on import, which would change the transport of all three clients.
 */
const fakeId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`
const ids = Array.from({ length: listedKeys }, (_, i) => fakeId(i + 1))

const resetServer = (delay: number) => fetch(`${server}/__bench/reset?delay=${delay}`)
const serverRequests = async () => ((await (await fetch(`${server}/__bench/stats`)).json()) as { requests: number }).requests

const getSequential = async (client: BenchClient, n: number) => {
  for (let i = 0; i < n; i++) {
    const id = ids[i % ids.length]!
    if ((await client.get(id)) !== id) throw new Error(`${client.name}: wrong key for ${id}`)
  }
}

const getParallel = async (client: BenchClient, n: number, workers: number) => {
  let next = 0
  const worker = async () => {
    while (next < n) await client.get(ids[next++ % ids.length]!)
  }
  await Promise.all(Array.from({ length: workers }, worker))
}

interface StreamVariant {
  readonly name: string
  readonly client: BenchClient
  readonly concurrency: number
}

const streamAll = async (variant: StreamVariant, expected: number) => {
  const count = await variant.client.countAll({ pageSize, concurrency: variant.concurrency })
  if (count !== expected) throw new Error(`${variant.name}: listed ${count} keys, expected ${expected}`)
}

/** The µs to decode one already-parsed 100-key page: our Schema, the SDK's zod schema, and JSON.parse alone. */
const decodeFigures = async (figures: Record<string, Series>) => {
  const text = await (await fetch(`${apiBase}/byok?offset=0&limit=${pageSize}`, {
    headers: { authorization: "Bearer sk-or-v1-fake-management-key" }
  })).text()
  const json: unknown = JSON.parse(text)
  const ours = Schema.decodeUnknownEither(ListResponse, { errors: "first" })
  const decoders: Record<string, () => unknown> = {
    ours: () => {
      const page = ours(json)
      if (Either.isLeft(page) || page.right.data.length !== pageSize) throw new Error("ours: decode failed")
      return page
    },
    sdk: () => {
      const page = ListBYOKKeysResponse$inboundSchema.parse(json)
      if (page.data.length !== pageSize) throw new Error("sdk: decode failed")
      return page
    },
    fetch: () => JSON.parse(text)
  }
  const series: Record<string, Array<number>> = {}
  for (const decode of Object.values(decoders)) for (let i = 0; i < decodeIterations; i++) decode()
  for (let round = 0; round < rounds; round++) {
    for (const name of rotate(clientNames, round)) {
      const decode = decoders[name]!
      const ms = await time(async () => {
        for (let i = 0; i < decodeIterations; i++) decode()
      })
      push(series, name, (ms * 1000) / decodeIterations)
    }
  }
  figures["decode"] = series
}

const main = async () => {
  const figures: Record<string, Series> = {}
  const clients = await Promise.all(clientNames.map((name) => makeClient(name, apiBase)))

  log("warm-up")
  await resetServer(0)
  for (const client of clients) {
    await getSequential(client, 300)
    await streamAll({ name: client.name, client, concurrency: 1 }, listedKeys)
  }

  log(`get × ${sequentialGets}, sequential`)
  figures["get-seq"] = {}
  for (let round = 0; round < rounds; round++) {
    for (const client of rotate(clients, round)) {
      await resetServer(0) // keeps the fake's request log, and so the server's heap, small
      const ms = await time(() => getSequential(client, sequentialGets))
      push(figures["get-seq"], client.name, (ms * 1000) / sequentialGets)
    }
  }

  log(`get × ${parallelGets}, ${inFlight} in flight`)
  figures["get-par"] = {}
  for (let round = 0; round < rounds; round++) {
    for (const client of rotate(clients, round)) {
      await resetServer(0)
      const ms = await time(() => getParallel(client, parallelGets, inFlight))
      push(figures["get-par"], client.name, parallelGets / (ms / 1000))
    }
  }

  const [ours, sdk, raw] = clients as [BenchClient, BenchClient, BenchClient]
  const variants: ReadonlyArray<StreamVariant> = [
    { name: "ours", client: ours, concurrency: 1 },
    { name: "sdk", client: sdk, concurrency: 1 },
    { name: "fetch", client: raw, concurrency: 1 },
    { name: "ours c4", client: ours, concurrency: 4 },
    { name: "fetch c4", client: raw, concurrency: 4 }
  ]
  for (const delay of [0, 20]) {
    log(`stream ${listedKeys} keys, page size ${pageSize}, server delay ${delay} ms`)
    const wall: Record<string, Array<number>> = {}
    const requests: Record<string, Array<number>> = {}
    for (let round = 0; round < rounds; round++) {
      for (const variant of rotate(variants, round)) {
        await resetServer(delay)
        push(wall, variant.name, await time(() => streamAll(variant, listedKeys)))
        push(requests, variant.name, await serverRequests())
      }
    }
    figures[`stream-${delay}ms`] = wall
    figures[`stream-${delay}ms-requests`] = requests
  }
  await resetServer(0)

  log("decode one 100-key page")
  await decodeFigures(figures)

  await Promise.all(clients.map((client) => client.dispose()))
  process.stdout.write(JSON.stringify(figures))
}

/** Only this library, one workload, long enough to profile. */
const profile = async (mode: "profile-get" | "profile-stream") => {
  await resetServer(0)
  const ours = await makeClient("ours", apiBase)
  const work = mode === "profile-get"
    ? (client: BenchClient) => getSequential(client, 10_000)
    : (client: BenchClient) => streamAll({ name: client.name, client, concurrency: 1 }, listedKeys)
  await work(ours) // warm-up
  const ms = await time(async () => {
    for (let i = 0; i < (mode === "profile-get" ? 1 : 10); i++) await work(ours)
  })
  log(`${mode}: ${ms.toFixed(0)} ms`)
  await ours.dispose()
}

const mode = process.argv[3]
await (mode === "profile-get" || mode === "profile-stream" ? profile(mode) : main())
