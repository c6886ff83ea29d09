/**
 * Randomized scenarios. fast-check drives them, with generators written from the contract's rules
 * (`arbitraries.ts`), so both lines meet the same cases. Together with the other suites these are
 * the bulk of the scenarios: see `numRuns` below.
 */
import fc from "fast-check"
import assert from "node:assert/strict"
import type { Operation } from "../../src/endpoints.js"
import { defaultWorkspaceId, fakeId } from "../../src/fake/fakeApi.js"
import { type Fault, faults } from "../../src/fake/faults.js"
import { createInput, plainKey, sample, updateInput } from "../arbitraries.js"
import { type Call, type Driver, type PlainKey, secret } from "../driver.js"
import {
  apiKeyText,
  assertNoLeaks,
  fakeSecrets,
  fullTier,
  makeTally,
  providerKeyText,
  seed,
  soleErrorOf,
  type Suite,
  test,
  valueOf,
  withSession
} from "../harness.js"
import { wireKey } from "../wireBodies.js"

const tally = makeTally("properties")

/** Generated cases per property in the full tier, where they sum to 10,000; the fast tier runs a twentieth. */
const fullRuns = {
  roundTrip: 2_200,
  responses: 1_800,
  streamFaults: 700,
  validCreate: 600,
  invalidInput: 4_700
} as const
const numRuns = fullTier ? fullRuns : {
  roundTrip: fullRuns.roundTrip / 20,
  responses: fullRuns.responses / 20,
  streamFaults: fullRuns.streamFaults / 20,
  validCreate: fullRuns.validCreate / 20,
  invalidInput: fullRuns.invalidInput / 20
}

/** Runs `check` on each value, naming the case that failed. */
const forEachCase = async <A>(values: ReadonlyArray<A>, check: (value: A, index: number) => Promise<void>) => {
  for (const [index, value] of values.entries()) {
    try {
      await check(value, index)
    } catch (error) {
      if (error instanceof Error) error.message = `case ${index} of ${values.length} (seed ${seed}): ${error.message}`
      throw error
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Every valid ByokKey round-trips: through the schema, and through the client's get.

const roundTrip = test(
  `every valid ByokKey encodes to JSON and decodes back equal, also through a get (${numRuns.roundTrip} keys)`,
  (driver) =>
    withSession(driver, { client: { retry: false } }, async (session, fake) => {
      await forEachCase(sample(plainKey, numRuns.roundTrip, seed), async (key: PlainKey) => {
        const wire = driver.encodeKey(key) as Record<string, unknown>
        const text = JSON.stringify(wire)
        const back = driver.decodeWireKey(JSON.parse(text))
        if (!back.ok) assert.fail(`a valid key did not decode back: ${back.message}`)
        assert.deepEqual(back.key, { ...key, name: key.name ?? null })
        assert.deepEqual(back.encoded, wire)
        assert.equal(Date.parse(back.key.createdAt), Date.parse(key.createdAt))
        // The wire form is snake_case, the model camelCase.
        assert.ok(Object.keys(wire).includes("created_at"))
        assert.ok(!Object.keys(wire).includes("createdAt"))

        fake.injectFault(faults.body(JSON.stringify({ data: wire })), { operation: "get" })
        const viaClient = await session.run({ op: "get", id: fakeId(1) })
        assert.deepEqual(valueOf(viaClient), back.key)
        assert.equal(viaClient.keysAreModels, true)
        tally.scenarios++
      })
    })
)

// ---------------------------------------------------------------------------------------------
// 2. Arbitrary statuses, content types and bodies: a value or a tagged error, never a defect.

const declared: Record<Operation, ReadonlyArray<number>> = {
  list: [400, 401, 500],
  get: [401, 404, 500],
  create: [400, 401, 403, 500],
  update: [400, 401, 404, 500],
  delete: [401, 404, 500]
}
const tagOfStatus: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  500: "InternalServer"
}
const methodOf: Record<Operation, string> = { list: "GET", get: "GET", create: "POST", update: "PATCH", delete: "DELETE" }
/** The one 2XX the contract gives each operation. */
const successStatus: Record<Operation, number> = { list: 200, get: 200, create: 201, update: 200, delete: 200 }

/** The oracle's own reading of the contract's bodies: JSON objects, not arrays, with these fields. */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
const has = (value: Record<string, unknown>, field: string) => Object.prototype.hasOwnProperty.call(value, field)

/** Whether `json` is the body the contract gives `op` on success, each credential as the line decodes one. */
const isSuccessBody = (driver: Driver, op: Operation, json: unknown): boolean => {
  if (!isRecord(json)) return false
  const decodes = (key: unknown) => driver.decodeWireKey(key).ok
  switch (op) {
    case "list":
      return has(json, "data") && Array.isArray(json.data) && json.data.every(decodes) &&
        has(json, "total_count") && typeof json.total_count === "number" && Number.isSafeInteger(json.total_count)
    case "get":
    case "create":
    case "update":
      return has(json, "data") && decodes(json.data)
    case "delete":
      return has(json, "deleted") && json.deleted === true
  }
}

/** `{ error: { code?: number, message: string, metadata?: null | object } }`. */
const isDocumentedError = (json: unknown): boolean => {
  if (!isRecord(json) || !has(json, "error") || !isRecord(json.error)) return false
  const error = json.error
  return (!has(error, "code") || typeof error.code === "number") &&
    has(error, "message") && typeof error.message === "string" &&
    (!has(error, "metadata") || error.metadata === null || isRecord(error.metadata))
}

const isJsonType = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json(?:\s*;.*)?$/i.test(contentType)
const parse = (text: string): { readonly ok: true; readonly json: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, json: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const validBodyOf = (op: Operation): Record<string, unknown> =>
  op === "list" ? { data: [wireKey(), wireKey({ id: "k2", provider: "brand-new" })], total_count: 2 } : op === "delete"
  ? { deleted: true }
  : { data: wireKey() }

const printable = fc.string({ unit: fc.constantFrom(..."abcXYZ019 -_.:;,/=+()<>@") })

const bodyArb = (op: Operation): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(JSON.stringify(validBodyOf(op))),
    // a valid body with one field replaced by arbitrary JSON
    fc.tuple(fc.constantFrom(...Object.keys(wireKey()), "total_count", "deleted", "data"), fc.jsonValue({ maxDepth: 3 }))
      .map(([field, value]) => {
        const body: any = validBodyOf(op)
        if (field in body) body[field] = value
        else if (Array.isArray(body.data)) body.data[0] = { ...body.data[0], [field]: value }
        else if (body.data) body.data = { ...body.data, [field]: value }
        return JSON.stringify(body)
      }),
    // a valid body with one field dropped
    fc.constantFrom(...Object.keys(wireKey())).map((field) => {
      const body: any = validBodyOf(op)
      if (Array.isArray(body.data)) delete body.data[0][field]
      else if (body.data) delete body.data[field]
      else delete body.deleted
      return JSON.stringify(body)
    }),
    // truncated
    fc.nat().map((n) => {
      const text = JSON.stringify(validBodyOf(op))
      return text.slice(0, n % text.length)
    }),
    // any JSON
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    // documented and almost-documented error bodies
    fc.record(
      {
        code: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constant("500"), fc.constant(null)),
        message: fc.oneof(fc.string(), fc.integer()),
        metadata: fc.oneof(
          fc.constant(null),
          fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
          fc.constant([1])
        )
      },
      { requiredKeys: [] }
    ).map((error) => JSON.stringify({ error })),
    // text, HTML, nothing
    fc.string(),
    fc.constant("<html><body><h1>502 Bad Gateway</h1></body></html>"),
    fc.constant("")
  )

interface Served {
  readonly op: Operation
  readonly status: number
  readonly body: string
  readonly contentType?: string | undefined
  readonly requestId?: string | undefined
  readonly retryAfter?: string | undefined
}

const responseArb: fc.Arbitrary<Served> = fc.constantFrom<Operation>("list", "get", "create", "update", "delete").chain((op) =>
  fc.record({
    op: fc.constant(op),
    status: fc.oneof(
      fc.integer({ min: 200, max: 599 }),
      fc.constantFrom(200, 201, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504)
    ),
    contentType: fc.option(
      fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "application/problem+json",
        "application/vnd.api+json",
        "text/html",
        "text/plain",
        "application/octet-stream",
        "application/jsonp"
      ),
      { nil: undefined }
    ),
    body: bodyArb(op),
    requestId: fc.option(printable, { nil: undefined }),
    retryAfter: fc.option(
      fc.oneof(fc.nat(100).map(String), printable, fc.constant("Wed, 21 Oct 2015 07:28:00 GMT")),
      { nil: undefined }
    )
  })
)

/** Statuses a response may not have a body with. */
const nullBodyStatuses = new Set([204, 205, 304])

/** The response as the server sends it: exactly these headers, this body. */
const served = (r: Served): Fault => {
  const headers: Record<string, string> = {}
  if (r.contentType !== undefined) headers["content-type"] = r.contentType
  if (r.requestId !== undefined) headers["x-request-id"] = r.requestId
  if (r.retryAfter !== undefined) headers["retry-after"] = r.retryAfter
  return { _tag: "Respond", status: r.status, headers, body: r.body, afterHandling: false }
}

const responses = test(
  `any status, content type and body gives a value or exactly one tagged error, as the contract says (${numRuns.responses} responses)`,
  (driver) =>
    withSession(driver, { client: { retry: false } }, async (session, fake) => {
      const id = fakeId(7)
      await fc.assert(
        fc.asyncProperty(responseArb, async (r) => {
          fake.injectFault(served(r), { times: 1 })
          const before = fake.requests().length
          const providerKey = providerKeyText(`resp-${tally.scenarios}`)
          const call: Call = {
            list: { op: "list", options: { limit: 10 } } as const,
            get: { op: "get", id } as const,
            create: { op: "create", input: { provider: "openai", key: secret(providerKey) } } as const,
            update: { op: "update", id, input: { key: secret(providerKey) } } as const,
            delete: { op: "delete", id } as const
          }[r.op]
          const outcome = await session.run(call)
          assert.equal(outcome.attemptTimes.length, 1)
          assert.equal(fake.requests().length - before, 1)

          // The oracle.
          const body = nullBodyStatuses.has(r.status) ? "" : r.body
          const json = parse(body)
          let expected: string
          if (r.status === successStatus[r.op]) {
            const ok = isJsonType(r.contentType) && json.ok && isSuccessBody(driver, r.op, json.json)
            expected = ok ? "success" : "DecodeError"
          } else if (r.status >= 200 && r.status < 300) {
            expected = "ApiError" // a 2XX the contract does not give this operation
          } else if (r.status === 429) {
            expected = "RateLimited"
          } else {
            const documented = json.ok && isDocumentedError(json.json)
            expected = documented && declared[r.op].includes(r.status) ? tagOfStatus[r.status]! : "ApiError"
          }

          if (expected === "success") {
            valueOf(outcome)
          } else {
            const error = soleErrorOf(outcome)
            assert.equal(error._tag, expected)
            assert.equal(error.status, r.status)
            assert.equal(error.method, methodOf[r.op])
            assert.equal(error.path, r.op === "list" || r.op === "create" ? "/byok" : `/byok/${id}`)
            if (r.requestId !== undefined) assert.equal(error.requestId, r.requestId.trim()) // header values are whitespace-trimmed
            // Every HTTP error carries a valid Retry-After, whatever its status.
            const httpError = r.status < 200 || r.status >= 300
            if (httpError && r.retryAfter !== undefined && /^\d+$/.test(r.retryAfter.trim())) {
              assert.equal(Number(error.retryAfterMillis) / 1000, Number(r.retryAfter.trim()))
            }
            if (r.retryAfter === undefined || !httpError) {
              assert.equal(error.retryAfter, undefined)
              assert.equal(error.retryAfterMillis, undefined)
            }
          }
          assertNoLeaks(outcome, [apiKeyText, providerKey], tally)
          tally.scenarios++
          tally.faults += expected === "success" ? 0 : 1
        }),
        { seed, numRuns: numRuns.responses }
      )
    })
)

// ---------------------------------------------------------------------------------------------
// 3. Random fault sequences during a stream: every key once, in order, or a tagged error after
//    an exact prefix. Never a duplicate, never a silent gap.

interface FaultKind {
  readonly name: string
  readonly fault: Fault | undefined
  /** The tag a list fails with when this fault is the last straw. */
  readonly tag: string
  readonly retryable: boolean
}
const faultKinds: ReadonlyArray<FaultKind> = [
  { name: "none", fault: undefined, tag: "", retryable: false },
  { name: "500", fault: faults.status(500), tag: "InternalServer", retryable: true },
  {
    name: "502 html",
    fault: faults.status(502, { body: "<html>502</html>", headers: { "content-type": "text/html" } }),
    tag: "ApiError",
    retryable: true
  },
  { name: "503", fault: faults.status(503), tag: "ApiError", retryable: true },
  { name: "504", fault: faults.status(504), tag: "ApiError", retryable: true },
  { name: "429", fault: faults.status(429), tag: "RateLimited", retryable: true },
  { name: "reset", fault: faults.reset(), tag: "TransportError", retryable: true },
  { name: "reset mid-body", fault: faults.resetMidBody, tag: "TransportError", retryable: true },
  { name: "refused", fault: faults.refuse, tag: "TransportError", retryable: true },
  { name: "400", fault: faults.status(400), tag: "BadRequest", retryable: false },
  { name: "401", fault: faults.status(401), tag: "Unauthorized", retryable: false },
  { name: "truncated", fault: faults.body('{"data":[{"id":'), tag: "DecodeError", retryable: false },
  {
    name: "wrong type",
    fault: faults.mapBody((wire) => ({ ...wire, total_count: "many" })),
    tag: "DecodeError",
    retryable: false
  }
]
const byName = new Map(faultKinds.map((k) => [k.name, k]))
const faultSequenceArb = fc.array(
  fc.oneof(
    { arbitrary: fc.constant("none"), weight: 6 },
    { arbitrary: fc.constantFrom(...faultKinds.filter((k) => k.retryable).map((k) => k.name)), weight: 5 },
    { arbitrary: fc.constantFrom(...faultKinds.filter((k) => !k.retryable && k.fault).map((k) => k.name)), weight: 1 }
  ),
  { maxLength: 16 }
)

const countNone = (faultNames: ReadonlyArray<string>, upTo: number) => {
  let none = 0
  for (let i = 0; i < upTo; i++) if ((faultNames[i] ?? "none") === "none") none++
  return none
}

/** What the stream must do: the offsets it requests, the keys it yields, and how it ends. */
const model = (total: number, pageSize: number, faultNames: ReadonlyArray<string>) => {
  const offsets: Array<number> = []
  let emitted = 0
  let offset = 0
  let request = 0
  for (;;) {
    let attempts = 0
    let failed: string | undefined
    for (;;) {
      const kind = byName.get(faultNames[request] ?? "none")!
      offsets.push(offset)
      request++
      attempts++
      if (kind.fault === undefined) break
      if (!kind.retryable || attempts === 4) {
        failed = kind.tag
        break
      }
    }
    if (failed !== undefined) return { offsets, emitted, tag: failed, faultsServed: request - countNone(faultNames, request) }
    const got = Math.min(pageSize, Math.max(0, total - offset))
    emitted += got
    if (got === 0 || got < pageSize || offset + got >= total) {
      return { offsets, emitted, tag: undefined, faultsServed: request - countNone(faultNames, request) }
    }
    offset += got
  }
}

const streamFaults = test(
  `random fault sequences: all keys exactly once in order, or a tagged error after an exact prefix (${numRuns.streamFaults} sequences)`,
  async (driver) => {
    const outcomes = { complete: 0, failed: 0 }
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: 3, max: 25 }),
        faultSequenceArb,
        (total, pageSize, faultNames) =>
          withSession(driver, { fake: { seed: total }, client: { retry: { recurs: 3 } } }, async (session, fake) => {
            const expected = model(total, pageSize, faultNames)
            for (const name of faultNames) {
              const kind = byName.get(name)!
              fake.injectFault(kind.fault ?? faults.mapBody((wire) => wire), { operation: "list", times: 1 })
            }
            const outcome = await session.run({ op: "stream", options: { pageSize } })
            const ids = fake.credentials().map((c) => c.wire.id)
            assert.deepEqual(fake.requests().map((r) => Number(r.query.offset)), expected.offsets)
            const emitted = outcome.emitted.map((k) => k.id)
            assert.deepEqual(emitted, ids.slice(0, expected.emitted))
            assert.equal(new Set(emitted).size, emitted.length)
            if (expected.tag === undefined) {
              assert.equal(outcome.exit._tag, "Success")
              assert.equal(emitted.length, total)
              outcomes.complete++
            } else {
              assert.equal(soleErrorOf(outcome)._tag, expected.tag)
              outcomes.failed++
            }
            assertNoLeaks(outcome, fakeSecrets(fake), tally)
            tally.scenarios++
            tally.faults += expected.faultsServed
          })
      ),
      { seed, numRuns: numRuns.streamFaults }
    )
    // Both endings were exercised, not just one.
    assert.ok(outcomes.complete > numRuns.streamFaults / 10, `complete: ${outcomes.complete}`)
    assert.ok(outcomes.failed > numRuns.streamFaults / 10, `failed: ${outcomes.failed}`)
  }
)

// ---------------------------------------------------------------------------------------------
// 4. Every valid create input is accepted, stored exactly once, and comes back as sent.

const validCreate = test(
  `every valid CreateByokKey is stored exactly once and returned as sent (${numRuns.validCreate} inputs)`,
  (driver) =>
    forEachCase(sample(createInput, numRuns.validCreate, seed), async (generated, n) => {
      const secretText = providerKeyText(`valid-${n}`)
      const input = { ...generated, key: secret(secretText) }
      await withSession(driver, { client: { retry: false } }, async (session, fake) => {
        const outcome = await session.run({ op: "create", input })
        const made: PlainKey = valueOf(outcome)
        const stored = fake.credentials()
        assert.equal(fake.requests().length, 1)
        assert.equal(stored.length, 1)
        assert.equal(stored[0]!.secret, secretText)
        tally.duplicates += Math.max(0, stored.length - 1)
        assert.equal(made.id, stored[0]!.wire.id)
        assert.equal(made.provider, input.provider)
        assert.equal(made.name ?? null, input.name ?? null)
        assert.equal(made.workspaceId, input.workspaceId ?? defaultWorkspaceId)
        assert.equal(made.disabled, input.disabled ?? false)
        assert.equal(made.isFallback, input.isFallback ?? false)
        assert.equal(made.isByokOnly, input.isByokOnly ?? false)
        assert.equal(made.isRequired, input.isRequired ?? false)
        assert.equal(made.declaredZdr, input.declaredZdr ?? null)
        assert.deepEqual(made.allowedModels, input.allowedModels ?? null)
        assert.deepEqual(made.allowedApiKeyHashes, input.allowedApiKeyHashes ?? null)
        assert.deepEqual(made.allowedUserIds, input.allowedUserIds ?? null)
        // The key went out in the body and never comes back.
        assert.ok(!JSON.stringify(driver.encodeKey(made)).includes(secretText))
        assertNoLeaks(outcome, [apiKeyText, secretText], tally)
        tally.scenarios++
      })
    })
)

// ---------------------------------------------------------------------------------------------
// 5. Invalid inputs: each is rejected with InvalidRequest, nothing is sent, the key never shows.

const slug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const notSlug = fc.string({ maxLength: 80 }).filter((s) => !slug.test(s) || s.length > 64)
const notUuid = fc.oneof(
  fc.string(),
  fc.uuid().map((u) => `${u}/../x`),
  fc.uuid().map((u) => ` ${u}`),
  fc.uuid().map((u) => u.slice(0, 35))
).filter((s) => !uuid.test(s))
const badName = fc.oneof(
  fc.constant(""),
  fc.string({ unit: fc.constantFrom(" ", "\u00a0", "\u2003"), minLength: 1, maxLength: 5 }),
  fc.tuple(fc.string(), fc.constantFrom("\u0000", "\n", "\r", "\t", "\u001b", "\u007f"), fc.string())
    .map(([a, c, b]) => a + c + b),
  fc.string({ minLength: 256, maxLength: 400 }).filter((s) => s.length > 255)
)
const badEntry = fc.oneof(
  fc.constant(""),
  fc.constantFrom("a b", "é", "日本", "x\u0000", "x\ny", "\t"),
  fc.string({ minLength: 257, maxLength: 300, unit: fc.constantFrom("a", "b") })
)
const badHash = fc.oneof(
  fc.string().filter((s) => !/^[a-f0-9]{64}$/.test(s)),
  fc.constant("A".repeat(64)),
  fc.constant("a".repeat(63))
)

/** A field made invalid. A `key` of `"PLAIN"` stands for the scenario's secret passed as a bare string. */
type Corruption = { readonly field: string; readonly patch: Record<string, unknown> }
const createCorruption: fc.Arbitrary<Corruption> = fc.oneof(
  notSlug.map((provider) => ({ field: "provider", patch: { provider } })),
  badName.map((name) => ({ field: "name", patch: { name } })),
  notUuid.map((workspaceId) => ({ field: "workspaceId", patch: { workspaceId } })),
  badEntry.map((entry) => ({ field: "allowedModels", patch: { allowedModels: ["openai/gpt-4o", entry] } })),
  badEntry.map((entry) => ({ field: "allowedUserIds", patch: { allowedUserIds: [entry] } })),
  fc.constant({ field: "allowedModels", patch: { allowedModels: Array.from({ length: 101 }, (_, i) => `m${i}`) } }),
  badHash.map((hash) => ({ field: "allowedApiKeyHashes", patch: { allowedApiKeyHashes: [hash] } })),
  fc.constant({ field: "allowedApiKeyHashes", patch: { allowedApiKeyHashes: [] } }),
  fc.constant({ field: "key", patch: { key: secret("") } }),
  fc.constant({ field: "key", patch: { key: "PLAIN" } }),
  fc.constant({ field: "isByokOnly", patch: { isFallback: true, isByokOnly: true } }),
  fc.constantFrom("yes", 1, null).map((disabled) => ({ field: "disabled", patch: { disabled } }))
)

type Target =
  | { readonly op: "create"; readonly corruption: Corruption; readonly base: Record<string, unknown> }
  | { readonly op: "update"; readonly corruption: Corruption; readonly base: Record<string, unknown>; readonly id: string }
  | { readonly op: "get" | "delete"; readonly id: string }
  | { readonly op: "update-id"; readonly id: string }
  | { readonly op: "list"; readonly options: Record<string, unknown> }
  | { readonly op: "stream"; readonly options: Record<string, unknown> }

const badListOptions = fc.oneof(
  fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 101 }), fc.constantFrom(1.5, Number.NaN, Infinity))
    .map((limit) => ({ limit })),
  fc.oneof(fc.integer({ max: -1 }), fc.constantFrom(0.5, Number.NaN, -Infinity)).map((offset) => ({ offset })),
  notSlug.map((provider) => ({ provider })),
  notUuid.map((workspaceId) => ({ workspaceId }))
)
const badStreamOptions = fc.oneof(
  fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 101 }), fc.constant(2.5)).map((pageSize) => ({ pageSize })),
  fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 17 })).map((concurrency) => ({ concurrency })),
  notSlug.map((provider) => ({ provider })),
  notUuid.map((workspaceId) => ({ workspaceId }))
)

/** One of `pool`, the line's own valid values. */
const oneOf = <A>(pool: ReadonlyArray<A>): fc.Arbitrary<A> => fc.nat({ max: pool.length - 1 }).map((i) => pool[i]!)

const targetArb = (creates: ReadonlyArray<Record<string, unknown>>, updates: ReadonlyArray<Record<string, unknown>>): fc.Arbitrary<Target> =>
  fc.oneof(
    { arbitrary: fc.record({ op: fc.constant("create" as const), corruption: createCorruption, base: oneOf(creates) }), weight: 4 },
    {
      arbitrary: fc.record({
        op: fc.constant("update" as const),
        corruption: createCorruption.filter((c) =>
          c.field !== "provider" && c.field !== "workspaceId" && !(c.field === "key" && c.patch.key === "PLAIN")
        ),
        base: oneOf(updates),
        id: fc.constant(fakeId(1))
      }),
      weight: 3
    },
    { arbitrary: fc.record({ op: fc.constantFrom("get" as const, "delete" as const), id: notUuid }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant("update-id" as const), id: notUuid }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant("list" as const), options: badListOptions }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant("stream" as const), options: badStreamOptions }), weight: 1 }
  )

/** The call a target makes, carrying `secretText` as its key, and the operation its error names. */
const callOfTarget = (target: Target, secretText: string): { readonly call: Call; readonly name: string } => {
  const withSecret = (patch: Record<string, unknown>) => patch.key === "PLAIN" ? { ...patch, key: secretText } : patch
  switch (target.op) {
    case "create":
      return {
        name: "create",
        call: { op: "create", input: { ...target.base, key: secret(secretText), ...withSecret(target.corruption.patch) } }
      }
    case "update":
      return {
        name: "update",
        call: { op: "update", id: target.id, input: { ...target.base, key: secret(secretText), ...withSecret(target.corruption.patch) } }
      }
    case "update-id":
      return { name: "update", call: { op: "update", id: target.id, input: { key: secret(secretText) } } }
    case "get":
    case "delete":
      return { name: target.op, call: { op: target.op, id: target.id } }
    case "list":
      return { name: "list", call: { op: "list", options: target.options } }
    case "stream":
      return { name: "stream", call: { op: "stream", options: target.options } }
  }
}

const invalidInputs = test(
  `invalid ids, options and bodies fail with InvalidRequest and send nothing; the key never shows (${numRuns.invalidInput} inputs)`,
  (driver) =>
    withSession(driver, { client: { retry: false } }, async (session, fake) => {
      const creates = sample(createInput, numRuns.invalidInput, seed)
      const updates = sample(updateInput, numRuns.invalidInput, seed)
      let n = 0
      await fc.assert(
        fc.asyncProperty(targetArb(creates, updates), async (target) => {
          const secretText = providerKeyText(`invalid-${n++}`)
          const { call, name } = callOfTarget(target, secretText)
          const before = fake.requests().length
          const outcome = await session.run(call)
          const error = soleErrorOf(outcome)
          assert.equal(error._tag, "InvalidRequest")
          assert.equal(error.operation, name)
          assert.ok(Array.isArray(error.issues) && error.issues.length > 0, "issues")
          assert.deepEqual(outcome.attemptTimes, [])
          assert.equal(fake.requests().length, before)
          assertNoLeaks(outcome, [apiKeyText, secretText], tally)
          tally.scenarios++
          tally.hostile++
        }),
        { seed, numRuns: numRuns.invalidInput }
      )
    })
)

export const properties: Suite = {
  name: "properties",
  tally,
  tests: [],
  groups: [
    { name: "ByokKey round-trips", tests: [roundTrip] },
    { name: "arbitrary responses", tests: [responses] },
    { name: "stream under random faults", tests: [streamFaults] },
    { name: "valid inputs", tests: [validCreate] },
    { name: "invalid inputs", tests: [invalidInputs] }
  ]
}
