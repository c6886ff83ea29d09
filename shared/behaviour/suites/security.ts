/**
 * Security: hostile inputs are rejected before anything is sent; redirects never carry the
 * credentials to another origin; plain http is refused off loopback; and the secret-leak search
 * covers servers that echo secrets back.
 */
import assert from "node:assert/strict"
import type { FakeApi } from "../../src/fake/fakeApi.js"
import { fakeId } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import { type Call, type ClientOptions, type Driver, type Outcome, type PlainError, secret } from "../driver.js"
import {
  apiKeyText,
  assertNoLeaks,
  errorOf,
  fakeSecrets,
  insertKey,
  makeTally,
  providerKeyText,
  type Suite,
  test,
  valueOf,
  withSession
} from "../harness.js"
import { rawServer, withRawServer } from "../servers.js"
import { wireKey } from "../wireBodies.js"

const tally = makeTally("security.full.test.ts")

// ---------------------------------------------------------------------------------------------
// Hostile inputs.

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
  readonly call: (value: string) => Call
  /** For an accepted value: what must be true of what was stored or sent. */
  readonly verify?: (fake: FakeApi, value: string, result: any) => void
}

const keyText = providerKeyText("hostile")
const key = secret(keyText)
const target = fakeId(1)

const storedName = (fake: FakeApi, value: string, result: any) => {
  const stored = fake.credentials().find((c) => c.wire.id === result.id)!
  assert.equal(stored.wire.name, value)
  assert.equal(result.name, value)
  const sent = fake.requests().at(-1)!
  assert.equal(sent.path, result.id === target ? `/api/v1/byok/${target}` : "/api/v1/byok")
  assert.deepEqual(sent.query, {})
}
const storedList = (field: "allowedModels" | "allowedUserIds") => (fake: FakeApi, value: string, result: any) => {
  const wireField = field === "allowedModels" ? "allowed_models" : "allowed_user_ids"
  const stored = fake.credentials().find((c) => c.wire.id === result.id)!
  assert.deepEqual(stored.wire[wireField], ["openai/gpt-4o", value])
  assert.deepEqual(result[field], ["openai/gpt-4o", value])
  assert.deepEqual(fake.requests().at(-1)!.query, {})
}

const inputFields: ReadonlyArray<InputField> = [
  { name: "get id", operation: "get", accepts: [], call: (v) => ({ op: "get", id: v }) },
  { name: "update id", operation: "update", accepts: [], call: (v) => ({ op: "update", id: v, input: { disabled: true } }) },
  { name: "delete id", operation: "delete", accepts: [], call: (v) => ({ op: "delete", id: v }) },
  { name: "list workspaceId", operation: "list", accepts: [], call: (v) => ({ op: "list", options: { workspaceId: v } }) },
  { name: "list provider", operation: "list", accepts: [], call: (v) => ({ op: "list", options: { provider: v } }) },
  { name: "stream workspaceId", operation: "stream", accepts: [], call: (v) => ({ op: "stream", options: { workspaceId: v } }) },
  { name: "stream provider", operation: "stream", accepts: [], call: (v) => ({ op: "stream", options: { provider: v } }) },
  { name: "create provider", operation: "create", accepts: [], call: (v) => ({ op: "create", input: { provider: v, key } }) },
  {
    name: "create workspaceId",
    operation: "create",
    accepts: [],
    call: (v) => ({ op: "create", input: { provider: "openai", key, workspaceId: v } })
  },
  {
    name: "create name",
    operation: "create",
    accepts: harmlessInText,
    call: (v) => ({ op: "create", input: { provider: "openai", key, name: v } }),
    verify: storedName
  },
  {
    name: "update name",
    operation: "update",
    accepts: harmlessInText,
    call: (v) => ({ op: "update", id: target, input: { name: v } }),
    verify: storedName
  },
  {
    name: "create allowedModels entry",
    operation: "create",
    accepts: harmlessInAllowlist,
    call: (v) => ({ op: "create", input: { provider: "openai", key, allowedModels: ["openai/gpt-4o", v] } }),
    verify: storedList("allowedModels")
  },
  {
    name: "update allowedModels entry",
    operation: "update",
    accepts: harmlessInAllowlist,
    call: (v) => ({ op: "update", id: target, input: { allowedModels: ["openai/gpt-4o", v] } }),
    verify: storedList("allowedModels")
  },
  {
    name: "create allowedUserIds entry",
    operation: "create",
    accepts: harmlessInAllowlist,
    call: (v) => ({ op: "create", input: { provider: "openai", key, allowedUserIds: ["openai/gpt-4o", v] } }),
    verify: storedList("allowedUserIds")
  },
  {
    name: "update allowedUserIds entry",
    operation: "update",
    accepts: harmlessInAllowlist,
    call: (v) => ({ op: "update", id: target, input: { allowedUserIds: ["openai/gpt-4o", v] } }),
    verify: storedList("allowedUserIds")
  },
  {
    name: "create allowedApiKeyHashes entry",
    operation: "create",
    accepts: [],
    call: (v) => ({ op: "create", input: { provider: "openai", key, allowedApiKeyHashes: [v] } })
  },
  {
    name: "update allowedApiKeyHashes entry",
    operation: "update",
    accepts: [],
    call: (v) => ({ op: "update", id: target, input: { allowedApiKeyHashes: [v] } })
  }
]

const hostileInputTests = inputFields.flatMap((field) =>
  hostile.map(([label, value]) => {
    const accepted = field.accepts.includes(label)
    return test(`${field.name} = ${label} → ${accepted ? "sent as plain JSON data, stored verbatim" : "InvalidRequest, nothing sent"}`, (driver) =>
      withSession(driver, { fake: { seed: 1 }, client: { retry: false } }, async (session, fake) => {
        const outcome = await session.run(field.call(value))
        const requests = fake.requests()
        if (accepted) {
          assert.equal(requests.length, 1)
          field.verify!(fake, value, valueOf(outcome))
        } else {
          const error = errorOf(outcome)
          assert.equal(error._tag, "InvalidRequest")
          assert.equal(error.operation, field.operation)
          assert.ok((error.issues as ReadonlyArray<string>).length > 0)
          assert.deepEqual(requests, [])
          // The rejected value is not quoted back (it may be anything, up to 10,000 characters).
          if (value.length > 3) assert.ok(!error.message.includes(value), "the message quotes the value")
          tally.hostile++
        }
        assertNoLeaks(outcome, [...fakeSecrets(fake), keyText], tally)
        tally.scenarios++
      }))
  })
)

/** The failure of building a client with `options`, recorded; fails the test if it builds. */
const layerFailureOf = async (driver: Driver, options: ClientOptions & { readonly fake: FakeApi }) => {
  const failure = await driver.layerFailure(options)
  assert.ok(failure !== undefined, "the client was built")
  assert.equal(failure.error.isError, true, "the error is an Error")
  return failure
}

interface HeaderField {
  readonly name: string
  readonly header: string | undefined
  readonly options: (value: string) => ClientOptions
  /** Categories are slugs such as `cli-agent`: anything else is refused, harmless in a header or not. */
  readonly slugOnly?: boolean
}
const headerFields: ReadonlyArray<HeaderField> = [
  { name: "apiKey", header: undefined, options: (v) => ({ apiKey: secret(v) }) },
  { name: "appUrl", header: "http-referer", options: (v) => ({ appUrl: v }) },
  { name: "appTitle", header: "x-openrouter-title", options: (v) => ({ appTitle: v }) },
  { name: "appCategories (string)", header: "x-openrouter-categories", options: (v) => ({ appCategories: v }), slugOnly: true },
  { name: "appCategories (array)", header: "x-openrouter-categories", options: (v) => ({ appCategories: ["cli", v] }), slugOnly: true }
]

const hostileHeaderTests = headerFields.flatMap((field) =>
  hostile.map(([label, value]) => {
    const accepted = harmlessInHeader.includes(label) && !field.slugOnly
    const secrets = [apiKeyText, ...(field.name === "apiKey" && value.length > 3 ? [value] : [])]
    return test(`${field.name} = ${label} → ${accepted ? "sent verbatim" : "the layer fails with InvalidRequest, nothing sent"}`, async (driver) => {
      const fake = driver.makeFake({ apiKey: apiKeyText, seed: 1 })
      const options = { retry: false, ...field.options(value) } as const
      if (accepted) {
        await withSession(driver, { fake, client: options }, async (session) => {
          const outcome = await session.run({ op: "list", options: { limit: 1 } })
          const requests = fake.requests()
          assert.equal(requests.length, 1)
          assert.equal(requests[0]!.path, "/api/v1/byok")
          if (field.header === undefined) {
            // Another bearer token: the fake refuses it, which proves it was sent as the token and nowhere else.
            assert.equal(requests[0]!.authorized, false)
            assert.equal(errorOf(outcome)._tag, "Unauthorized")
          } else {
            valueOf(outcome)
            assert.equal(requests[0]!.headers[field.header], field.name === "appCategories (array)" ? `cli,${value}` : value)
          }
          assertNoLeaks(outcome, secrets, tally)
        })
      } else {
        const failure = await layerFailureOf(driver, { fake, ...options })
        assert.equal(failure.error._tag, "InvalidRequest")
        assert.equal(failure.error.operation, "options")
        assert.deepEqual(fake.requests(), [])
        if (value.length > 3) assert.ok(!failure.error.message.includes(value), "the message quotes the value")
        tally.hostile++
        assertNoLeaks(failure, secrets, tally)
      }
      tally.scenarios++
    })
  })
)

// ---------------------------------------------------------------------------------------------
// Plain http only to loopback.

const refusedBaseUrls = [
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
const allowedBaseUrls = ["http://127.0.0.1:9/api/v1", "http://localhost:9/api/v1", "http://[::1]:9/api/v1", "https://openrouter.ai/api/v1"]

const plainHttpTests = [
  ...refusedBaseUrls.map((baseUrl) =>
    test(`${baseUrl} → InvalidRequest, the key is never sent`, async (driver) => {
      const fake = driver.makeFake({ apiKey: apiKeyText })
      const failure = await layerFailureOf(driver, { fake, baseUrl })
      assert.equal(failure.error._tag, "InvalidRequest")
      assert.equal(failure.error.operation, "options")
      assert.ok((failure.error.issues as ReadonlyArray<string>).some((i) => i.startsWith("baseUrl")))
      assert.deepEqual(fake.requests(), [])
      assertNoLeaks(failure, [apiKeyText, "user:pass"], tally)
      tally.scenarios++
      tally.hostile++
    })
  ),
  ...allowedBaseUrls.map((baseUrl) =>
    test(`${baseUrl} is allowed`, (driver) =>
      // In memory, whatever the host: the request reaches the fake, which answers `{}`.
      withSession(driver, { fake: { seed: 1 }, client: { baseUrl, retry: false } }, async (session, fake) => {
        fake.injectFault(faults.body("{}"), { operation: "delete" })
        const outcome = await session.run({ op: "delete", id: fakeId(1) })
        // Not a confirmed delete, but the request went out.
        assert.equal(errorOf(outcome)._tag, "DecodeError")
        assert.equal(fake.requests().length, 1)
        tally.scenarios++
      }))
  )
]

// ---------------------------------------------------------------------------------------------
// Redirects to another origin (the fake and a raw server, both on loopback).

type RedirectOp = "list" | "get" | "create" | "update" | "delete"
const redirectOps: ReadonlyArray<RedirectOp> = ["list", "get", "create", "update", "delete"]
/** Both Node transports: fetch must be told not to follow; undici's client never does. */
const transports = ["fetch", "undici"] as const

/** Runs one redirect cell: the fake answers `op` with a redirect to another origin, which answers anything. */
const redirectCell = async (driver: Driver, transport: typeof transports[number], status: number, op: RedirectOp) => {
  const other = await rawServer((request, response) => {
    const body = request.method === "DELETE"
      ? { deleted: true }
      : request.method === "GET" && /\/byok\/?$/.test(request.url.split("?")[0]!)
      ? { data: [wireKey({ name: "from the other origin" })], total_count: 1 }
      : { data: wireKey({ name: "from the other origin" }) }
    response.writeHead(request.method === "POST" ? 201 : 200, { "content-type": "application/json" })
    response.end(JSON.stringify(body))
  })
  try {
    const fake = driver.makeFake({ apiKey: apiKeyText })
    const providerKey = providerKeyText(`redirect-${status}-${op}`)
    const id = insertKey(fake, { provider: "openai", name: "target", secret: providerKeyText(`redirect-target-${status}-${op}`) })
    const path = op === "list" || op === "create" ? "/api/v1/byok" : `/api/v1/byok/${id}`
    fake.injectFault(faults.status(status, { headers: { location: `${other.origin}${path}` }, body: "" }), { operation: op, times: 8 })
    const before = fake.credentials().map((c) => [c.wire.id, c.wire.name])
    const calls: Readonly<Record<RedirectOp, Call>> = {
      list: { op: "list", options: { limit: 5 } },
      get: { op: "get", id },
      create: { op: "create", input: { provider: "openai", key: secret(providerKey), name: "redirected" } },
      update: { op: "update", id, input: { name: "redirected", key: secret(providerKey) } },
      delete: { op: "delete", id }
    }
    // The default attempt count with no delay: a redirect must not be retried, and nothing waits if it were.
    const outcome: Outcome = await withSession(driver, { fake, transport, client: { retry: { recurs: 3 } } }, (session) =>
      session.run(calls[op]))
    const after = fake.credentials().map((c) => [c.wire.id, c.wire.name])
    return { outcome, otherSeen: other.seen.slice(), before, after, id, providerKey, seen: fake.requests() }
  } finally {
    await other.close()
  }
}

const redirectTests = transports.flatMap((transport) =>
  [301, 302, 307, 308].flatMap((status) =>
    redirectOps.flatMap((op) => [
      test(
        `${transport}: ${op} answered ${status} → the other origin never receives Authorization, the API key or the provider key`,
        async (driver) => {
          const { otherSeen, outcome, providerKey } = await redirectCell(driver, transport, status, op)
          for (const request of otherSeen) {
            assert.equal(request.headers.authorization, undefined)
            const everything = JSON.stringify(request)
            assert.ok(!everything.includes(apiKeyText))
            assert.ok(!everything.includes(providerKey))
          }
          assertNoLeaks(outcome, [apiKeyText, providerKey], tally)
          tally.scenarios++
          tally.faults++
        }
      ),
      test(
        `${transport}: ${op} answered ${status} → not followed: ApiError ${status}, one attempt, the other origin sees nothing, nothing changes`,
        async (driver) => {
          const { after, before, id, otherSeen, outcome, seen } = await redirectCell(driver, transport, status, op)
          assert.deepEqual(otherSeen, [])
          const error = errorOf(outcome)
          assert.equal(error._tag, "ApiError")
          assert.equal(error.status, status)
          assert.equal(seen.length, 1)
          assert.equal(outcome.attemptTimes.length, 1)
          assert.deepEqual(after, before)
          assert.ok(after.some(([stored]) => stored === id))
          tally.scenarios++
        }
      )
    ])
  )
)

// ---------------------------------------------------------------------------------------------
// Where the secrets go on the wire, and servers that echo them back.

const wireTest = test("the API key travels only as the bearer token; the provider key only in the create/update body's `key`", (driver) =>
  withRawServer((request, response) => {
    const body = request.method === "DELETE"
      ? { deleted: true }
      : request.method === "GET" && request.url.split("?")[0]!.endsWith("/byok")
      ? { data: [], total_count: 0 }
      : { data: wireKey() }
    response.writeHead(request.method === "POST" ? 201 : 200, { "content-type": "application/json" })
    response.end(JSON.stringify(body))
  }, (wire) =>
    withSession(driver, {
      fake: { seed: 2 },
      transport: "fetch",
      client: { baseUrl: `${wire.origin}/api/v1`, retry: false, appTitle: "reliability" }
    }, async (session) => {
      const created = providerKeyText("wire-create")
      const rotated = providerKeyText("wire-rotate")
      const outcomes: Array<Outcome> = []
      for (
        const call of [
          { op: "list", options: { limit: 3, provider: "openai" } },
          { op: "get", id: fakeId(1) },
          { op: "create", input: { provider: "openai", key: secret(created) } },
          { op: "update", id: fakeId(1), input: { key: secret(rotated) } },
          { op: "delete", id: fakeId(1) }
        ] satisfies ReadonlyArray<Call>
      ) {
        const outcome = await session.run(call)
        valueOf(outcome)
        outcomes.push(outcome)
      }
      assert.deepEqual(wire.seen.map((r) => r.method), ["GET", "GET", "POST", "PATCH", "DELETE"])
      for (const request of wire.seen) {
        assert.equal(request.headers.authorization, `Bearer ${apiKeyText}`)
        const { authorization: _auth, ...otherHeaders } = request.headers
        assert.ok(!JSON.stringify(otherHeaders).includes(apiKeyText))
        assert.ok(!request.url.includes(apiKeyText))
        assert.ok(!request.url.includes("sk-proj"))
        assert.ok(!request.body.includes(apiKeyText))
        const body = request.body === "" ? undefined : JSON.parse(request.body)
        if (request.method === "POST") assert.equal(body.key, created)
        else if (request.method === "PATCH") assert.equal(body.key, rotated)
        else assert.equal(request.body, "")
        if (body !== undefined) {
          const { key: _key, ...rest } = body
          assert.ok(!JSON.stringify(rest).includes("sk-proj"))
        }
      }
      for (const outcome of outcomes) assertNoLeaks(outcome, [apiKeyText, created, rotated], tally)
      tally.scenarios++
    })))

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

const echoTests = echoes.map((echo) =>
  test(`${echo.name}: ${echo.tag}, and neither key appears in any output`, (driver) =>
    // In memory: the fake answers the update with the echo, whatever the update asked.
    withSession(driver, { fake: { seed: 1 }, client: { retry: false } }, async (session, fake) => {
      const providerKey = providerKeyText(`echo-${echo.name.length}`)
      const secrets = { apiKey: apiKeyText, providerKey }
      fake.injectFault(faults.status(echo.status, { body: echo.body(secrets), ...(echo.headers ? { headers: echo.headers(secrets) } : {}) }), {
        operation: "update"
      })
      const outcome = await session.run({ op: "update", id: fakeId(1), input: { key: secret(providerKey) } })
      const error: PlainError = errorOf(outcome)
      assert.equal(error._tag, echo.tag)
      assertNoLeaks(outcome, [apiKeyText, providerKey], tally)
      tally.scenarios++
      tally.faults++
    }))
)

export const security: Suite = {
  name: "security",
  tally,
  tests: [],
  groups: [
    { name: "hostile inputs to operations", tests: hostileInputTests },
    { name: "hostile header values in the client's options", tests: hostileHeaderTests },
    { name: "plain http:// is refused off loopback", tests: plainHttpTests },
    { name: "redirects to another origin", tests: redirectTests },
    { name: "secrets on the wire", tests: [wireTest] },
    { name: "a server that echoes the secrets back", tests: echoTests }
  ]
}
