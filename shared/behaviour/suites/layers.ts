/**
 * The client's layers and options: `layerConfig` reads its settings from the configuration,
 * unusable options fail the layer, a caller's `transformClient` reaches every request, each
 * operation runs in its span, and everything works over real HTTP, with the per-attempt deadline
 * on the live clock.
 */
import assert from "node:assert/strict"
import { fakeId, memoryBaseUrl } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import { type PlainKey, type PlainSpan, secret } from "../driver.js"
import { apiKeyText, errorOf, requestsOf, type Suite, test, valueOf, withSession } from "../harness.js"

const configured = [
  test("layerConfig reads the key, base URL, app headers and timeout from the configuration", async (driver) => {
    const fake = driver.makeFake({ apiKey: apiKeyText, seed: 3 })
    const opened = await driver.openFromConfig({
      fake,
      env: {
        OPENROUTER_API_KEY: apiKeyText,
        OPENROUTER_BASE_URL: memoryBaseUrl,
        OPENROUTER_APP_URL: "https://app.example",
        OPENROUTER_APP_TITLE: "App",
        OPENROUTER_APP_CATEGORIES: "a,b",
        OPENROUTER_TIMEOUT: "5 seconds"
      }
    })
    if (!("session" in opened)) assert.fail(`the layer failed: ${opened.failure.message}`)
    try {
      assert.equal(valueOf(await opened.session.run({ op: "list" })).totalCount, 3)
      const [sent] = requestsOf(fake, "list")
      assert.equal(sent!.authorized, true)
      assert.equal(sent!.headers["http-referer"], "https://app.example")
      assert.equal(sent!.headers["x-openrouter-title"], "App")
      assert.equal(sent!.headers["x-openrouter-categories"], "a,b")
    } finally {
      await opened.session.close()
    }
  }),

  test("a missing key fails the layer with a configuration error that names OPENROUTER_API_KEY", async (driver) => {
    const opened = await driver.openFromConfig({ fake: driver.makeFake(), env: { OPENROUTER_BASE_URL: memoryBaseUrl } })
    if (!("failure" in opened)) assert.fail("the layer was built without a key")
    assert.equal(opened.failure._tag, "ConfigError")
    assert.ok(opened.failure.texts.some((text) => text.includes("OPENROUTER_API_KEY")), "the failure names the variable")
  })
]

const options = [
  test("refuses plain http to a host that is not loopback, and other unusable options", async (driver) => {
    const fake = driver.makeFake()
    const refused = async (client: Parameters<typeof driver.layerFailure>[0]) => {
      const error = (await driver.layerFailure(client))?.error
      if (error === undefined) assert.fail(`built with ${JSON.stringify(client)}`)
      assert.equal(error._tag, "InvalidRequest")
      return error.message
    }
    assert.match(await refused({ fake, baseUrl: "http://openrouter.ai/api/v1" }), /plain http/)
    assert.match(await refused({ fake, baseUrl: "http://10.0.0.5/api/v1" }), /plain http/)
    assert.match(await refused({ fake, baseUrl: "ftp://example.com" }), /https/)
    assert.match(await refused({ fake, baseUrl: "https://user:pw@openrouter.ai/api/v1" }), /credentials/)
    assert.match(await refused({ fake, appTitle: "x\r\nInjected: 1" }), /appTitle/)
    assert.match(await refused({ fake, apiKey: secret("sk\nx") }), /apiKey/)
  }),

  test("accepts https anywhere and http on loopback", async (driver) => {
    const fake = driver.makeFake()
    for (const baseUrl of ["https://openrouter.ai/api/v1", "http://127.0.0.1:8080/api/v1", "http://localhost:1/x", "http://[::1]:9/api/v1/"]) {
      assert.equal(await driver.layerFailure({ fake, baseUrl }), undefined, baseUrl)
    }
  }),

  test("transformClient is applied to every request", (driver) =>
    withSession(driver, { fake: { seed: 1 }, client: { requestHeader: ["x-proxy-tag", "on"] } }, async (session, fake) => {
      valueOf(await session.run({ op: "get", id: fakeId(1) }))
      valueOf(await session.run({ op: "list" }))
      assert.deepEqual(fake.requests().map((r) => r.headers["x-proxy-tag"]), ["on", "on"])
    }))
]

/** The spans of a stream of 3 keys by 2, a get, and a get of a missing id, in the order they ended. */
const traced = (httpClientSpans: boolean) => async (driver: Parameters<Suite["tests"][number]["run"]>[0]) =>
  withSession(driver, { fake: { seed: 3 }, client: { httpClientSpans } }, async (session) => {
    const spans: Array<PlainSpan> = []
    for (const call of [{ op: "stream", options: { pageSize: 2 } }, { op: "get", id: fakeId(1) }, { op: "get", id: fakeId(9) }] as const) {
      spans.push(...(await session.run(call)).spans)
    }
    return spans
  })

const tracing = [
  test("each operation runs in a span named after it, with method, path, status and page offset", async (driver) => {
    const spans = await traced(false)(driver)
    const ours = spans.filter((s) => s.name.startsWith("Byok."))
    // in the order they ended: the stream's two pages, the stream, then each get
    assert.deepEqual(ours.map((s) => s.name), ["Byok.list", "Byok.list", "Byok.stream", "Byok.get", "Byok.get"])
    assert.ok(ours.every((s) => s.kind === "client"))
    const pages = ours.filter((s) => s.name === "Byok.list")
    // each page's span is a child of the stream's, in page order
    assert.deepEqual(pages.map((s) => s.parent), ["Byok.stream", "Byok.stream"])
    assert.deepEqual(pages.map((s) => s.attributes["byok.page.offset"]), [0, 2])
    const stream = ours.find((s) => s.name === "Byok.stream")!
    assert.deepEqual([stream.attributes["byok.page.size"], stream.attributes["byok.concurrency"]], [2, 1])
    const second = pages.find((s) => s.attributes["byok.page.offset"] === 2)!
    assert.deepEqual(
      Object.fromEntries(
        ["http.request.method", "http.route", "url.path", "http.response.status_code", "byok.page.offset", "byok.page.limit", "byok.attempts"]
          .map((name) => [name, second.attributes[name]])
      ),
      {
        "http.request.method": "GET",
        "http.route": "/byok",
        "url.path": "/byok",
        "http.response.status_code": 200,
        "byok.page.offset": 2,
        "byok.page.limit": 2,
        "byok.attempts": 1
      }
    )
    const missing = ours.find((s) => s.name === "Byok.get" && s.attributes["url.path"] === `/byok/${fakeId(9)}`)!
    assert.deepEqual(
      [missing.attributes["http.route"], missing.attributes["http.response.status_code"], missing.attributes["byok.attempts"], missing.attributes["error.type"]],
      ["/byok/{id}", 404, 1, "NotFound"]
    )
    assert.equal(missing.failed, true)
    // by default the platform's own client span is off: ours are the only ones
    assert.equal(spans.length, 5)
  }),

  test("httpClientSpans keeps the platform's client span, nested under ours", async (driver) => {
    const spans = await traced(true)(driver)
    const platform = spans.filter((s) => s.name.startsWith("http.client"))
    assert.equal(platform.length, 4)
    assert.ok(platform.every((s) => s.parent?.startsWith("Byok.")), JSON.stringify(platform.map((s) => s.parent)))
  })
]

const overLoopback = [
  test("every operation works over the loopback server", (driver) =>
    withSession(driver, { transport: "fetch", fake: { seed: 150 } }, async (session) => {
      assert.match(session.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/)
      const keys: ReadonlyArray<PlainKey> = valueOf(await session.run({ op: "stream", options: { pageSize: 100, concurrency: 2 } }))
      assert.equal(keys.length, 150)
      const made = valueOf(await session.run({ op: "create", input: { provider: "mistral", key: secret("sk-mistral-000111"), name: "Loopback" } }))
      assert.equal(valueOf(await session.run({ op: "get", id: made.id })).name, "Loopback")
      assert.equal(valueOf(await session.run({ op: "update", id: made.id, input: { key: secret("sk-mistral-222333") } })).label, "sk-...2333")
      valueOf(await session.run({ op: "delete", id: made.id }))
      assert.equal(errorOf(await session.run({ op: "get", id: made.id }))._tag, "NotFound")
      assert.equal(errorOf(await session.run({ op: "list", options: { provider: "not-a-provider" } }))._tag, "BadRequest")
    }), 30_000),

  test("the per-attempt deadline fires on the live clock, aborts the request, and is retried", (driver) =>
    withSession(driver, {
      transport: "fetch",
      clock: "live",
      fake: { seed: 1 },
      client: { timeoutMillis: 100, retry: { recurs: 1 } }
    }, async (session, fake) => {
      fake.injectFault(faults.hang, { operation: "get", times: 2 })
      const started = Date.now()
      const error = errorOf(await session.run({ op: "get", id: fakeId(1) }))
      assert.deepEqual([error._tag, error.reason], ["TransportError", "Timeout"])
      assert.ok(Date.now() - started >= 200, `${Date.now() - started} ms`)
      assert.equal(requestsOf(fake, "get").length, 2)
      // the next call gets an answer at once: nothing is left waiting
      assert.equal(valueOf(await session.run({ op: "get", id: fakeId(1) })).id, fakeId(1))
    }), 30_000),

  test("closing the loopback fake does not wait out the client's connections (a keep-alive lasts seconds)", async (driver) => {
    const fake = driver.makeFake({ apiKey: apiKeyText, seed: 1 })
    const session = await driver.open({ fake, transport: "fetch", clock: "live", client: { timeoutMillis: 100, retry: false } })
    // One request the fake never answers (the client gives up on it), one answered normally.
    fake.injectFault(faults.hang, { operation: "get", times: 1 })
    assert.equal(errorOf(await session.run({ op: "get", id: fakeId(1) })).reason, "Timeout")
    assert.equal(valueOf(await session.run({ op: "get", id: fakeId(1) })).id, fakeId(1))
    const started = Date.now()
    await session.close()
    const closing = Date.now() - started
    assert.ok(closing < 1_000, `closing took ${closing} ms`)
  }, 30_000)
]

export const layers: Suite = {
  name: "layers and options",
  tests: [],
  groups: [
    { name: "Byok.layerConfig", tests: configured },
    { name: "Byok.layer options", tests: options },
    { name: "tracing", tests: tracing },
    { name: "over real HTTP on 127.0.0.1", tests: overLoopback }
  ]
}
