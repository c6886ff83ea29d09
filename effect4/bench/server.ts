/**
 * The bench server process: the Effect 4 line's fake (`FakeByokApi`) over plain `node:http` on
 * 127.0.0.1, in its own process so it does not share the measured process's CPU. Every client,
 * of either line, is measured against this one server.
 *
 * - `/api/v1/...` is a fake seeded with 10,000 keys; `/large/api/v1/...` one seeded with as many
 *   keys as the first argument says (the peak RSS listing).
 *   Every request goes to the fake's handler (`unsafeFake.handle`) after the per-request delay
 *   currently set.
 * - `/__bench/reset?delay=MS` clears the fakes' request logs and sets the delay;
 *   `/__bench/stats` returns how many requests the fakes logged and how many TCP connections were
 *   opened since the last reset.
 *
 * Prints `listening <port>` on stdout when ready.
 */
import { Effect } from "effect"
import { createServer } from "node:http"
import { FakeByokApi } from "../src/testing.js"

const seededKeys = 10_000

const seeded = (keys: number) => Effect.runSync(Effect.provide(Effect.service(FakeByokApi), FakeByokApi.layer({ seed: keys })))
const fakes = { small: seeded(seededKeys), large: seeded(Number(process.argv[2])) }
let delayMs = 0
let connections = 0

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const server = createServer(async (req, res) => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const url = new URL(req.url ?? "/", "http://127.0.0.1")

  if (url.pathname === "/__bench/reset") {
    delayMs = Number(url.searchParams.get("delay") ?? 0)
    Effect.runSync(Effect.all([fakes.small.clearRequests, fakes.large.clearRequests]))
    connections = 0
    res.writeHead(204).end()
    return
  }
  if (url.pathname === "/__bench/stats") {
    const requests = Effect.runSync(fakes.small.requests).length + Effect.runSync(fakes.large.requests).length
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ requests, connections }))
    return
  }

  const large = url.pathname.startsWith("/large/")
  if (large) url.pathname = url.pathname.slice("/large".length)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
  }
  if (delayMs > 0) await sleep(delayMs)
  const fake = large ? fakes.large : fakes.small
  const outcome = fake.unsafeFake.handle({ method: req.method ?? "GET", url, headers, body: Buffer.concat(chunks).toString("utf8") }, Date.now())
  if (outcome._tag !== "Response") throw new Error(`unexpected fake outcome ${outcome._tag}`)
  res.writeHead(outcome.status, { ...outcome.headers, "content-length": Buffer.byteLength(outcome.body) })
  res.end(outcome.body)
})
server.keepAliveTimeout = 60_000
// A burst through fetch or undici opens a connection per request; counted, as it is part of what a burst costs.
server.on("connection", () => connections++)

// The backlog is raised from node's 511 so a burst of 2,000 new connections is not partly dropped
// by the kernel, which would make those clients retry their connection a second later.
server.listen({ port: Number(process.env.BENCH_PORT ?? 0), host: "127.0.0.1", backlog: 4096 }, () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  process.stdout.write(`listening ${address.port}\n`)
})
