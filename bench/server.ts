/**
 * The bench server process: the project's own fake (`FakeByokApi`) over plain `node:http` on
 * 127.0.0.1, in its own process so it does not share the measured process's CPU.
 *
 * - `/api/v1/...` is a fake seeded with 10,000 keys; `/100k/api/v1/...` one seeded with 100,000.
 *   Every request goes to the fake's handler (`unsafeFake.handle`) after the per-request delay
 *   currently set.
 * - `/__bench/reset?delay=MS` clears the fakes' request logs and sets the delay;
 *   `/__bench/stats` returns how many requests the fakes logged since the last reset.
 *
 * Prints `listening <port>` on stdout when ready.
 */
import { Effect } from "effect"
import { createServer } from "node:http"
import { FakeByokApi } from "../src/testing.js"

export const seededKeys = 10_000

const seeded = (keys: number) => Effect.runSync(Effect.provide(FakeByokApi, FakeByokApi.layer({ seed: keys })))
const fakes = { small: seeded(seededKeys), large: seeded(100_000) }
let delayMs = 0

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const server = createServer(async (req, res) => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const url = new URL(req.url ?? "/", "http://127.0.0.1")

  if (url.pathname === "/__bench/reset") {
    delayMs = Number(url.searchParams.get("delay") ?? 0)
    Effect.runSync(Effect.all([fakes.small.clearRequests, fakes.large.clearRequests]))
    res.writeHead(204).end()
    return
  }
  if (url.pathname === "/__bench/stats") {
    const requests = Effect.runSync(fakes.small.requests).length + Effect.runSync(fakes.large.requests).length
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ requests }))
    return
  }

  const large = url.pathname.startsWith("/100k/")
  if (large) url.pathname = url.pathname.slice("/100k".length)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
  }
  if (delayMs > 0) await sleep(delayMs)
  const fake = large ? fakes.large : fakes.small
  const outcome = Effect.runSync(
    fake.unsafeFake.handle({ method: req.method ?? "GET", url, headers, body: Buffer.concat(chunks).toString("utf8") })
  )
  if (outcome._tag !== "Response") throw new Error(`unexpected fake outcome ${outcome._tag}`)
  res.writeHead(outcome.status, { ...outcome.headers, "content-length": Buffer.byteLength(outcome.body) })
  res.end(outcome.body)
})
server.keepAliveTimeout = 60_000

server.listen(Number(process.env.BENCH_PORT ?? 0), "127.0.0.1", () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  process.stdout.write(`listening ${address.port}\n`)
})
