import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Chunk, ConfigProvider, Effect, Layer, Redacted, Schedule, Stream } from "effect"
import { Byok } from "../src/index.js"
import { FakeByokApi, FakeByokServer, fakeId, Fault, memoryBaseUrl } from "../src/testing.js"
import { requestsOf } from "./support.js"
import { makeTelemetry } from "./telemetry.js"

const withEnv = (env: Record<string, string>) => Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

/** `Byok.layerConfig()` over the in-memory fake, with the given environment. */
const configured = (env: Record<string, string>) =>
  Byok.layerConfig().pipe(
    Layer.provide(FakeByokApi.layerHttpClient),
    Layer.provideMerge(FakeByokApi.layer({ seed: 3 })),
    Layer.provide(withEnv(env))
  )

describe("Byok.layerConfig", () => {
  it.effect("reads the key, base URL, app headers and timeout from the environment", () =>
    Effect.gen(function*() {
      const page = yield* Effect.flatMap(Byok, (byok) => byok.list())
      expect(page.totalCount).toBe(3)
      const [sent] = yield* requestsOf("list")
      expect(sent!.authorized).toBe(true)
      expect(sent!.headers).toMatchObject({ "http-referer": "https://app.example", "x-openrouter-title": "App", "x-openrouter-categories": "a,b" })
    }).pipe(Effect.provide(configured({
      OPENROUTER_API_KEY: "sk-or-v1-fake-management-key",
      OPENROUTER_BASE_URL: memoryBaseUrl,
      OPENROUTER_APP_URL: "https://app.example",
      OPENROUTER_APP_TITLE: "App",
      OPENROUTER_APP_CATEGORIES: "a,b",
      OPENROUTER_TIMEOUT: "5 seconds"
    }))))

  it.effect("a missing key fails the layer with a ConfigError that names OPENROUTER_API_KEY", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(configured({ OPENROUTER_BASE_URL: memoryBaseUrl })).pipe(Effect.scoped))
      expect(exit._tag).toBe("Failure")
      expect(String(exit)).toContain("OPENROUTER_API_KEY")
    }))
})

describe("Byok.layer options", () => {
  const build = (options: Partial<Parameters<typeof Byok.layer>[0]>) =>
    Layer.build(Byok.layer({ apiKey: Redacted.make("sk-x"), ...options }).pipe(Layer.provide(FetchHttpClient.layer))).pipe(
      Effect.scoped,
      Effect.flip,
      Effect.map((error) => error.message)
    )

  it.effect("refuses plain http to a host that is not loopback", () =>
    Effect.gen(function*() {
      expect(yield* build({ baseUrl: "http://openrouter.ai/api/v1" })).toContain("plain http")
      expect(yield* build({ baseUrl: "http://10.0.0.5/api/v1" })).toContain("plain http")
      expect(yield* build({ baseUrl: "ftp://example.com" })).toContain("https")
      expect(yield* build({ baseUrl: "https://user:pw@openrouter.ai/api/v1" })).toContain("credentials")
      expect(yield* build({ appTitle: "x\r\nInjected: 1" })).toContain("appTitle")
      expect(yield* build({ apiKey: Redacted.make("sk\nx") })).toContain("apiKey")
    }))

  it.effect("accepts https anywhere and http on loopback", () =>
    Effect.gen(function*() {
      for (const baseUrl of ["https://openrouter.ai/api/v1", "http://127.0.0.1:8080/api/v1", "http://localhost:1/x", "http://[::1]:9/api/v1/"]) {
        const exit = yield* Effect.exit(
          Layer.build(Byok.layer({ apiKey: Redacted.make("sk-x"), baseUrl }).pipe(Layer.provide(FetchHttpClient.layer))).pipe(Effect.scoped)
        )
        expect(exit._tag, baseUrl).toBe("Success")
      }
    }))

  it.effect("transformClient is applied to every request", () =>
    Effect.gen(function*() {
      yield* Effect.flatMap(Byok, (byok) => byok.get(fakeId(1)))
      const [sent] = yield* requestsOf("get")
      expect(sent!.headers["x-proxy-tag"]).toBe("on")
    }).pipe(Effect.provide(Layer.fresh(FakeByokApi.layerByok({
      fake: { seed: 1 },
      client: { transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("x-proxy-tag", "on")) }
    })))))
})

describe("tracing", () => {
  const traced = (client: { readonly httpClientSpans?: boolean }) =>
    Effect.gen(function*() {
      const telemetry = yield* makeTelemetry
      yield* Effect.gen(function*() {
        const byok = yield* Byok
        yield* Stream.runDrain(byok.stream({ pageSize: 2 }))
        yield* byok.get(fakeId(1))
        yield* Effect.either(byok.get(fakeId(9)))
      }).pipe(Effect.provide(Layer.fresh(FakeByokApi.layerByok({ fake: { seed: 3 }, client }))), Effect.provide(telemetry.layer))
      return telemetry.spans()
    })

  it.effect("each operation runs in a span named after it, with method, path, status and page offset", () =>
    Effect.gen(function*() {
      const spans = yield* traced({})
      const ours = spans.filter((s) => s.name.startsWith("Byok."))
      expect(ours.map((s) => s.name)).toEqual(["Byok.stream", "Byok.list", "Byok.list", "Byok.get", "Byok.get"])
      expect(ours.every((s) => s.kind === "client")).toBe(true)
      // each page's span is a child of the stream's
      expect(ours.slice(1, 3).map((s) => s.parentName)).toEqual(["Byok.stream", "Byok.stream"])
      expect(Object.fromEntries(ours[0]!.attributes)).toMatchObject({ "byok.page.size": 2, "byok.concurrency": 1 })
      expect(Object.fromEntries(ours[2]!.attributes)).toMatchObject({
        "http.request.method": "GET",
        "http.route": "/byok",
        "url.path": "/byok",
        "http.response.status_code": 200,
        "byok.page.offset": 2,
        "byok.page.limit": 2,
        "byok.attempts": 1
      })
      expect(Object.fromEntries(ours[4]!.attributes)).toMatchObject({
        "http.route": "/byok/{id}",
        "url.path": `/byok/${fakeId(9)}`,
        "http.response.status_code": 404,
        "byok.attempts": 1,
        "error.type": "NotFound"
      })
      // by default the platform's own client span is off: ours are the only ones
      expect(spans).toHaveLength(5)
    }))

  it.effect("httpClientSpans keeps the platform's client span, nested under ours", () =>
    Effect.gen(function*() {
      const spans = yield* traced({ httpClientSpans: true })
      const platform = spans.filter((s) => s.name.startsWith("http.client"))
      expect(platform).toHaveLength(4)
      expect(platform.every((s) => s.parentName?.startsWith("Byok."))).toBe(true)
    }))
})

/** The fake on 127.0.0.1 and the real client over fetch, shared by the tests below. */
const overLoopback = Layer.unwrapEffect(Effect.gen(function*() {
  const fake = yield* FakeByokApi
  const server = yield* FakeByokServer
  return Byok.layer({ apiKey: fake.apiKey, baseUrl: server.baseUrl })
})).pipe(
  Layer.provideMerge(FakeByokApi.layerServer()),
  Layer.provideMerge(FakeByokApi.layer({ seed: 150 })),
  Layer.provide(FetchHttpClient.layer)
)

layer(overLoopback, { timeout: 30_000 })("over real HTTP on 127.0.0.1", (it) => {
  it.effect("every operation works over the loopback server", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const server = yield* FakeByokServer
      expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/)
      const keys = yield* Stream.runCollect(byok.stream({ pageSize: 100, concurrency: 2 }))
      expect(Chunk.size(keys)).toBe(150)
      const made = yield* byok.create({ provider: "mistral", key: Redacted.make("sk-mistral-000111"), name: "Loopback" })
      expect((yield* byok.get(made.id)).name).toBe("Loopback")
      expect((yield* byok.update(made.id, { key: Redacted.make("sk-mistral-222333") })).label).toBe("sk-...2333")
      yield* byok.delete(made.id)
      expect((yield* Effect.flip(byok.get(made.id)))._tag).toBe("NotFound")
      expect((yield* Effect.flip(byok.list({ provider: "not-a-provider" })))._tag).toBe("BadRequest")
    }))
})

layer(overLoopback, { excludeTestServices: true })("a hung server on a real socket, on real time", (it) => {
  it.effect("the per-attempt deadline fires on the live clock, aborts the request, and is retried", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const server = yield* FakeByokServer
      yield* fake.injectFault(Fault.hang, { operation: "get", times: 2 })
      const byok = yield* Byok.make({ apiKey: fake.apiKey, baseUrl: server.baseUrl, timeout: "100 millis", retry: Schedule.recurs(1) })
      const started = Date.now()
      const error = yield* Effect.flip(byok.get(fakeId(1)))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      expect(Date.now() - started).toBeGreaterThanOrEqual(200)
      expect((yield* requestsOf("get")).length).toBe(2)
      // the next call gets an answer at once: nothing is left waiting
      expect((yield* byok.get(fakeId(1))).id).toBe(fakeId(1))
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
