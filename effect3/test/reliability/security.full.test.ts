/**
 * Security: hostile inputs are rejected before anything is sent; redirects never carry the
 * credentials to another origin; plain http is refused off loopback; and the secret-leak search
 * covers servers that echo secrets back.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { layer } from "@effect/vitest"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Schedule, Stream } from "effect"
import { Byok, type ByokOptions, type ByokService } from "../../src/index.js"
import { FakeByokApi, fakeId, Fault, memoryBaseUrl } from "../../src/testing.js"
import {
  API_KEY_TEXT,
  apiKey,
  countedClient,
  failureOf,
  fakeOptions,
  fakeSecrets,
  FakeByokServer,
  loopbackFake,
  makeTally,
  providerKeyText,
  rawServer,
  Recorder,
  stubHttpClient,
  valueOf,
  wireKey
} from "./support.js"

const tally = makeTally("security.full.test.ts")

// ---------------------------------------------------------------------------------------------
// Hostile inputs.
// ---------------------------------------------------------------------------------------------

const hostile = [
  ["../", "../"],
  ["%2e%2e/", "%2e%2e/"],
  ["?x=", "?x="],
  ["#", "#"],
  ["CR/LF", "ok\r\nX-Injected: 1"],
  ["NUL", "ok\u0000ok"],
  ["10,000 characters", "a".repeat(10_000)],
  ["empty", ""],
  ["whitespace", "   "],
  ["non-ASCII", "clé-日本-ü"]
] as const
type HostileName = typeof hostile[number][0]

/** Values that are plain data for a JSON body field: sent as JSON, never spliced into a URL. */
const harmlessInText: ReadonlyArray<HostileName> = ["../", "%2e%2e/", "?x=", "#", "non-ASCII"]
const harmlessInAllowlist: ReadonlyArray<HostileName> = ["../", "%2e%2e/", "?x=", "#"]
const harmlessInHeader: ReadonlyArray<HostileName> = ["../", "%2e%2e/", "?x=", "#"]

interface InputField {
  readonly name: string
  /** The operation name `InvalidRequest` reports. */
  readonly operation: string
  readonly accepts: ReadonlyArray<HostileName>
  readonly run: (byok: ByokService, value: string) => Effect.Effect<unknown, unknown>
  /** For an accepted value: what must be true of what was stored or sent. */
  readonly verify?: (value: string, result: unknown) => Effect.Effect<void, never, FakeByokApi>
}

const key = Redacted.make(providerKeyText("hostile"))
const target = fakeId(1)

const storedName = (value: string, result: any) =>
  Effect.gen(function*() {
    const fake = yield* FakeByokApi
    const stored = (yield* fake.credentials).find((c) => c.key.id === result.id)!
    expect(stored.key.name).toBe(value)
    expect(result.name).toBe(value)
    const sent = (yield* fake.requests).at(-1)!
    expect(sent.path).toBe(result.id === target ? `/api/v1/byok/${target}` : "/api/v1/byok")
    expect(sent.query).toEqual({})
  })
const storedList = (field: "allowedModels" | "allowedUserIds") => (value: string, result: any) =>
  Effect.gen(function*() {
    const fake = yield* FakeByokApi
    const stored = (yield* fake.credentials).find((c) => c.key.id === result.id)!
    expect(stored.key[field]).toEqual(["openai/gpt-4o", value])
    expect(result[field]).toEqual(["openai/gpt-4o", value])
    expect((yield* fake.requests).at(-1)!.query).toEqual({})
  })

const inputFields: ReadonlyArray<InputField> = [
  { name: "get id", operation: "get", accepts: [], run: (b, v) => b.get(v) },
  { name: "update id", operation: "update", accepts: [], run: (b, v) => b.update(v, { disabled: true }) },
  { name: "delete id", operation: "delete", accepts: [], run: (b, v) => b.delete(v) },
  { name: "list workspaceId", operation: "list", accepts: [], run: (b, v) => b.list({ workspaceId: v }) },
  { name: "list provider", operation: "list", accepts: [], run: (b, v) => b.list({ provider: v }) },
  { name: "stream workspaceId", operation: "stream", accepts: [], run: (b, v) => Stream.runDrain(b.stream({ workspaceId: v })) },
  { name: "stream provider", operation: "stream", accepts: [], run: (b, v) => Stream.runDrain(b.stream({ provider: v })) },
  { name: "create provider", operation: "create", accepts: [], run: (b, v) => b.create({ provider: v, key }) },
  { name: "create workspaceId", operation: "create", accepts: [], run: (b, v) => b.create({ provider: "openai", key, workspaceId: v }) },
  {
    name: "create name",
    operation: "create",
    accepts: harmlessInText,
    run: (b, v) => b.create({ provider: "openai", key, name: v }),
    verify: storedName
  },
  {
    name: "update name",
    operation: "update",
    accepts: harmlessInText,
    run: (b, v) => b.update(target, { name: v }),
    verify: storedName
  },
  {
    name: "create allowedModels entry",
    operation: "create",
    accepts: harmlessInAllowlist,
    run: (b, v) => b.create({ provider: "openai", key, allowedModels: ["openai/gpt-4o", v] }),
    verify: storedList("allowedModels")
  },
  {
    name: "update allowedModels entry",
    operation: "update",
    accepts: harmlessInAllowlist,
    run: (b, v) => b.update(target, { allowedModels: ["openai/gpt-4o", v] }),
    verify: storedList("allowedModels")
  },
  {
    name: "create allowedUserIds entry",
    operation: "create",
    accepts: harmlessInAllowlist,
    run: (b, v) => b.create({ provider: "openai", key, allowedUserIds: ["openai/gpt-4o", v] }),
    verify: storedList("allowedUserIds")
  },
  {
    name: "update allowedUserIds entry",
    operation: "update",
    accepts: harmlessInAllowlist,
    run: (b, v) => b.update(target, { allowedUserIds: ["openai/gpt-4o", v] }),
    verify: storedList("allowedUserIds")
  },
  {
    name: "create allowedApiKeyHashes entry",
    operation: "create",
    accepts: [],
    run: (b, v) => b.create({ provider: "openai", key, allowedApiKeyHashes: [v] })
  },
  {
    name: "update allowedApiKeyHashes entry",
    operation: "update",
    accepts: [],
    run: (b, v) => b.update(target, { allowedApiKeyHashes: [v] })
  }
]

describe("hostile inputs to operations", () => {
  for (const field of inputFields) {
    for (const [label, value] of hostile) {
      const accepted = field.accepts.includes(label)
      it.effect(`${field.name} = ${label} → ${accepted ? "sent as plain JSON data, stored verbatim" : "InvalidRequest, nothing sent"}`, () =>
        Effect.gen(function*() {
          const fake = yield* FakeByokApi
          const byok = yield* Byok
          const recorder = new Recorder()
          const exit = yield* recorder.observe(field.run(byok, value))
          const requests = yield* fake.requests
          if (accepted) {
            expect(requests.length).toBe(1)
            yield* field.verify!(value, valueOf(exit))
          } else {
            const error: any = failureOf(exit)
            expect(error._tag).toBe("InvalidRequest")
            expect(error.operation).toBe(field.operation)
            expect(error.issues.length).toBeGreaterThan(0)
            expect(requests).toEqual([])
            // The rejected value is not quoted back (it may be anything, up to 10,000 characters).
            if (value.length > 3) expect(error.message).not.toContain(value)
            tally.hostile++
          }
          recorder.expectNoLeaks([...(yield* fakeSecrets), Redacted.value(key)], tally)
          tally.scenarios++
        }).pipe(Effect.provide(FakeByokApi.layerByok({ client: { retry: false }, fake: fakeOptions({ seed: 1 }) }))))
    }
  }
})

interface HeaderField {
  readonly name: string
  readonly header: string | undefined
  readonly options: (value: string) => Partial<ByokOptions>
  /** Categories are slugs such as `cli-agent`: anything else is refused, harmless in a header or not. */
  readonly slugOnly?: boolean
}
const headerFields: ReadonlyArray<HeaderField> = [
  { name: "apiKey", header: undefined, options: (v) => ({ apiKey: Redacted.make(v) }) },
  { name: "appUrl", header: "http-referer", options: (v) => ({ appUrl: v }) },
  { name: "appTitle", header: "x-openrouter-title", options: (v) => ({ appTitle: v }) },
  { name: "appCategories (string)", header: "x-openrouter-categories", options: (v) => ({ appCategories: v }), slugOnly: true },
  { name: "appCategories (array)", header: "x-openrouter-categories", options: (v) => ({ appCategories: ["cli", v] }), slugOnly: true }
]

const withFakeMemory = FakeByokApi.layerHttpClient.pipe(Layer.provideMerge(FakeByokApi.layer(fakeOptions({ seed: 1 }))))

describe("hostile header values in the client's options", () => {
  for (const field of headerFields) {
    for (const [label, value] of hostile) {
      const accepted = harmlessInHeader.includes(label) && !field.slugOnly
      it.effect(`${field.name} = ${label} → ${accepted ? "sent verbatim" : "the layer fails with InvalidRequest, nothing sent"}`, () =>
        Effect.gen(function*() {
          const fake = yield* FakeByokApi
          const recorder = new Recorder()
          const exit = yield* recorder.observe(
            Effect.flatMap(
              Byok.make({ apiKey, baseUrl: memoryBaseUrl, retry: false, ...field.options(value) }),
              (byok) => byok.list({ limit: 1 })
            )
          )
          const requests = yield* fake.requests
          if (accepted) {
            expect(requests.length).toBe(1)
            expect(requests[0]!.path).toBe("/api/v1/byok")
            if (field.header === undefined) {
              // Another bearer token: the fake refuses it, which proves it was sent as the token and nowhere else.
              expect(requests[0]!.authorized).toBe(false)
              expect((failureOf(exit) as any)._tag).toBe("Unauthorized")
            } else {
              valueOf(exit)
              const sent = requests[0]!.headers[field.header]
              expect(sent).toBe(field.name === "appCategories (array)" ? `cli,${value}` : value)
            }
          } else {
            const error: any = failureOf(exit)
            expect(error._tag).toBe("InvalidRequest")
            expect(error.operation).toBe("options")
            expect(requests).toEqual([])
            if (value.length > 3) expect(error.message).not.toContain(value)
            tally.hostile++
          }
          recorder.expectNoLeaks([API_KEY_TEXT, ...(field.name === "apiKey" && value.length > 3 ? [value] : [])], tally)
          tally.scenarios++
        }).pipe(Effect.provide(withFakeMemory)))
    }
  }
})

// ---------------------------------------------------------------------------------------------
// Plain http only to loopback.
// ---------------------------------------------------------------------------------------------

describe("plain http:// is refused off loopback", () => {
  const counting = () => {
    let sent = 0
    return {
      sent: () => sent,
      layer: stubHttpClient(() => {
        sent++
        return new Response("{}", { status: 200, headers: { "content-type": "application/json" } })
      })
    }
  }
  const refused = [
    "http://example.com/api/v1",
    "http://openrouter.ai/api/v1",
    "http://10.0.0.1/api/v1",
    "http://192.168.1.10:8080/api/v1",
    "http://0.0.0.0:8080/api/v1",
    "http://127.0.0.1.nip.io/api/v1",
    "http://localhost.evil.test/api/v1",
    "http://[::ffff:a00:1]/api/v1",
    "http://[2001:db8::1]/api/v1",
    "ftp://127.0.0.1/api/v1",
    "file:///etc/passwd",
    "https://user:pass@openrouter.ai/api/v1",
    "https://openrouter.ai/api/v1?x=1",
    "not a url"
  ]
  for (const baseUrl of refused) {
    it.effect(`${baseUrl} → InvalidRequest, the key is never sent`, () =>
      Effect.gen(function*() {
        const stub = counting()
        const recorder = new Recorder()
        const exit = yield* recorder.observe(
          Effect.flatMap(Byok.make({ apiKey, baseUrl }), (byok) => byok.list()).pipe(Effect.provide(stub.layer))
        )
        const error: any = failureOf(exit)
        expect(error._tag).toBe("InvalidRequest")
        expect(error.operation).toBe("options")
        expect(error.issues.some((i: string) => i.startsWith("baseUrl"))).toBe(true)
        expect(stub.sent()).toBe(0)
        recorder.expectNoLeaks([API_KEY_TEXT, "user:pass"], tally)
        tally.scenarios++
        tally.hostile++
      }))
  }
  for (const baseUrl of ["http://127.0.0.1:9/api/v1", "http://localhost:9/api/v1", "http://[::1]:9/api/v1", "https://openrouter.ai/api/v1"]) {
    it.effect(`${baseUrl} is allowed`, () =>
      Effect.gen(function*() {
        const stub = counting()
        const exit = yield* Effect.exit(
          Effect.flatMap(Byok.make({ apiKey, baseUrl, retry: false }), (byok) => byok.delete(fakeId(1))).pipe(Effect.provide(stub.layer))
        )
        // The stub answers `{}`: not a confirmed delete, but the request went out.
        expect((failureOf(exit) as any)._tag).toBe("DecodeError")
        expect(stub.sent()).toBe(1)
        tally.scenarios++
      }))
  }
})

// ---------------------------------------------------------------------------------------------
// Redirects to another origin (two loopback servers).
// ---------------------------------------------------------------------------------------------

type RedirectOp = "list" | "get" | "create" | "update" | "delete"
const redirectOps: ReadonlyArray<RedirectOp> = ["list", "get", "create", "update", "delete"]
/** The default's attempt count with no delay: a redirect must not be retried, and nothing waits if it were. */
const retryNow = Schedule.recurs(3)
/**
 * Both Node transports: fetch must be told not to follow; undici's client never does. The undici
 * client owns a connection pool, so it lives as long as the suite's layer, not one cell.
 */
const transports = [
  ["fetch", Effect.succeed(FetchHttpClient.layer)],
  ["undici", Effect.map(HttpClient.HttpClient, (client) => Layer.succeed(HttpClient.HttpClient, client))]
] as const
type Transport = typeof transports[number]

/** The other origin answers whatever it is asked with a body the client would accept. */
const otherOrigin = rawServer((request, response) => {
  const body = request.method === "DELETE"
    ? { deleted: true }
    : request.method === "GET" && /\/byok\/?$/.test(request.url.split("?")[0]!)
    ? { data: [wireKey({ name: "from the other origin" })], total_count: 1 }
    : { data: wireKey({ name: "from the other origin" }) }
  response.writeHead(request.method === "POST" ? 201 : 200, { "content-type": "application/json" })
  response.end(JSON.stringify(body))
})

const redirectCell = (status: number, op: RedirectOp, [, transport]: Transport) =>
  Effect.gen(function*() {
    const fake = yield* FakeByokApi
    const server = yield* FakeByokServer
    const other = yield* otherOrigin
    const providerKey = providerKeyText(`redirect-${status}-${op}`)
    const id = yield* fake.insert({ provider: "openai", name: "target", secret: providerKeyText(`redirect-target-${status}-${op}`) })
    yield* fake.clearRequests
    yield* fake.clearFaults
    const path = op === "list" || op === "create" ? "/api/v1/byok" : `/api/v1/byok/${id}`
    yield* fake.injectFault(Fault.status(status, { headers: { location: `${other.origin}${path}` }, body: "" }), {
      operation: op,
      times: 8
    })
    const client = yield* countedClient({ baseUrl: server.baseUrl, retry: retryNow }, yield* transport)
    const byok = client.byok
    const before = yield* fake.credentials
    const recorder = new Recorder()
    const exit = yield* recorder.observe(
      {
        list: byok.list({ limit: 5 }),
        get: byok.get(id),
        create: byok.create({ provider: "openai", key: Redacted.make(providerKey), name: "redirected" }),
        update: byok.update(id, { name: "redirected", key: Redacted.make(providerKey) }),
        delete: byok.delete(id)
      }[op] as Effect.Effect<unknown, unknown>
    )
    const after = yield* fake.credentials
    return { exit, other, recorder, before, after, id, providerKey, client, seen: yield* fake.requests }
  }).pipe(Effect.scoped)

layer(Layer.merge(loopbackFake(), NodeHttpClient.layerUndici), { excludeTestServices: true })("redirects to another origin", (it) => {
  for (const transport of transports) {
  for (const status of [301, 302, 307, 308]) {
    for (const op of redirectOps) {
      it.effect(`${transport[0]}: ${op} answered ${status} → the other origin never receives Authorization, the API key or the provider key`, () =>
        Effect.gen(function*() {
          const { other, providerKey, recorder } = yield* redirectCell(status, op, transport)
          for (const request of other.seen) {
            expect(request.headers.authorization).toBeUndefined()
            const everything = JSON.stringify(request)
            expect(everything).not.toContain(API_KEY_TEXT)
            expect(everything).not.toContain(providerKey)
          }
          recorder.expectNoLeaks([API_KEY_TEXT, providerKey], tally)
          tally.scenarios++
          tally.faults++
        }))

      it.effect(`${transport[0]}: ${op} answered ${status} → not followed: ApiError ${status}, one attempt, the other origin sees nothing, nothing changes`, () =>
        Effect.gen(function*() {
          const { after, before, client, exit, id, other, seen } = yield* redirectCell(status, op, transport)
          expect(other.seen).toEqual([])
          const error: any = failureOf(exit)
          expect(error._tag).toBe("ApiError")
          expect(error.status).toBe(status)
          expect(seen.length).toBe(1)
          expect(client.attempts()).toBe(1)
          expect(after.map((c) => [c.key.id, c.key.name])).toEqual(before.map((c) => [c.key.id, c.key.name]))
          expect(after.some((c) => c.key.id === id)).toBe(true)
          tally.scenarios++
        }))
    }
  }
  }
})

// ---------------------------------------------------------------------------------------------
// Where the secrets go on the wire, and servers that echo them back.
// ---------------------------------------------------------------------------------------------

layer(loopbackFake({ seed: 2 }), { excludeTestServices: true })("secrets on the wire", (it) => {
  it.effect("the API key travels only as the bearer token; the provider key only in the create/update body's `key`", () =>
    Effect.gen(function*() {
      const wire = yield* rawServer((request, response) => {
        const body = request.method === "DELETE"
          ? { deleted: true }
          : request.method === "GET" && request.url.split("?")[0]!.endsWith("/byok")
          ? { data: [], total_count: 0 }
          : { data: wireKey() }
        response.writeHead(request.method === "POST" ? 201 : 200, { "content-type": "application/json" })
        response.end(JSON.stringify(body))
      })
      const { byok } = yield* countedClient({ baseUrl: `${wire.origin}/api/v1`, retry: false, appTitle: "reliability" })
      const created = providerKeyText("wire-create")
      const rotated = providerKeyText("wire-rotate")
      const recorder = new Recorder()
      yield* recorder.observe(
        Effect.all([
          byok.list({ limit: 3, provider: "openai" }),
          byok.get(fakeId(1)),
          byok.create({ provider: "openai", key: Redacted.make(created) }),
          byok.update(fakeId(1), { key: Redacted.make(rotated) }),
          byok.delete(fakeId(1))
        ])
      )
      expect(wire.seen.map((r) => r.method)).toEqual(["GET", "GET", "POST", "PATCH", "DELETE"])
      for (const request of wire.seen) {
        expect(request.headers.authorization).toBe(`Bearer ${API_KEY_TEXT}`)
        const { authorization: _auth, ...otherHeaders } = request.headers
        expect(JSON.stringify(otherHeaders)).not.toContain(API_KEY_TEXT)
        expect(request.url).not.toContain(API_KEY_TEXT)
        expect(request.url).not.toContain("sk-proj")
        expect(request.body).not.toContain(API_KEY_TEXT)
        const body = request.body === "" ? undefined : JSON.parse(request.body)
        if (request.method === "POST") expect(body.key).toBe(created)
        else if (request.method === "PATCH") expect(body.key).toBe(rotated)
        else expect(request.body).toBe("")
        if (body !== undefined) {
          const { key: _key, ...rest } = body
          expect(JSON.stringify(rest)).not.toContain("sk-proj")
        }
      }
      recorder.expectNoLeaks([API_KEY_TEXT, created, rotated], tally)
      tally.scenarios++
    }).pipe(Effect.scoped))
})

interface Echo {
  readonly name: string
  readonly status: number
  readonly headers?: (secrets: { apiKey: string; providerKey: string }) => Record<string, string>
  readonly body: (secrets: { apiKey: string; providerKey: string }) => string
  readonly tag: string
}

const echoes: ReadonlyArray<Echo> = [
  {
    name: "in the documented error message",
    status: 400,
    body: (s) => JSON.stringify({ error: { code: 400, message: `key ${s.providerKey} rejected for token ${s.apiKey}` } }),
    tag: "BadRequest"
  },
  {
    name: "in the error metadata",
    status: 400,
    body: (s) =>
      JSON.stringify({ error: { code: 400, message: "bad key", metadata: { raw: { key: s.providerKey, auth: `Bearer ${s.apiKey}` } } } }),
    tag: "BadRequest"
  },
  {
    name: "in an HTML error page",
    status: 502,
    headers: () => ({ "content-type": "text/html" }),
    body: (s) => `<html><body>upstream said: ${s.providerKey} / ${s.apiKey}</body></html>`,
    tag: "ApiError"
  },
  {
    name: "in the x-request-id header",
    status: 500,
    headers: (s) => ({ "x-request-id": `req-${s.apiKey}` }),
    body: () => JSON.stringify({ error: { code: 500, message: "Internal Server Error" } }),
    tag: "InternalServer"
  },
  {
    name: "in a 2XX body field of the wrong type (the DecodeError message)",
    status: 200,
    body: (s) => JSON.stringify({ data: { ...wireKey(), disabled: s.providerKey, sort_order: s.apiKey } }),
    tag: "DecodeError"
  },
  {
    name: "in a 2XX body field that is missing its neighbours (the DecodeError message)",
    status: 200,
    body: (s) => JSON.stringify({ data: { label: s.providerKey, id: s.apiKey } }),
    tag: "DecodeError"
  },
  {
    name: "in a 2XX body under a non-JSON content type",
    status: 200,
    headers: () => ({ "content-type": "text/plain" }),
    body: (s) => `${s.providerKey} ${s.apiKey}`,
    tag: "DecodeError"
  }
]

describe("a server that echoes the secrets back", () => {
  for (const echo of echoes) {
    it.effect(`${echo.name}: ${echo.tag}, and neither key appears in any output`, () =>
      Effect.gen(function*() {
        const providerKey = providerKeyText(`echo-${echo.name.length}`)
        const secrets = { apiKey: API_KEY_TEXT, providerKey }
        const client = yield* countedClient(
          { baseUrl: memoryBaseUrl, retry: false },
          stubHttpClient(() =>
            new Response(new TextEncoder().encode(echo.body(secrets)), {
              status: echo.status,
              headers: { "content-type": "application/json", ...echo.headers?.(secrets) }
            })
          )
        )
        const recorder = new Recorder()
        const exit = yield* recorder.observe(client.byok.update(fakeId(1), { key: Redacted.make(providerKey) }))
        expect((failureOf(exit) as any)._tag).toBe(echo.tag)
        recorder.expectNoLeaks([API_KEY_TEXT, providerKey], tally)
        tally.scenarios++
        tally.faults++
      }))
  }
})
