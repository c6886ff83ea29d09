/**
 * Interruption and resources. Over loopback HTTP (a plain node:http server that reports when the
 * client's connection closes): interrupting an operation or a stream mid-request aborts the HTTP
 * request, and afterwards no socket or timer the operation created is left keeping the process
 * alive. In memory on the test clock: an interrupted retry loop schedules nothing more.
 */
import assert from "node:assert/strict"
import type * as http from "node:http"
import { fakeId } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import { type Driver, type PlainKey, secret, type Session, type SessionOptions } from "../driver.js"
import {
  apiKeyText,
  assertNoLeaks,
  idsOf,
  makeTally,
  providerKeyText,
  soleErrorOf,
  type Suite,
  test,
  turns,
  withSession
} from "../harness.js"
import { clientSocketsTo, noClientSocketsTo, timers } from "../resources.js"
import { type RawServer, type SeenRequest, Signals, withRawServer } from "../servers.js"
import { wireKey } from "../wireBodies.js"

const tally = makeTally("interruption")

/** A list page of `n` keys from `offset`, out of `total`. */
const page = (offset: number, n: number, total: number) =>
  JSON.stringify({
    data: Array.from({ length: n }, (_, i) => wireKey({ id: fakeId(offset + i + 1) })),
    total_count: total
  })

const offsetOf = (request: SeenRequest) => new URL(request.url, "http://x").searchParams.get("offset")

/**
 * A raw server, and a session of the real client on the platform's fetch and the live clock, sent
 * to it with no retries; both closed after.
 */
const overLoopback = <A>(
  driver: Driver,
  handler: (request: SeenRequest, response: http.ServerResponse, server: RawServer) => void,
  body: (session: Session, server: RawServer) => Promise<A>,
  hooks: Pick<SessionOptions, "onResponse"> = {}
): Promise<A> =>
  withRawServer(handler, async (server) => {
    const session = await driver.open({
      fake: driver.makeFake({ apiKey: apiKeyText }),
      transport: "fetch",
      clock: "live",
      client: { baseUrl: `${server.origin}/api/v1`, retry: false },
      ...hooks
    })
    try {
      return await body(session, server)
    } finally {
      await session.close()
    }
  })

/** A server that answers the first page (offset 0) with 2 of 10 keys and never answers any other. */
const firstPageOnly = (request: SeenRequest, response: http.ServerResponse) => {
  if (Number(offsetOf(request)) > 0) return
  response.writeHead(200, { "content-type": "application/json" })
  response.end(page(0, 2, 10))
}

const loopbackTests = [
  test(
    "interrupting a get while the server has not answered aborts the request: the server sees the connection close, nothing is left",
    (driver) =>
      overLoopback(driver, () => {
        // never answers
      }, async (session, server) => {
        const baseline = timers()
        const running = session.start({ op: "get", id: fakeId(1) })
        await server.signals.when("request")
        assert.equal(clientSocketsTo(server.port), 1)
        assert.equal((await running.interrupt()).exit._tag, "Interrupted")
        await server.signals.when("request-closed")
        await server.signals.when("socket-closed")
        await noClientSocketsTo(server.port)
        // The 30 s per-attempt timeout's timer went with the request.
        assert.ok(timers() <= baseline, `timers: ${timers()} > ${baseline}`)
        assert.equal(server.seen.length, 1)
        tally.scenarios++
      })
  ),
  test("interrupting a create while the body is arriving aborts the read: the server sees the connection close mid-body", (driver) => {
    const client = new Signals()
    return overLoopback(driver, (_request, response) => {
      const body = JSON.stringify({ data: wireKey() })
      response.writeHead(201, { "content-type": "application/json", "content-length": String(body.length) })
      response.write(body.slice(0, 20))
      // the rest never comes
    }, async (session, server) => {
      const baseline = timers()
      const running = session.start({ op: "create", input: { provider: "openai", key: secret(providerKeyText("interrupt-body")) } })
      await client.when("response")
      assert.equal((await running.interrupt()).exit._tag, "Interrupted")
      await server.signals.when("request-closed")
      await server.signals.when("socket-closed")
      await noClientSocketsTo(server.port)
      assert.ok(timers() <= baseline, `timers: ${timers()} > ${baseline}`)
      // Interrupted, not retried: one request.
      assert.equal(server.seen.length, 1)
      tally.scenarios++
    }, { onResponse: () => client.bump("response") })
  }),
  test("interrupting a stream while page 2 is in flight aborts that request; no page 3 is ever asked for", (driver) =>
    overLoopback(driver, firstPageOnly, async (session, server) => {
      const baseline = timers()
      const running = session.start({ op: "stream", options: { pageSize: 2 } })
      await server.signals.when("request", 2)
      const outcome = await running.interrupt()
      assert.equal(outcome.exit._tag, "Interrupted")
      await server.signals.when("request-closed")
      assert.deepEqual(outcome.emitted.map((k) => k.id), [fakeId(1), fakeId(2)])
      await server.signals.when("socket-closed")
      await noClientSocketsTo(server.port)
      assert.ok(timers() <= baseline, `timers: ${timers()} > ${baseline}`)
      assert.deepEqual(server.seen.map(offsetOf), ["0", "2"])
      tally.scenarios++
    })),
  test("closing the scope of a pulled stream mid-request aborts the request and leaks nothing", (driver) =>
    overLoopback(driver, firstPageOnly, async (session, server) => {
      const baseline = timers()
      const pulling = await session.pull({ pageSize: 2 })
      const got: Array<PlainKey> = []
      while (got.length < 2) {
        const pulled = await pulling.next()
        if (pulled._tag !== "Chunk") assert.fail(`expected a chunk, got ${JSON.stringify(pulled)}`)
        got.push(...pulled.keys)
      }
      assert.deepEqual(got.map((k) => k.id), [fakeId(1), fakeId(2)])
      // The next pull needs page 2, which hangs; the consumer gives up by closing the scope.
      const waiting = pulling.next()
      await server.signals.when("request", 2)
      await pulling.close()
      assert.deepEqual(await waiting, { _tag: "Closed" })
      await server.signals.when("request-closed")
      await server.signals.when("socket-closed")
      await noClientSocketsTo(server.port)
      assert.ok(timers() <= baseline, `timers: ${timers()} > ${baseline}`)
      assert.equal(server.seen.length, 2)
      tally.scenarios++
    })),
  test("taking 3 keys at page size 2 makes exactly two requests and nothing after the stream ends", (driver) =>
    overLoopback(driver, (request, response) => {
      response.writeHead(200, { "content-type": "application/json" })
      response.end(page(Number(offsetOf(request)), 2, 10_000))
    }, async (session, server) => {
      const outcome = await session.run({ op: "stream", options: { pageSize: 2 }, take: 3 })
      assert.deepEqual(idsOf(outcome), [fakeId(1), fakeId(2), fakeId(3)])
      await turns(6)
      assert.equal(server.seen.length, 2)
      tally.scenarios++
    })),
  test("a 2XX body over the 4 MiB limit is refused unread, and its connection is closed rather than left open", (driver) => {
    const size = 10 * 1024 * 1024
    return overLoopback(driver, (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": String(size) })
      response.write(Buffer.alloc(64 * 1024, 0x20))
      // the rest would follow as the client reads; a client that refuses it must let go of the connection
    }, async (session, server) => {
      const baseline = timers()
      const outcome = await session.run({ op: "list" })
      const error = soleErrorOf(outcome)
      assert.deepEqual([error._tag, error.status], ["DecodeError", 200])
      assertNoLeaks(outcome, [apiKeyText], tally)
      await server.signals.when("request-closed", 1, 1_000)
      await noClientSocketsTo(server.port)
      assert.ok(timers() <= baseline, `timers: ${timers()} > ${baseline}`)
      tally.scenarios++
      tally.faults++
    })
  })
]

const inMemoryTests = [
  test("interrupting a get during its backoff: no further attempt, ever", (driver) =>
    withSession(driver, { fake: { seed: 1 } }, async (session, fake) => {
      fake.injectFault(faults.status(503), { operation: "get", times: 10 })
      const running = session.start({ op: "get", id: fakeId(1) })
      await session.advance(100)
      assert.equal(fake.requests().length, 1)
      assert.equal((await running.interrupt()).exit._tag, "Interrupted")
      await session.advance(3_600_000)
      assert.equal(fake.requests().length, 1)
      tally.scenarios++
      tally.faults++
    })),
  test("interrupting a hung create before its timeout: one attempt, nothing stored, nothing scheduled", (driver) =>
    withSession(driver, {}, async (session, fake) => {
      fake.injectFault(faults.hang, { operation: "create", times: 10 })
      const running = session.start({ op: "create", input: { provider: "openai", key: secret(providerKeyText("hung")) } })
      await session.advance(10_000)
      assert.equal(fake.requests().length, 1)
      await running.interrupt()
      await session.advance(3_600_000)
      assert.equal(fake.requests().length, 1)
      assert.equal(fake.credentials().length, 0)
      tally.scenarios++
      tally.faults++
    })),
  test("interrupting a stream between pages: the next page is never requested", (driver) =>
    withSession(driver, { fake: { seed: 50 } }, async (session, fake) => {
      fake.injectFault(faults.mapBody((wire) => wire), { operation: "list", times: 1 })
      fake.injectFault(faults.delayMillis(5_000), { operation: "list", times: 1 })
      const running = session.start({ op: "stream", options: { pageSize: 10 } })
      await session.advance(1_000)
      assert.deepEqual(fake.requests().map((r) => r.query.offset), ["0", "10"])
      await running.interrupt()
      await session.advance(3_600_000)
      assert.deepEqual(fake.requests().map((r) => r.query.offset), ["0", "10"])
      tally.scenarios++
    }))
]

export const interruption: Suite = {
  name: "interruption",
  tally,
  tests: [],
  groups: [
    { name: "over loopback HTTP", tests: loopbackTests },
    { name: "in memory on the test clock", tests: inMemoryTests }
  ]
}
