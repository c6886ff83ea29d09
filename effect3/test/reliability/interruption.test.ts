/**
 * Interruption and resources. Over loopback HTTP (a plain node:http server that reports when the
 * client's connection closes): interrupting an operation or a stream mid-request aborts the HTTP
 * request, and afterwards no socket or timer the operation created is left keeping the process
 * alive. In memory under TestClock: an interrupted retry loop schedules nothing more.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Redacted, Scope, Stream, TestClock } from "effect"
import * as net from "node:net"
import { Byok } from "../../src/index.js"
import { FakeByokApi, fakeId, Fault } from "../../src/testing.js"
import {
  API_KEY_TEXT,
  countedClient,
  fakeOptions,
  failureOf,
  liveResources,
  makeTally,
  providerKeyText,
  rawServer,
  Recorder,
  Signals,
  wireKey
} from "./support.js"

const tally = makeTally("interruption.test.ts")

/** Lets pending I/O callbacks run (macrotasks, not sleeps). */
const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve))).pipe(Effect.repeatN(5))

/** Timers keeping the process alive. */
const timers = () => liveResources()["Timeout"] ?? 0

/**
 * Client sockets to `port` that keep the process alive. An idle pooled keep-alive socket is
 * unref'd by fetch and not listed; a socket still tied to a request is.
 */
const clientSocketsTo = (port: number) =>
  (process as unknown as { _getActiveHandles(): Array<unknown> })._getActiveHandles()
    .filter((h): h is net.Socket => h instanceof net.Socket && h.remotePort === port && !h.destroyed).length

/** Waits (macrotask by macrotask, at most ~1,000 of them) until no client socket to `port` keeps the process alive. */
const noClientSocketsTo = (port: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200 && clientSocketsTo(port) > 0; i++) yield* settle
    expect(clientSocketsTo(port)).toBe(0)
  })

/** A list page of `n` keys from `offset`, out of `total`. */
const page = (offset: number, n: number, total: number) =>
  JSON.stringify({
    data: Array.from({ length: n }, (_, i) => wireKey({ id: fakeId(offset + i + 1) })),
    total_count: total
  })

describe("over loopback HTTP", () => {
  it.live("interrupting a get while the server has not answered aborts the request: the server sees the connection close, nothing is left", () =>
    Effect.gen(function*() {
      const server = yield* rawServer(() => {
        // never answers
      })
      const { byok } = yield* countedClient({ baseUrl: `${server.origin}/api/v1`, retry: false })
      const baseline = { timers: timers() }
      const fiber = yield* Effect.fork(byok.get(fakeId(1)))
      yield* server.signals.when("request")
      expect(clientSocketsTo(server.port)).toBe(1)
      yield* Fiber.interrupt(fiber)
      yield* server.signals.when("request-closed")
      yield* server.signals.when("socket-closed")
      yield* noClientSocketsTo(server.port)
      // The 30 s per-attempt timeout's timer went with the request.
      expect(timers()).toBeLessThanOrEqual(baseline.timers)
      expect(server.seen.length).toBe(1)
      tally.scenarios++
    }).pipe(Effect.scoped))

  it.live("interrupting a create while the body is arriving aborts the read: the server sees the connection close mid-body", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((_request, response) => {
        const body = JSON.stringify({ data: wireKey() })
        response.writeHead(201, { "content-type": "application/json", "content-length": String(body.length) })
        response.write(body.slice(0, 20))
        // the rest never comes
      })
      const client = new Signals()
      const { byok } = yield* countedClient({
        baseUrl: `${server.origin}/api/v1`,
        retry: false,
        transformClient: (c) => HttpClient.tap(c, () => Effect.sync(() => client.bump("response")))
      })
      const baseline = { timers: timers() }
      const key = providerKeyText("interrupt-body")
      const fiber = yield* Effect.fork(byok.create({ provider: "openai", key: Redacted.make(key) }))
      yield* client.when("response")
      yield* Fiber.interrupt(fiber)
      yield* server.signals.when("request-closed")
      yield* server.signals.when("socket-closed")
      yield* noClientSocketsTo(server.port)
      expect(timers()).toBeLessThanOrEqual(baseline.timers)
      // Interrupted, not retried: one request.
      expect(server.seen.length).toBe(1)
      tally.scenarios++
    }).pipe(Effect.scoped))

  it.live("interrupting a stream while page 2 is in flight aborts that request; no page 3 is ever asked for", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((request, response) => {
        const offset = Number(new URL(request.url, "http://x").searchParams.get("offset"))
        if (offset > 0) return // page 2 hangs
        response.writeHead(200, { "content-type": "application/json" })
        response.end(page(0, 2, 10))
      })
      const { byok } = yield* countedClient({ baseUrl: `${server.origin}/api/v1`, retry: false })
      const baseline = { timers: timers() }
      const emitted: Array<string> = []
      const fiber = yield* Effect.fork(Stream.runForEach(byok.stream({ pageSize: 2 }), (k) => Effect.sync(() => emitted.push(k.id))))
      yield* server.signals.when("request", 2)
      yield* Fiber.interrupt(fiber)
      yield* server.signals.when("request-closed")
      expect(emitted).toEqual([fakeId(1), fakeId(2)])
      yield* server.signals.when("socket-closed")
      yield* noClientSocketsTo(server.port)
      expect(timers()).toBeLessThanOrEqual(baseline.timers)
      expect(server.seen.map((r) => new URL(r.url, "http://x").searchParams.get("offset"))).toEqual(["0", "2"])
      tally.scenarios++
    }).pipe(Effect.scoped))

  it.live("closing the scope of a pulled stream mid-request aborts the request and leaks nothing", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((request, response) => {
        const offset = Number(new URL(request.url, "http://x").searchParams.get("offset"))
        if (offset > 0) return
        response.writeHead(200, { "content-type": "application/json" })
        response.end(page(0, 2, 10))
      })
      const { byok } = yield* countedClient({ baseUrl: `${server.origin}/api/v1`, retry: false })
      const baseline = { timers: timers() }
      const scope = yield* Scope.make()
      const pull = yield* Scope.extend(Stream.toPull(byok.stream({ pageSize: 2 })), scope)
      const got: Array<string> = []
      while (got.length < 2) {
        const chunk = yield* Scope.extend(pull, scope).pipe(Effect.orDie)
        got.push(...Chunk.toReadonlyArray(chunk).map((k) => k.id))
      }
      expect(got).toEqual([fakeId(1), fakeId(2)])
      // The next pull needs page 2, which hangs; the consumer gives up by closing the scope.
      yield* Effect.forkIn(pull, scope)
      yield* server.signals.when("request", 2)
      yield* Scope.close(scope, Exit.void)
      yield* server.signals.when("request-closed")
      yield* server.signals.when("socket-closed")
      yield* noClientSocketsTo(server.port)
      expect(timers()).toBeLessThanOrEqual(baseline.timers)
      expect(server.seen.length).toBe(2)
      tally.scenarios++
    }).pipe(Effect.scoped))

  it.live("Stream.take(3) at page size 2 makes exactly two requests and nothing after the stream ends", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((request, response) => {
        const offset = Number(new URL(request.url, "http://x").searchParams.get("offset"))
        response.writeHead(200, { "content-type": "application/json" })
        response.end(page(offset, 2, 10_000))
      })
      const { byok } = yield* countedClient({ baseUrl: `${server.origin}/api/v1`, retry: false })
      const keys = yield* Stream.runCollect(Stream.take(byok.stream({ pageSize: 2 }), 3))
      expect(Chunk.toReadonlyArray(keys).map((k) => k.id)).toEqual([fakeId(1), fakeId(2), fakeId(3)])
      yield* settle
      expect(server.seen.length).toBe(2)
      tally.scenarios++
    }).pipe(Effect.scoped))

  it.live("a 2XX body over the 4 MiB limit is refused unread, and its connection is closed rather than left open", () =>
    Effect.gen(function*() {
      const size = 10 * 1024 * 1024
      const server = yield* rawServer((_request, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": String(size) })
        response.write(Buffer.alloc(64 * 1024, 0x20))
        // the rest would follow as the client reads; a client that refuses it must let go of the connection
      })
      const { byok } = yield* countedClient({ baseUrl: `${server.origin}/api/v1`, retry: false })
      const baseline = { timers: timers() }
      const recorder = new Recorder()
      const exit = yield* recorder.observe(byok.list())
      expect(failureOf(exit)).toMatchObject({ _tag: "DecodeError", status: 200 })
      recorder.expectNoLeaks([API_KEY_TEXT], tally)
      yield* server.signals.when("request-closed", 1, 1_000)
      yield* noClientSocketsTo(server.port)
      expect(timers()).toBeLessThanOrEqual(baseline.timers)
      tally.scenarios++
      tally.faults++
    }).pipe(Effect.scoped))
})

describe("in memory under TestClock", () => {
  it.effect("interrupting a get during its backoff: no further attempt, ever", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.status(503), { operation: "get", times: 10 })
      const fiber = yield* Effect.fork(byok.get(fakeId(1)))
      yield* TestClock.adjust("100 millis")
      expect((yield* fake.requests).length).toBe(1)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      yield* TestClock.adjust("1 hour")
      expect((yield* fake.requests).length).toBe(1)
      tally.scenarios++
      tally.faults++
    }).pipe(Effect.provide(FakeByokApi.layerByok({ fake: fakeOptions({ seed: 1 }) }))))

  it.effect("interrupting a hung create before its timeout: one attempt, nothing stored, nothing scheduled", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.hang, { operation: "create", times: 10 })
      const fiber = yield* Effect.fork(byok.create({ provider: "openai", key: Redacted.make(providerKeyText("hung")) }))
      yield* TestClock.adjust("10 seconds")
      expect((yield* fake.requests).length).toBe(1)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 hour")
      expect((yield* fake.requests).length).toBe(1)
      expect((yield* fake.credentials).length).toBe(0)
      tally.scenarios++
      tally.faults++
    }).pipe(Effect.provide(FakeByokApi.layerByok({ fake: fakeOptions() }))))

  it.effect("interrupting a stream between pages: the next page is never requested", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.mapBody((wire) => wire), { operation: "list", times: 1 })
      yield* fake.injectFault(Fault.delay("5 seconds"), { operation: "list", times: 1 })
      const fiber = yield* Effect.fork(Stream.runCollect(byok.stream({ pageSize: 10 })))
      yield* TestClock.adjust("1 second")
      expect((yield* fake.requests).map((r) => r.query.offset)).toEqual(["0", "10"])
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 hour")
      expect((yield* fake.requests).map((r) => r.query.offset)).toEqual(["0", "10"])
      tally.scenarios++
    }).pipe(Effect.provide(FakeByokApi.layerByok({ fake: fakeOptions({ seed: 50 }) }))))
})
