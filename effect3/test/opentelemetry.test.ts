import { NodeSdk } from "@effect/opentelemetry"
import { type Attributes, SpanKind, SpanStatusCode } from "@opentelemetry/api"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Redacted, Schedule, Stream, TestClock } from "effect"
import { Byok, type ByokError, type ByokOptions } from "../src/index.js"
import { FakeByokApi, fakeId, Fault, type FaultOptions } from "../src/testing.js"

// Canaries: distinctive enough that finding one anywhere in a span can only be a leak.
const managementKey = "sk-or-v1-mgmt-canary-7f3a9c5e21d4"
const providerKey = "sk-prov-canary-create-4e1b8d0c93aa"
const rotatedKey = "sk-prov-canary-rotate-92c6aa17f0be"
const secrets = [managementKey, providerKey, rotatedKey]

/** Runs `program` in a "caller" span, with `@effect/opentelemetry` exporting to memory; returns every exported span. */
const exportedSpans = <A, E>(
  program: Effect.Effect<A, E, Byok | FakeByokApi>,
  client: Partial<ByokOptions> = {}
): Effect.Effect<ReadonlyArray<ReadableSpan>, E | ByokError.InvalidRequest> =>
  Effect.suspend(() => {
    const exporter = new InMemorySpanExporter()
    const processor = new SimpleSpanProcessor(exporter)
    return Effect.gen(function*() {
      yield* program.pipe(
        Effect.withSpan("caller"),
        Effect.provide(FakeByokApi.layerByok({
          fake: { seed: 25, apiKey: managementKey },
          // no delay between attempts, so no clock has to move except for a Retry-After
          client: { retry: Schedule.recurs(2), ...client }
        }))
      )
      yield* Effect.promise(() => processor.forceFlush())
      // Copied now: the exporter forgets its spans when the SDK layer shuts the provider down.
      return exporter.getFinishedSpans().slice()
    }).pipe(Effect.provide(NodeSdk.layer(() => ({ spanProcessor: processor, resource: { serviceName: "byok-test" } }))))
  })

const inject = (fault: Fault, options: FaultOptions) => Effect.flatMap(FakeByokApi, (fake) => fake.injectFault(fault, options))

/** Moves the TestClock a second at a time until `effect` is done: only a Retry-After waits. */
const withClock = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 10 && (yield* Fiber.poll(fiber))._tag === "None"; i++) yield* TestClock.adjust("1 second")
    return yield* Fiber.join(fiber)
  })

/**
 * Every operation once, a three-page stream, and a get that is retried twice and fails: first a
 * 429 asking for a 1 s wait, then two 500s. The fake sends a request id only where a fault adds one.
 * The update's request id repeats the new key, as a careless server might.
 */
const tour = Effect.gen(function*() {
  const byok = yield* Byok
  yield* inject(Fault.headers({ "x-request-id": "req-list" }), { operation: "list" })
  yield* byok.list({ offset: 5, limit: 5 })
  yield* Stream.runDrain(byok.stream({ pageSize: 10 }))
  yield* inject(Fault.headers({ "x-request-id": "req-get" }), { operation: "get" })
  yield* byok.get(fakeId(1))
  yield* inject(Fault.headers({ "x-request-id": "req-create" }), { operation: "create" })
  const made = yield* byok.create({ provider: "openai", key: Redacted.make(providerKey), name: "Canary" })
  yield* inject(Fault.headers({ "x-request-id": `req-update-${rotatedKey}` }), { operation: "update" })
  yield* byok.update(made.id, { key: Redacted.make(rotatedKey) })
  yield* inject(Fault.headers({ "x-request-id": "req-delete" }), { operation: "delete" })
  yield* byok.delete(made.id)
  yield* inject(Fault.status(429, { headers: { "retry-after": "1", "x-request-id": "req-failed-1" } }), { operation: "get" })
  yield* inject(Fault.status(500, { headers: { "x-request-id": "req-failed-2" } }), { operation: "get" })
  yield* inject(Fault.status(500, { headers: { "x-request-id": "req-failed-3" } }), { operation: "get" })
  const failure = yield* withClock(Effect.flip(byok.get(fakeId(2))))
  expect(failure._tag).toBe("InternalServer")
})

const spanId = (span: ReadableSpan) => span.spanContext().spanId
const parentOf = (span: ReadableSpan) => span.parentSpanContext

/** The spans as an indented tree, for failure messages: a lost parent shows up as a second root. */
const tree = (spans: ReadonlyArray<ReadableSpan>): string => {
  const ids = new Set(spans.map(spanId))
  const lines: Array<string> = []
  const walk = (span: ReadableSpan, depth: number) => {
    lines.push(`${"  ".repeat(depth)}${span.name} [${SpanKind[span.kind]}] ${JSON.stringify(span.attributes)}`)
    for (const child of spans.filter((s) => parentOf(s)?.spanId === spanId(span))) walk(child, depth + 1)
  }
  for (const root of spans.filter((s) => parentOf(s) === undefined || !ids.has(parentOf(s)!.spanId))) walk(root, 0)
  return lines.join("\n")
}

/** The one span that `matches`; fails showing the whole tree otherwise. */
const one = (spans: ReadonlyArray<ReadableSpan>, what: string, matches: (span: ReadableSpan) => boolean) => {
  const found = spans.filter(matches)
  expect(found.length, `one span: ${what}\n${tree(spans)}`).toBe(1)
  return found[0]!
}
const only = (spans: ReadonlyArray<ReadableSpan>, name: string) => one(spans, name, (s) => s.name === name)
const getOf = (spans: ReadonlyArray<ReadableSpan>, n: number) =>
  one(spans, `Byok.get of ${fakeId(n)}`, (s) => s.name === "Byok.get" && s.attributes["url.path"] === `/byok/${fakeId(n)}`)

const childrenOf = (spans: ReadonlyArray<ReadableSpan>, parent: ReadableSpan) =>
  spans.filter((s) => parentOf(s)?.spanId === spanId(parent))

/**
 * Everything an exporter sends for a span: name, ids, attributes, events (the `exception` event of
 * a failed span included), status, links, resource and scope.
 */
const serialize = (span: ReadableSpan): string =>
  JSON.stringify({
    name: span.name,
    kind: span.kind,
    context: span.spanContext(),
    parent: span.parentSpanContext,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, attributes: e.attributes, time: e.time })),
    status: span.status,
    links: span.links.map((l) => ({ context: l.context, attributes: l.attributes })),
    resource: span.resource.attributes,
    scope: span.instrumentationScope
  })

/** Each canary, or an Authorization value, found in a span: `span name: what`. */
const leaks = (spans: ReadonlyArray<ReadableSpan>): ReadonlyArray<string> =>
  spans.flatMap((span) => {
    const text = serialize(span)
    const found = secrets.filter((secret) => text.includes(secret)).map((secret) => `${span.name}: ${secret}`)
    return /bearer/i.test(text) ? [...found, `${span.name}: a Bearer value`] : found
  })

const operationNames = ["Byok.list", "Byok.stream", "Byok.get", "Byok.create", "Byok.update", "Byok.delete", "Byok.get"]

/** The tour's spans, exported once per option set and shared by the tests below. */
class Traces extends Context.Tag("test/Traces")<Traces, {
  /** The default client; the update's request id echoes the new key. */
  readonly plain: ReadonlyArray<ReadableSpan>
  /** `httpClientSpans: true`; the update's request id echoes the new key here too. */
  readonly withPlatform: ReadonlyArray<ReadableSpan>
}>() {}

const TracesLive = Layer.effect(
  Traces,
  Effect.all({
    plain: exportedSpans(tour),
    // The platform's span records headers too: the client must keep the echo off it as well.
    withPlatform: exportedSpans(tour, { httpClientSpans: true })
  })
)

layer(TracesLive)("tracing through @effect/opentelemetry", (it) => {
  it.effect("one client span per operation under the caller's span, one Byok.list per page under Byok.stream", () =>
    Effect.gen(function*() {
      const spans = (yield* Traces).plain
      const caller = only(spans, "caller")
      expect(parentOf(caller)).toBeUndefined()
      // exported as they end, which for operations run one after another is the order they ran in
      const operations = childrenOf(spans, caller)
      expect(operations.map((s) => s.name), tree(spans)).toEqual(operationNames)
      for (const span of operations) {
        expect(span.kind, span.name).toBe(SpanKind.CLIENT)
        expect(span.spanContext().traceId, span.name).toBe(caller.spanContext().traceId)
        expect(parentOf(span)?.spanId, span.name).toBe(spanId(caller))
      }

      const stream = only(spans, "Byok.stream")
      expect(stream.attributes).toMatchObject({ "byok.page.size": 10, "byok.concurrency": 1 })
      const pages = childrenOf(spans, stream)
      expect(pages.map((s) => [s.name, s.kind, s.attributes["byok.page.offset"], s.attributes["byok.page.limit"]])).toEqual([
        ["Byok.list", SpanKind.CLIENT, 0, 10],
        ["Byok.list", SpanKind.CLIENT, 10, 10],
        ["Byok.list", SpanKind.CLIENT, 20, 10]
      ])
      for (const page of pages) expect(page.spanContext().traceId).toBe(caller.spanContext().traceId)
      // the caller, 7 operations, 3 pages: nothing else, and nothing from the platform by default
      expect(spans, tree(spans)).toHaveLength(11)
    }))

  it.effect("operation spans carry method, route, path, status, attempts and the scrubbed request id", () =>
    Effect.gen(function*() {
      const spans = (yield* Traces).plain
      const list = one(spans, "the list", (s) => s.name === "Byok.list" && s.attributes["byok.page.offset"] === 5)
      const made = fakeId(26)
      expect(list.attributes).toEqual({
        "http.request.method": "GET",
        "http.route": "/byok",
        "url.path": "/byok",
        "http.response.status_code": 200,
        "byok.attempts": 1,
        "byok.request_id": "req-list",
        "byok.page.offset": 5,
        "byok.page.limit": 5
      })
      expect(getOf(spans, 1).attributes).toEqual({
        "http.request.method": "GET",
        "http.route": "/byok/{id}",
        "url.path": `/byok/${fakeId(1)}`,
        "http.response.status_code": 200,
        "byok.attempts": 1,
        "byok.request_id": "req-get"
      })
      expect(only(spans, "Byok.create").attributes).toEqual({
        "http.request.method": "POST",
        "http.route": "/byok",
        "url.path": "/byok",
        "http.response.status_code": 201,
        "byok.attempts": 1,
        "byok.request_id": "req-create"
      })
      expect(only(spans, "Byok.update").attributes).toEqual({
        "http.request.method": "PATCH",
        "http.route": "/byok/{id}",
        "url.path": `/byok/${made}`,
        "http.response.status_code": 200,
        "byok.attempts": 1,
        "byok.request_id": "req-update-<redacted>"
      })
      expect(only(spans, "Byok.delete").attributes).toEqual({
        "http.request.method": "DELETE",
        "http.route": "/byok/{id}",
        "url.path": `/byok/${made}`,
        "http.response.status_code": 200,
        "byok.attempts": 1,
        "byok.request_id": "req-delete"
      })
      // the fake sends no request id unless told: pages carry none
      for (const page of childrenOf(spans, only(spans, "Byok.stream"))) {
        expect(page.attributes).not.toHaveProperty("byok.request_id")
        expect(page.attributes).toMatchObject({ "http.response.status_code": 200, "byok.attempts": 1 })
      }
      for (const span of childrenOf(spans, only(spans, "caller")).filter((s) => s !== getOf(spans, 2))) {
        expect(span.status.code, span.name).toBe(SpanStatusCode.OK)
        expect(span.events, span.name).toEqual([])
      }
    }))

  it.effect("a retried failure: one byok.retry event per retry, the last attempt's status, error.type and ERROR status", () =>
    Effect.gen(function*() {
      const spans = (yield* Traces).plain
      const failed = getOf(spans, 2)
      expect(failed.attributes).toEqual({
        "http.request.method": "GET",
        "http.route": "/byok/{id}",
        "url.path": `/byok/${fakeId(2)}`,
        "http.response.status_code": 500,
        "byok.attempts": 3,
        "byok.request_id": "req-failed-3",
        "error.type": "InternalServer"
      })
      expect(failed.status.code).toBe(SpanStatusCode.ERROR)
      const retries = failed.events.filter((e) => e.name === "byok.retry")
      expect(retries).toHaveLength(Number(failed.attributes["byok.attempts"]) - 1)
      expect(retries.map((e) => e.attributes)).toEqual<Array<Attributes>>([
        { "byok.attempt": 2, "error.type": "RateLimited", "http.response.status_code": 429, "byok.retry_after_ms": 1000 },
        { "byok.attempt": 3, "error.type": "InternalServer", "http.response.status_code": 500 }
      ])
    }))

  it.effect("httpClientSpans: the platform's http.client span is a child of the operation's span", () =>
    Effect.gen(function*() {
      const spans = (yield* Traces).withPlatform
      const platform = spans.filter((s) => s.name.startsWith("http.client"))
      // one per request: list, 3 pages, get, create, update, delete, 3 attempts of the failed get
      expect(platform.map((s) => s.name).sort(), tree(spans)).toEqual([
        "http.client DELETE",
        ...Array<string>(8).fill("http.client GET"),
        "http.client PATCH",
        "http.client POST"
      ])
      const byId = new Map(spans.map((s) => [spanId(s), s]))
      for (const span of platform) {
        const parent = byId.get(parentOf(span)?.spanId ?? "")
        expect(parent?.name, tree(spans)).toMatch(/^Byok\.(list|get|create|update|delete)$/)
        expect(parent!.attributes["http.request.method"]).toBe(span.attributes["http.request.method"])
        expect(span.attributes["url.path"]).toBe(`/api/v1${parent!.attributes["url.path"]}`)
        expect(span.spanContext().traceId).toBe(parent!.spanContext().traceId)
      }
      expect(childrenOf(spans, getOf(spans, 2)).map((s) => s.attributes["http.response.status_code"])).toEqual([429, 500, 500])
      // Header values the server chose are not recorded; the ones this client sets are.
      const patch = platform.find((s) => s.name === "http.client PATCH")!
      expect(patch.attributes["http.response.header.x-request-id"]).toBe("<redacted>")
      expect(patch.attributes["http.response.header.content-type"]).toBe("<redacted>")
      expect(patch.attributes["http.request.header.authorization"]).toBe("<redacted>")
      expect(patch.attributes["http.request.header.accept"]).toBe("application/json")
    }))

  it.effect("no exported span holds the management key, a provider key or a bearer token", () =>
    Effect.gen(function*() {
      const { plain, withPlatform } = yield* Traces
      for (const spans of [plain, withPlatform]) {
        expect(spans.length).toBeGreaterThan(10)
        expect(leaks(spans), tree(spans)).toEqual([])
      }
    }))

  it.effect("the leak search sees a secret in an attribute, an event, a status message or a link", () =>
    Effect.gen(function*() {
      // Guards the search itself: a serializer that dropped a field would pass every span.
      const planted = Effect.gen(function*() {
        const byok = yield* Byok
        yield* byok.get(fakeId(1)).pipe(Effect.tap(() => Effect.annotateCurrentSpan("leak", managementKey)), Effect.withSpan("in-attribute"))
        yield* Effect.withSpan(Effect.currentSpan.pipe(Effect.tap((span) => span.event("leak", 0n, { value: providerKey }))), "in-event")
        yield* Effect.ignore(Effect.withSpan(Effect.fail(new Error(`Bearer ${rotatedKey}`)), "in-status"))
        const linked = yield* Effect.withSpan(Effect.currentSpan, "linked")
        yield* Effect.withSpan(Effect.void, "in-link", { links: [{ _tag: "SpanLink", span: linked, attributes: { leak: managementKey } }] })
      })
      const spans = yield* exportedSpans(planted)
      expect(leaks(spans)).toEqual([
        `in-attribute: ${managementKey}`,
        `in-event: ${providerKey}`,
        `in-status: ${rotatedKey}`,
        "in-status: a Bearer value",
        `in-link: ${managementKey}`
      ])
    }))
})
