/**
 * Tracing through each line's OpenTelemetry bridge (`@effect/opentelemetry`), exported to memory:
 * one client span per operation under the caller's, one `Byok.list` per page under `Byok.stream`,
 * the attributes and retry events the README promises, the platform's span where asked for, and no
 * secret in anything an exporter would send.
 */
import assert from "node:assert/strict"
import { fakeId } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import { type Call, type ExportedSpan, secret } from "../driver.js"
import { exportedSpan, type ReadableSpanLike } from "../exportedSpans.js"
import { type Suite, test, withSession } from "../harness.js"

// Canaries: distinctive enough that finding one anywhere in a span can only be a leak.
const managementKey = "sk-or-v1-mgmt-canary-7f3a9c5e21d4"
const providerKey = "sk-prov-canary-create-4e1b8d0c93aa"
const rotatedKey = "sk-prov-canary-rotate-92c6aa17f0be"
const secrets = [managementKey, providerKey, rotatedKey]

/** The id the fake gives the tour's created credential: after the 25 seeded ones. */
const made = fakeId(26)

/**
 * Every operation once, a three-page stream, and a get that is retried twice and fails: first a 429
 * asking for a 1 s wait, then two 500s. The fake sends a request id only where a fault adds one; the
 * update's repeats the new key, as a careless server might.
 */
const tour: Call = {
  op: "sequence",
  span: "caller",
  calls: [
    { op: "list", options: { offset: 5, limit: 5 } },
    { op: "stream", options: { pageSize: 10 } },
    { op: "get", id: fakeId(1) },
    { op: "create", input: { provider: "openai", key: secret(providerKey), name: "Canary" } },
    { op: "update", id: made, input: { key: secret(rotatedKey) } },
    { op: "delete", id: made },
    { op: "get", id: fakeId(2) }
  ]
}

/** The tour's exported spans, with the client's platform span on or off. */
const tourSpans = (driver: Parameters<Suite["tests"][number]["run"]>[0], httpClientSpans: boolean) =>
  withSession(driver, {
    telemetry: true,
    fake: { seed: 25, apiKey: managementKey },
    // no delay between attempts, so no clock has to move except for the Retry-After
    client: { apiKey: secret(managementKey), retry: { recurs: 2 }, httpClientSpans }
  }, async (session, fake) => {
    fake.injectFault(faults.headers({ "x-request-id": "req-list" }), { operation: "list" })
    fake.injectFault(faults.headers({ "x-request-id": "req-get" }), { operation: "get" })
    fake.injectFault(faults.headers({ "x-request-id": "req-create" }), { operation: "create" })
    fake.injectFault(faults.headers({ "x-request-id": `req-update-${rotatedKey}` }), { operation: "update" })
    fake.injectFault(faults.headers({ "x-request-id": "req-delete" }), { operation: "delete" })
    fake.injectFault(faults.status(429, { headers: { "retry-after": "1", "x-request-id": "req-failed-1" } }), { operation: "get" })
    fake.injectFault(faults.status(500, { headers: { "x-request-id": "req-failed-2" } }), { operation: "get" })
    fake.injectFault(faults.status(500, { headers: { "x-request-id": "req-failed-3" } }), { operation: "get" })
    const running = session.start(tour)
    for (let i = 0; i < 10 && !running.ended(); i++) await session.advance(1_000)
    const outcome = await running.done
    assert.equal(outcome.exit._tag, "Success")
    const exits = (outcome.exit as { readonly value: ReadonlyArray<{ readonly _tag: string; readonly error?: { readonly _tag: string } }> }).value
    assert.deepEqual(exits.map((exit) => exit._tag), ["Success", "Success", "Success", "Success", "Success", "Success", "Failure"])
    assert.equal(exits[6]!.error?._tag, "InternalServer")
    return session.exportedSpans()
  })

/** The spans as an indented tree, for failure messages: a lost parent shows up as a second root. */
const tree = (spans: ReadonlyArray<ExportedSpan>): string => {
  const ids = new Set(spans.map((s) => s.spanId))
  const lines: Array<string> = []
  const walk = (span: ExportedSpan, depth: number) => {
    lines.push(`${"  ".repeat(depth)}${span.name} [${span.kind}] ${JSON.stringify(span.attributes)}`)
    for (const child of spans.filter((s) => s.parentSpanId === span.spanId)) walk(child, depth + 1)
  }
  for (const root of spans.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId))) walk(root, 0)
  return lines.join("\n")
}

/** The one span that `matches`; fails showing the whole tree otherwise. */
const one = (spans: ReadonlyArray<ExportedSpan>, what: string, matches: (span: ExportedSpan) => boolean) => {
  const found = spans.filter(matches)
  assert.equal(found.length, 1, `one span: ${what}\n${tree(spans)}`)
  return found[0]!
}
const only = (spans: ReadonlyArray<ExportedSpan>, name: string) => one(spans, name, (s) => s.name === name)
const getOf = (spans: ReadonlyArray<ExportedSpan>, n: number) =>
  one(spans, `Byok.get of ${fakeId(n)}`, (s) => s.name === "Byok.get" && s.attributes["url.path"] === `/byok/${fakeId(n)}`)
const childrenOf = (spans: ReadonlyArray<ExportedSpan>, parent: ExportedSpan) => spans.filter((s) => s.parentSpanId === parent.spanId)

/** Each canary, or an Authorization value, found in a span: `span name: what`. */
const leaks = (spans: ReadonlyArray<ExportedSpan>): ReadonlyArray<string> =>
  spans.flatMap((span) => {
    const found = secrets.filter((secret) => span.serialized.includes(secret)).map((secret) => `${span.name}: ${secret}`)
    return /bearer/i.test(span.serialized) ? [...found, `${span.name}: a Bearer value`] : found
  })

const operationNames = ["Byok.list", "Byok.stream", "Byok.get", "Byok.create", "Byok.update", "Byok.delete", "Byok.get"]

export const opentelemetry: Suite = {
  name: "tracing through @effect/opentelemetry",
  tests: [
    test("one client span per operation under the caller's span, one Byok.list per page under Byok.stream", async (driver) => {
      const spans = await tourSpans(driver, false)
      const caller = only(spans, "caller")
      assert.equal(caller.parentSpanId, undefined)
      // exported as they end, which for operations run one after another is the order they ran in
      const operations = childrenOf(spans, caller)
      assert.deepEqual(operations.map((s) => s.name), operationNames, tree(spans))
      for (const span of operations) {
        assert.equal(span.kind, "CLIENT", span.name)
        assert.equal(span.traceId, caller.traceId, span.name)
      }
      const stream = only(spans, "Byok.stream")
      assert.deepEqual([stream.attributes["byok.page.size"], stream.attributes["byok.concurrency"]], [10, 1])
      const pages = childrenOf(spans, stream)
      assert.deepEqual(pages.map((s) => [s.name, s.kind, s.attributes["byok.page.offset"], s.attributes["byok.page.limit"]]), [
        ["Byok.list", "CLIENT", 0, 10],
        ["Byok.list", "CLIENT", 10, 10],
        ["Byok.list", "CLIENT", 20, 10]
      ])
      for (const page of pages) assert.equal(page.traceId, caller.traceId, "a page's span is in the caller's trace")
      // the caller, 7 operations, 3 pages: nothing else, and nothing from the platform by default
      assert.equal(spans.length, 11, tree(spans))
    }),

    test("operation spans carry method, route, path, status, attempts and the scrubbed request id", async (driver) => {
      const spans = await tourSpans(driver, false)
      assert.deepEqual(one(spans, "the list", (s) => s.name === "Byok.list" && s.attributes["byok.page.offset"] === 5).attributes, {
        "http.request.method": "GET",
        "http.route": "/byok",
        "url.path": "/byok",
        "http.response.status_code": 200,
        "byok.attempts": 1,
        "byok.request_id": "req-list",
        "byok.page.offset": 5,
        "byok.page.limit": 5
      })
      assert.deepEqual(getOf(spans, 1).attributes, {
        "http.request.method": "GET",
        "http.route": "/byok/{id}",
        "url.path": `/byok/${fakeId(1)}`,
        "http.response.status_code": 200,
        "byok.attempts": 1,
        "byok.request_id": "req-get"
      })
      assert.deepEqual(only(spans, "Byok.create").attributes, {
        "http.request.method": "POST",
        "http.route": "/byok",
        "url.path": "/byok",
        "http.response.status_code": 201,
        "byok.attempts": 1,
        "byok.request_id": "req-create"
      })
      assert.deepEqual(only(spans, "Byok.update").attributes, {
        "http.request.method": "PATCH",
        "http.route": "/byok/{id}",
        "url.path": `/byok/${made}`,
        "http.response.status_code": 200,
        "byok.attempts": 1,
        "byok.request_id": "req-update-<redacted>"
      })
      assert.deepEqual(only(spans, "Byok.delete").attributes, {
        "http.request.method": "DELETE",
        "http.route": "/byok/{id}",
        "url.path": `/byok/${made}`,
        "http.response.status_code": 200,
        "byok.attempts": 1,
        "byok.request_id": "req-delete"
      })
      // the fake sends no request id unless told: pages carry none
      for (const page of childrenOf(spans, only(spans, "Byok.stream"))) {
        assert.equal(page.attributes["byok.request_id"], undefined)
        assert.deepEqual([page.attributes["http.response.status_code"], page.attributes["byok.attempts"]], [200, 1])
      }
      // Which status a success gets (OK or left unset) is the bridge's choice, not the client's: each
      // successful operation ends as the caller's own successful span does.
      const caller = only(spans, "caller")
      assert.notEqual(caller.status, "ERROR")
      for (const span of childrenOf(spans, caller).filter((s) => s !== getOf(spans, 2))) {
        assert.equal(span.status, caller.status, span.name)
        assert.deepEqual(span.events, [], span.name)
      }
    }),

    test("a retried failure: one byok.retry event per retry, the last attempt's status, error.type and ERROR status", async (driver) => {
      const spans = await tourSpans(driver, false)
      const failed = getOf(spans, 2)
      assert.deepEqual(failed.attributes, {
        "http.request.method": "GET",
        "http.route": "/byok/{id}",
        "url.path": `/byok/${fakeId(2)}`,
        "http.response.status_code": 500,
        "byok.attempts": 3,
        "byok.request_id": "req-failed-3",
        "error.type": "InternalServer"
      })
      assert.equal(failed.status, "ERROR")
      const retries = failed.events.filter((e) => e.name === "byok.retry")
      assert.deepEqual(retries.map((e) => e.attributes), [
        { "byok.attempt": 2, "error.type": "RateLimited", "http.response.status_code": 429, "byok.retry_after_ms": 1000 },
        { "byok.attempt": 3, "error.type": "InternalServer", "http.response.status_code": 500 }
      ])
    }),

    test("httpClientSpans: the platform's http.client span is a child of the operation's span", async (driver) => {
      const spans = await tourSpans(driver, true)
      const platform = spans.filter((s) => s.name.startsWith("http.client"))
      // one per request: list, 3 pages, get, create, update, delete, 3 attempts of the failed get
      assert.deepEqual(platform.map((s) => s.name).sort(), [
        "http.client DELETE",
        ...Array<string>(8).fill("http.client GET"),
        "http.client PATCH",
        "http.client POST"
      ], tree(spans))
      const byId = new Map(spans.map((s) => [s.spanId, s]))
      for (const span of platform) {
        const parent = byId.get(span.parentSpanId ?? "")
        assert.match(parent?.name ?? "", /^Byok\.(list|get|create|update|delete)$/, tree(spans))
        assert.equal(parent!.attributes["http.request.method"], span.attributes["http.request.method"])
        assert.equal(span.attributes["url.path"], `/api/v1${parent!.attributes["url.path"]}`)
        assert.equal(span.traceId, parent!.traceId)
      }
      assert.deepEqual(childrenOf(spans, getOf(spans, 2)).map((s) => s.attributes["http.response.status_code"]), [429, 500, 500])
      // Header values the server chose are not recorded; the ones this client sets are.
      const patch = platform.find((s) => s.name === "http.client PATCH")!
      assert.equal(patch.attributes["http.response.header.x-request-id"], "<redacted>")
      assert.equal(patch.attributes["http.response.header.content-type"], "<redacted>")
      assert.equal(patch.attributes["http.request.header.authorization"], "<redacted>")
      assert.equal(patch.attributes["http.request.header.accept"], "application/json")
    }),

    test("the leak search sees a secret in an attribute, an event, a status message, a link or the resource", async (driver) => {
      // Guards the search itself: a serializer that dropped a field, or read one where this line's
      // SDK does not put it, would pass every span. First spans the line's bridge exported...
      const exported = await withSession(driver, { telemetry: true }, async (session) => {
        await session.plantSpans({ attribute: managementKey, event: providerKey, status: `Bearer ${rotatedKey}`, link: managementKey })
        return session.exportedSpans()
      })
      assert.deepEqual(exported.map((s) => s.name), ["in-attribute", "in-event", "in-status", "linked", "in-link"])
      assert.deepEqual(leaks(exported), [
        `in-attribute: ${managementKey}`,
        `in-event: ${providerKey}`,
        `in-status: ${rotatedKey}`,
        "in-status: a Bearer value",
        `in-link: ${managementKey}`
      ])
      assert.ok(exported.every((s) => s.serialized.includes('"service.name"')), "the resource is read where this line's SDK puts it")
      // ...then the one field a caller cannot plant through the bridge, the resource, on a span made here.
      const span = (name: string, part: Partial<ReadableSpanLike>): ReadableSpanLike => ({
        name,
        kind: 0,
        spanContext: () => ({ traceId: "t", spanId: name }),
        attributes: {},
        events: [],
        status: { code: 0 },
        links: [],
        resource: { attributes: {} },
        instrumentationScope: { name: "test" },
        ...part
      })
      const planted = exportedSpan(span("in-resource", { resource: { attributes: { leak: providerKey } } }))
      assert.deepEqual(leaks([planted]), [`in-resource: ${providerKey}`])
    }),

    test("no exported span holds the management key, a provider key or a bearer token", async (driver) => {
      for (const httpClientSpans of [false, true]) {
        const spans = await tourSpans(driver, httpClientSpans)
        assert.ok(spans.length > 10)
        assert.deepEqual(leaks(spans), [], tree(spans))
      }
    })
  ]
}
