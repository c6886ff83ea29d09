/**
 * The bench server process: the project's own fake (`FakeByokApi`, 10,000 seeded keys) over plain
 * `node:http` on 127.0.0.1, in its own process so it does not share the measured process's CPU.
 *
 * - Every `/api/v1/...` request goes to the fake's handler (`unsafeFake.handle`), after the
 *   per-request delay currently set.
 * - `/x10/api/v1/...` is the same fake seen ten times over: 100,000 keys. `FakeApi.insert` scans
 *   every stored record to compute `sort_order`, so seeding is quadratic (100,000 keys take about
 *   150 s). Until that is fixed, the 100k listing tiles the 10k fake: the offset is taken modulo
 *   10,000, ids are made unique again and `total_count` is multiplied by ten. Page sizes must
 *   divide 10,000.
 * - `/__bench/reset?delay=MS` clears the fake's request log and sets the delay;
 *   `/__bench/stats` returns how many requests the fake logged since the last reset.
 *
 * Prints `listening <port>` on stdout when ready.
 */
import { Effect } from "effect"
import { createServer } from "node:http"
import { FakeByokApi, fakeId } from "../src/testing.js"

export const seededKeys = 10_000
const tiles = 10

const fake = Effect.runSync(Effect.provide(FakeByokApi, FakeByokApi.layer({ seed: seededKeys })))
let delayMs = 0

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Asks the fake; `tiled` serves the 100k view described above. */
const answer = (method: string, url: URL, headers: Record<string, string>, body: string, tiled: boolean) => {
  let offset = 0
  if (tiled) {
    offset = Number(url.searchParams.get("offset") ?? 0)
    // Past the last tile, an offset past the fake's end: an empty page, as the real API answers.
    url.searchParams.set("offset", String(offset < seededKeys * tiles ? offset % seededKeys : seededKeys))
  }
  const outcome = Effect.runSync(fake.unsafeFake.handle({ method, url, headers, body }))
  if (outcome._tag !== "Response") throw new Error(`unexpected fake outcome ${outcome._tag}`)
  if (!tiled || outcome.status !== 200 || url.pathname !== "/api/v1/byok") return outcome
  const page = JSON.parse(outcome.body) as { data: Array<{ id: string }>; total_count: number }
  page.data.forEach((key, i) => key.id = fakeId(offset + i + 1))
  page.total_count *= tiles
  return { ...outcome, body: JSON.stringify(page) }
}

const server = createServer(async (req, res) => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const url = new URL(req.url ?? "/", "http://127.0.0.1")

  if (url.pathname === "/__bench/reset") {
    delayMs = Number(url.searchParams.get("delay") ?? 0)
    Effect.runSync(fake.clearRequests)
    res.writeHead(204).end()
    return
  }
  if (url.pathname === "/__bench/stats") {
    const requests = Effect.runSync(fake.requests).length
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ requests }))
    return
  }

  const tiled = url.pathname.startsWith("/x10/")
  if (tiled) url.pathname = url.pathname.slice("/x10".length)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value
  }
  if (delayMs > 0) await sleep(delayMs)
  const outcome = answer(req.method ?? "GET", url, headers, Buffer.concat(chunks).toString("utf8"), tiled)
  res.writeHead(outcome.status, { ...outcome.headers, "content-length": Buffer.byteLength(outcome.body) })
  res.end(outcome.body)
})
server.keepAliveTimeout = 60_000

server.listen(Number(process.env.BENCH_PORT ?? 0), "127.0.0.1", () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  process.stdout.write(`listening ${address.port}\n`)
})
