/**
 * Randomized scenarios. `FastCheck` (re-exported by `effect`) drives them and `Arbitrary.make`
 * generates values from the library's own Schemas. Together with the other files these are the
 * bulk of the suite's scenarios: see `numRuns` below.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Duration, Effect, Either, Exit, FastCheck, Redacted, Runtime, Schedule, Schema, Stream } from "effect"
import {
  Byok,
  ByokKey,
  ByokKeyFromWire,
  type ByokService,
  CreateByokKey,
  type ListByokKeys,
  type StreamByokKeys,
  UpdateByokKey
} from "../../src/index.js"
import { FakeByokApi, type Fault as FaultT, Fault, fakeId } from "../../src/testing.js"
import {
  API_KEY_TEXT,
  countedClient,
  expectTaggedError,
  failureOf,
  fakeOptions,
  fullTier,
  makeTally,
  providerKeyText,
  Recorder,
  stubHttpClient,
  valueOf,
  wireKey
} from "./support.js"

const tally = makeTally("properties.test.ts")

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

const memoryBaseUrl = "https://byok.reliability.invalid/api/v1"

/** Runs `self` on the test's runtime from inside a fast-check predicate. */
const runner = Effect.map(Effect.runtime<never>(), (runtime) => <A, E>(self: Effect.Effect<A, E>) => Runtime.runPromise(runtime)(self))

// ---------------------------------------------------------------------------------------------
// 1. Every valid ByokKey round-trips: through the schema, and through the client's get.
// ---------------------------------------------------------------------------------------------

describe("ByokKey round-trips", () => {
  it.effect(`every valid ByokKey encodes to JSON and decodes back equal, also through byok.get (${numRuns.roundTrip} keys)`, () =>
    Effect.gen(function*() {
      const run = yield* runner
      const encode = Schema.encodeSync(ByokKeyFromWire)
      const decode = Schema.decodeUnknownSync(ByokKeyFromWire)
      let served = ""
      const { byok } = yield* countedClient(
        { baseUrl: memoryBaseUrl, retry: false },
        stubHttpClient(() =>
          new Response(new TextEncoder().encode(served), { status: 200, headers: { "content-type": "application/json" } })
        )
      )
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(Arbitrary.make(ByokKey), async (key) => {
            const wire = encode(key)
            const text = JSON.stringify(wire)
            const back = decode(JSON.parse(text))
            expect(back).toBeInstanceOf(ByokKey)
            expect(encode(back)).toEqual(wire)
            expect(back.createdAt.getTime()).toBe(key.createdAt.getTime())
            // The wire form is snake_case, the model camelCase.
            expect(Object.keys(wire)).toContain("created_at")
            expect(Object.keys(wire)).not.toContain("createdAt")

            served = JSON.stringify({ data: wire })
            const viaClient = await run(byok.get(fakeId(1)))
            expect(encode(viaClient)).toEqual(wire)
            tally.scenarios++
          }),
          { numRuns: numRuns.roundTrip }
        )
      )
    }))
})

// ---------------------------------------------------------------------------------------------
// 2. Arbitrary statuses, content types and bodies: a value or a tagged error, never a defect.
// ---------------------------------------------------------------------------------------------

type Op = "list" | "get" | "create" | "update" | "delete"
const declared: Record<Op, ReadonlyArray<number>> = {
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
const methodOf: Record<Op, string> = { list: "GET", get: "GET", create: "POST", update: "PATCH", delete: "DELETE" }
/** The one 2XX the contract gives each operation. */
const successStatus: Record<Op, number> = { list: 200, get: 200, create: 201, update: 200, delete: 200 }

/** The oracle's own reading of the contract's bodies. */
const successBody: Record<Op, Schema.Schema<any, any>> = {
  list: Schema.Struct({ data: Schema.Array(ByokKeyFromWire), total_count: Schema.Int }),
  get: Schema.Struct({ data: ByokKeyFromWire }),
  create: Schema.Struct({ data: ByokKeyFromWire }),
  update: Schema.Struct({ data: ByokKeyFromWire }),
  delete: Schema.Struct({ deleted: Schema.Literal(true) })
}
const documentedError = Schema.Struct({
  error: Schema.Struct({
    code: Schema.optional(Schema.Number),
    message: Schema.String,
    metadata: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
  })
})
const isJsonType = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json(?:\s*;.*)?$/i.test(contentType)
const parse = (text: string): Either.Either<unknown, void> => {
  try {
    return Either.right(JSON.parse(text))
  } catch {
    return Either.left(undefined)
  }
}

const validBodyOf = (op: Op): Record<string, unknown> =>
  op === "list" ? { data: [wireKey(), wireKey({ id: "k2", provider: "brand-new" })], total_count: 2 } : op === "delete"
  ? { deleted: true }
  : { data: wireKey() }

const printable = FastCheck.string({ unit: FastCheck.constantFrom(..."abcXYZ019 -_.:;,/=+()<>@") })

const bodyArb = (op: Op): FastCheck.Arbitrary<string> =>
  FastCheck.oneof(
    FastCheck.constant(JSON.stringify(validBodyOf(op))),
    // a valid body with one field replaced by arbitrary JSON
    FastCheck.tuple(FastCheck.constantFrom(...Object.keys(wireKey()), "total_count", "deleted", "data"), FastCheck.jsonValue({ maxDepth: 3 }))
      .map(([field, value]) => {
        const body: any = validBodyOf(op)
        if (field in body) body[field] = value
        else if (Array.isArray(body.data)) body.data[0] = { ...body.data[0], [field]: value }
        else if (body.data) body.data = { ...body.data, [field]: value }
        return JSON.stringify(body)
      }),
    // a valid body with one field dropped
    FastCheck.constantFrom(...Object.keys(wireKey())).map((field) => {
      const body: any = validBodyOf(op)
      if (Array.isArray(body.data)) delete body.data[0][field]
      else if (body.data) delete body.data[field]
      else delete body.deleted
      return JSON.stringify(body)
    }),
    // truncated
    FastCheck.nat().map((n) => {
      const text = JSON.stringify(validBodyOf(op))
      return text.slice(0, n % text.length)
    }),
    // any JSON
    FastCheck.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    // documented and almost-documented error bodies
    FastCheck.record(
      {
        code: FastCheck.oneof(FastCheck.integer({ min: 100, max: 599 }), FastCheck.constant("500"), FastCheck.constant(null)),
        message: FastCheck.oneof(FastCheck.string(), FastCheck.integer()),
        metadata: FastCheck.oneof(
          FastCheck.constant(null),
          FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue({ maxDepth: 3 })),
          FastCheck.constant([1])
        )
      },
      { requiredKeys: [] }
    ).map((error) => JSON.stringify({ error })),
    // text, HTML, nothing
    FastCheck.string(),
    FastCheck.constant("<html><body><h1>502 Bad Gateway</h1></body></html>"),
    FastCheck.constant("")
  )

const responseArb = FastCheck.constantFrom<Op>("list", "get", "create", "update", "delete").chain((op) =>
  FastCheck.record({
    op: FastCheck.constant(op),
    status: FastCheck.oneof(
      FastCheck.integer({ min: 200, max: 599 }),
      FastCheck.constantFrom(200, 201, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504)
    ),
    contentType: FastCheck.option(
      FastCheck.constantFrom(
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
    requestId: FastCheck.option(printable, { nil: undefined }),
    retryAfter: FastCheck.option(
      FastCheck.oneof(FastCheck.nat(100).map(String), printable, FastCheck.constant("Wed, 21 Oct 2015 07:28:00 GMT")),
      { nil: undefined }
    )
  })
)

const nullBodyStatuses = new Set([204, 205, 304])

interface Served {
  readonly status: number
  readonly body: string
  readonly contentType?: string | undefined
  readonly requestId?: string | undefined
  readonly retryAfter?: string | undefined
}

describe("arbitrary responses", () => {
  it.effect(`any status, content type and body gives a value or exactly one tagged error, as the contract says (${numRuns.responses} responses)`, () =>
    Effect.gen(function*() {
      const run = yield* runner
      let current: Served = { status: 200, body: "" }
      const client = yield* countedClient(
        { baseUrl: memoryBaseUrl, retry: false },
        stubHttpClient(() => {
          const r = current
          const headers: Record<string, string> = {}
          if (r.contentType !== undefined) headers["content-type"] = r.contentType
          if (r.requestId !== undefined) headers["x-request-id"] = r.requestId
          if (r.retryAfter !== undefined) headers["retry-after"] = r.retryAfter
          return new Response(nullBodyStatuses.has(r.status) ? null : new TextEncoder().encode(r.body), {
            status: r.status,
            headers
          })
        })
      )
      const byok: ByokService = client.byok
      const id = fakeId(7)
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(responseArb, async (r) => {
            current = r
            const before = client.attempts()
            const providerKey = providerKeyText(`resp-${tally.scenarios}`)
            const operation: Effect.Effect<unknown, unknown> = {
              list: byok.list({ limit: 10 }),
              get: byok.get(id),
              create: byok.create({ provider: "openai", key: Redacted.make(providerKey) }),
              update: byok.update(id, { key: Redacted.make(providerKey) }),
              delete: byok.delete(id)
            }[r.op]
            const recorder = new Recorder()
            const exit = await run(recorder.observe(operation))
            expect(client.attempts() - before).toBe(1)

            // The oracle.
            const body = nullBodyStatuses.has(r.status) ? "" : r.body
            const json = parse(body)
            let expected: string
            if (r.status === successStatus[r.op]) {
              const ok = isJsonType(r.contentType) && Either.isRight(json) &&
                Either.isRight(Schema.decodeUnknownEither(successBody[r.op])(json.right))
              expected = ok ? "success" : "DecodeError"
            } else if (r.status >= 200 && r.status < 300) {
              expected = "ApiError" // a 2XX the contract does not give this operation
            } else if (r.status === 429) {
              expected = "RateLimited"
            } else {
              const documented = Either.isRight(json) && Either.isRight(Schema.decodeUnknownEither(documentedError)(json.right))
              expected = documented && declared[r.op].includes(r.status) ? tagOfStatus[r.status]! : "ApiError"
            }

            if (expected === "success") {
              valueOf(exit)
            } else {
              const error: any = expectTaggedError(failureOf(exit))
              expect(error._tag).toBe(expected)
              expect(error.status).toBe(r.status)
              expect(error.method).toBe(methodOf[r.op])
              expect(error.path).toBe(r.op === "list" || r.op === "create" ? "/byok" : `/byok/${id}`)
              if (r.requestId !== undefined) expect(error.requestId).toBe(r.requestId.trim()) // header values are whitespace-trimmed
              // Every HTTP error carries a valid Retry-After, whatever its status.
              const httpError = r.status < 200 || r.status >= 300
              if (httpError && r.retryAfter !== undefined && /^\d+$/.test(r.retryAfter.trim())) {
                expect(Duration.toSeconds(error.retryAfter)).toBe(Number(r.retryAfter.trim()))
              }
              if (r.retryAfter === undefined || !httpError) expect(error.retryAfter).toBeUndefined()
            }
            recorder.expectNoLeaks([API_KEY_TEXT, providerKey], tally)
            tally.scenarios++
            tally.faults += expected === "success" ? 0 : 1
          }),
          { numRuns: numRuns.responses }
        )
      )
    }))
})

// ---------------------------------------------------------------------------------------------
// 3. Random fault sequences during a stream: every key once, in order, or a tagged error after
//    an exact prefix. Never a duplicate, never a silent gap.
// ---------------------------------------------------------------------------------------------

interface FaultKind {
  readonly name: string
  readonly fault: FaultT | undefined
  /** The tag a list fails with when this fault is the last straw. */
  readonly tag: string
  readonly retryable: boolean
}
const faultKinds: ReadonlyArray<FaultKind> = [
  { name: "none", fault: undefined, tag: "", retryable: false },
  { name: "500", fault: Fault.status(500), tag: "InternalServer", retryable: true },
  {
    name: "502 html",
    fault: Fault.status(502, { body: "<html>502</html>", headers: { "content-type": "text/html" } }),
    tag: "ApiError",
    retryable: true
  },
  { name: "503", fault: Fault.status(503), tag: "ApiError", retryable: true },
  { name: "504", fault: Fault.status(504), tag: "ApiError", retryable: true },
  { name: "429", fault: Fault.status(429), tag: "RateLimited", retryable: true },
  { name: "reset", fault: Fault.reset(), tag: "TransportError", retryable: true },
  { name: "reset mid-body", fault: Fault.resetMidBody, tag: "TransportError", retryable: true },
  { name: "refused", fault: Fault.refuse, tag: "TransportError", retryable: true },
  { name: "400", fault: Fault.status(400), tag: "BadRequest", retryable: false },
  { name: "401", fault: Fault.status(401), tag: "Unauthorized", retryable: false },
  { name: "truncated", fault: Fault.body('{"data":[{"id":'), tag: "DecodeError", retryable: false },
  {
    name: "wrong type",
    fault: Fault.mapBody((wire) => ({ ...wire, total_count: "many" })),
    tag: "DecodeError",
    retryable: false
  }
]
const byName = new Map(faultKinds.map((k) => [k.name, k]))
const faultSequenceArb = FastCheck.array(
  FastCheck.oneof(
    { arbitrary: FastCheck.constant("none"), weight: 6 },
    { arbitrary: FastCheck.constantFrom(...faultKinds.filter((k) => k.retryable).map((k) => k.name)), weight: 5 },
    { arbitrary: FastCheck.constantFrom(...faultKinds.filter((k) => !k.retryable && k.fault).map((k) => k.name)), weight: 1 }
  ),
  { maxLength: 16 }
)

/** What the stream must do: the offsets it requests, the keys it yields, and how it ends. */
const model = (total: number, pageSize: number, faults: ReadonlyArray<string>) => {
  const offsets: Array<number> = []
  let emitted = 0
  let offset = 0
  let request = 0
  for (;;) {
    let attempts = 0
    let failed: string | undefined
    for (;;) {
      const kind = byName.get(faults[request] ?? "none")!
      offsets.push(offset)
      request++
      attempts++
      if (kind.fault === undefined) break
      if (!kind.retryable || attempts === 4) {
        failed = kind.tag
        break
      }
    }
    if (failed !== undefined) return { offsets, emitted, tag: failed, faultsServed: request - countNone(faults, request) }
    const got = Math.min(pageSize, Math.max(0, total - offset))
    emitted += got
    if (got === 0 || got < pageSize || offset + got >= total) {
      return { offsets, emitted, tag: undefined, faultsServed: request - countNone(faults, request) }
    }
    offset += got
  }
}
const countNone = (faults: ReadonlyArray<string>, upTo: number) => {
  let none = 0
  for (let i = 0; i < upTo; i++) if ((faults[i] ?? "none") === "none") none++
  return none
}

describe("stream under random faults", () => {
  it.effect(`random fault sequences: all keys exactly once in order, or a tagged error after an exact prefix (${numRuns.streamFaults} sequences)`, () =>
    Effect.gen(function*() {
      const run = yield* runner
      const outcomes = { complete: 0, failed: 0 }
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(
            FastCheck.integer({ min: 0, max: 45 }),
            FastCheck.integer({ min: 3, max: 25 }),
            faultSequenceArb,
            async (total, pageSize, faults) => {
              const expected = model(total, pageSize, faults)
              const result = await run(
                Effect.gen(function*() {
                  const fake = yield* FakeByokApi
                  const byok = yield* Byok
                  for (const name of faults) {
                    const kind = byName.get(name)!
                    yield* fake.injectFault(kind.fault ?? Fault.mapBody((wire) => wire), { operation: "list", times: 1 })
                  }
                  const recorder = new Recorder()
                  const emitted: Array<ByokKey> = []
                  const exit = yield* recorder.observe(
                    Stream.runForEach(byok.stream({ pageSize }), (key) => Effect.sync(() => emitted.push(key)))
                  )
                  const requests = yield* fake.requests
                  const stored = yield* fake.credentials
                  return { exit, emitted, requests, stored, recorder }
                }).pipe(
                  Effect.provide(FakeByokApi.layerByok({
                    client: { retry: Schedule.recurs(3) },
                    fake: fakeOptions({ seed: total })
                  }))
                )
              )
              const ids = result.stored.map((c) => c.key.id)
              expect(result.requests.map((r) => Number(r.query.offset))).toEqual(expected.offsets)
              expect(result.emitted.map((k) => k.id)).toEqual(ids.slice(0, expected.emitted))
              expect(new Set(result.emitted.map((k) => k.id)).size).toBe(result.emitted.length)
              if (expected.tag === undefined) {
                expect(Exit.isSuccess(result.exit)).toBe(true)
                expect(result.emitted.length).toBe(total)
                outcomes.complete++
              } else {
                const error = expectTaggedError(failureOf(result.exit))
                expect(error._tag).toBe(expected.tag)
                outcomes.failed++
              }
              result.recorder.expectNoLeaks(
                [API_KEY_TEXT, ...result.stored.map((c) => Redacted.value(c.secret))],
                tally
              )
              tally.scenarios++
              tally.faults += expected.faultsServed
            }
          ),
          { numRuns: numRuns.streamFaults }
        )
      )
      // Both endings were exercised, not just one.
      expect(outcomes.complete).toBeGreaterThan(numRuns.streamFaults / 10)
      expect(outcomes.failed).toBeGreaterThan(numRuns.streamFaults / 10)
    }))
})

// ---------------------------------------------------------------------------------------------
// 4. Every valid create input is accepted, stored exactly once, and comes back as sent.
// ---------------------------------------------------------------------------------------------

describe("valid inputs", () => {
  it.effect(`every valid CreateByokKey is stored exactly once and returned as sent (${numRuns.validCreate} inputs)`, () =>
    Effect.gen(function*() {
      const run = yield* runner
      let n = 0
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(Arbitrary.make(CreateByokKey), async (generated) => {
            const secret = providerKeyText(`valid-${n++}`)
            const input: CreateByokKey = { ...generated, key: Redacted.make(secret) }
            const result = await run(
              Effect.gen(function*() {
                const fake = yield* FakeByokApi
                const byok = yield* Byok
                const recorder = new Recorder()
                const exit = yield* recorder.observe(byok.create(input))
                return { exit, recorder, stored: yield* fake.credentials, requests: yield* fake.requests }
              }).pipe(Effect.provide(FakeByokApi.layerByok({ client: { retry: false }, fake: fakeOptions() })))
            )
            const made = valueOf(result.exit)
            expect(result.requests.length).toBe(1)
            expect(result.stored.length).toBe(1)
            expect(Redacted.value(result.stored[0]!.secret)).toBe(secret)
            tally.duplicates += Math.max(0, result.stored.length - 1)
            expect(made.id).toBe(result.stored[0]!.key.id)
            expect(made.provider).toBe(input.provider)
            expect(made.name ?? null).toBe(input.name ?? null)
            expect(made.workspaceId).toBe(input.workspaceId ?? "550e8400-e29b-41d4-a716-446655440000")
            expect(made.disabled).toBe(input.disabled ?? false)
            expect(made.isFallback).toBe(input.isFallback ?? false)
            expect(made.isByokOnly).toBe(input.isByokOnly ?? false)
            expect(made.isRequired).toBe(input.isRequired ?? false)
            expect(made.declaredZdr).toBe(input.declaredZdr ?? null)
            expect(made.allowedModels).toEqual(input.allowedModels ?? null)
            expect(made.allowedApiKeyHashes).toEqual(input.allowedApiKeyHashes ?? null)
            expect(made.allowedUserIds).toEqual(input.allowedUserIds ?? null)
            // The key went out in the body and never comes back.
            expect(JSON.stringify(Schema.encodeSync(ByokKeyFromWire)(made))).not.toContain(secret)
            result.recorder.expectNoLeaks([API_KEY_TEXT, secret], tally)
            tally.scenarios++
          }),
          { numRuns: numRuns.validCreate }
        )
      )
    }))
})

// ---------------------------------------------------------------------------------------------
// 5. Invalid inputs: each is rejected with InvalidRequest, nothing is sent, the key never shows.
// ---------------------------------------------------------------------------------------------

const slug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const notSlug = FastCheck.string({ maxLength: 80 }).filter((s) => !slug.test(s) || s.length > 64)
const notUuid = FastCheck.oneof(
  FastCheck.string(),
  FastCheck.uuid().map((u) => `${u}/../x`),
  FastCheck.uuid().map((u) => ` ${u}`),
  FastCheck.uuid().map((u) => u.slice(0, 35))
).filter((s) => !uuid.test(s))
const badName = FastCheck.oneof(
  FastCheck.constant(""),
  FastCheck.string({ unit: FastCheck.constantFrom(" ", "\u00a0", "\u2003"), minLength: 1, maxLength: 5 }),
  FastCheck.tuple(FastCheck.string(), FastCheck.constantFrom("\u0000", "\n", "\r", "\t", "\u001b", "\u007f"), FastCheck.string())
    .map(([a, c, b]) => a + c + b),
  FastCheck.string({ minLength: 256, maxLength: 400 }).filter((s) => s.length > 255)
)
const badEntry = FastCheck.oneof(
  FastCheck.constant(""),
  FastCheck.constantFrom("a b", "é", "日本", "x\u0000", "x\ny", "\t"),
  FastCheck.string({ minLength: 257, maxLength: 300, unit: FastCheck.constantFrom("a", "b") })
)
const badHash = FastCheck.oneof(
  FastCheck.string().filter((s) => !/^[a-f0-9]{64}$/.test(s)),
  FastCheck.constant("A".repeat(64)),
  FastCheck.constant("a".repeat(63))
)

type Corruption = { readonly field: string; readonly patch: Record<string, unknown> }
const createCorruption: FastCheck.Arbitrary<Corruption> = FastCheck.oneof(
  notSlug.map((provider) => ({ field: "provider", patch: { provider } })),
  badName.map((name) => ({ field: "name", patch: { name } })),
  notUuid.map((workspaceId) => ({ field: "workspaceId", patch: { workspaceId } })),
  badEntry.map((entry) => ({ field: "allowedModels", patch: { allowedModels: ["openai/gpt-4o", entry] } })),
  badEntry.map((entry) => ({ field: "allowedUserIds", patch: { allowedUserIds: [entry] } })),
  FastCheck.constant({ field: "allowedModels", patch: { allowedModels: Array.from({ length: 101 }, (_, i) => `m${i}`) } }),
  badHash.map((hash) => ({ field: "allowedApiKeyHashes", patch: { allowedApiKeyHashes: [hash] } })),
  FastCheck.constant({ field: "allowedApiKeyHashes", patch: { allowedApiKeyHashes: [] } }),
  FastCheck.constant({ field: "key", patch: { key: Redacted.make("") } }),
  FastCheck.constant({ field: "key", patch: { key: "PLAIN" } }),
  FastCheck.constant({ field: "isByokOnly", patch: { isFallback: true, isByokOnly: true } }),
  FastCheck.constantFrom("yes", 1, null).map((disabled) => ({ field: "disabled", patch: { disabled } }))
)

type Target =
  | { readonly op: "create"; readonly corruption: Corruption; readonly base: CreateByokKey }
  | { readonly op: "update"; readonly corruption: Corruption; readonly base: UpdateByokKey; readonly id: string }
  | { readonly op: "get" | "delete"; readonly id: string }
  | { readonly op: "update-id"; readonly id: string }
  | { readonly op: "list"; readonly options: Record<string, unknown> }
  | { readonly op: "stream"; readonly options: Record<string, unknown> }

const badListOptions = FastCheck.oneof(
  FastCheck.oneof(FastCheck.integer({ max: 0 }), FastCheck.integer({ min: 101 }), FastCheck.constantFrom(1.5, Number.NaN, Infinity))
    .map((limit) => ({ limit })),
  FastCheck.oneof(FastCheck.integer({ max: -1 }), FastCheck.constantFrom(0.5, Number.NaN, -Infinity)).map((offset) => ({ offset })),
  notSlug.map((provider) => ({ provider })),
  notUuid.map((workspaceId) => ({ workspaceId }))
)
const badStreamOptions = FastCheck.oneof(
  FastCheck.oneof(FastCheck.integer({ max: 0 }), FastCheck.integer({ min: 101 }), FastCheck.constant(2.5)).map((pageSize) => ({ pageSize })),
  FastCheck.oneof(FastCheck.integer({ max: 0 }), FastCheck.integer({ min: 17 })).map((concurrency) => ({ concurrency })),
  notSlug.map((provider) => ({ provider })),
  notUuid.map((workspaceId) => ({ workspaceId }))
)

const targetArb: FastCheck.Arbitrary<Target> = FastCheck.oneof(
  { arbitrary: FastCheck.record({ op: FastCheck.constant("create" as const), corruption: createCorruption, base: Arbitrary.make(CreateByokKey) }), weight: 4 },
  {
    arbitrary: FastCheck.record({
      op: FastCheck.constant("update" as const),
      corruption: createCorruption.filter((c) => c.field !== "provider" && c.field !== "workspaceId" && !(c.field === "key" && c.patch.key === "PLAIN")),
      base: Arbitrary.make(UpdateByokKey),
      id: FastCheck.constant(fakeId(1))
    }),
    weight: 3
  },
  { arbitrary: FastCheck.record({ op: FastCheck.constantFrom("get" as const, "delete" as const), id: notUuid }), weight: 2 },
  { arbitrary: FastCheck.record({ op: FastCheck.constant("update-id" as const), id: notUuid }), weight: 1 },
  { arbitrary: FastCheck.record({ op: FastCheck.constant("list" as const), options: badListOptions }), weight: 1 },
  { arbitrary: FastCheck.record({ op: FastCheck.constant("stream" as const), options: badStreamOptions }), weight: 1 }
)

describe("invalid inputs", () => {
  it.effect(`invalid ids, options and bodies fail with InvalidRequest and send nothing; the key never shows (${numRuns.invalidInput} inputs)`, () =>
    Effect.gen(function*() {
      const run = yield* runner
      const client = yield* countedClient(
        { baseUrl: memoryBaseUrl, retry: false },
        stubHttpClient(() => new Response(null, { status: 500 }))
      )
      const byok = client.byok
      let n = 0
      yield* Effect.promise(() =>
        FastCheck.assert(
          FastCheck.asyncProperty(targetArb, async (target) => {
            const secret = providerKeyText(`invalid-${n++}`)
            const withSecret = (patch: Record<string, unknown>) =>
              patch.key === "PLAIN" ? { ...patch, key: secret } : patch
            let operation: Effect.Effect<unknown, unknown>
            let name: string
            switch (target.op) {
              case "create":
                name = "create"
                operation = byok.create(
                  { ...target.base, key: Redacted.make(secret), ...withSecret(target.corruption.patch) } as unknown as CreateByokKey
                )
                break
              case "update":
                name = "update"
                operation = byok.update(
                  target.id,
                  { ...target.base, key: Redacted.make(secret), ...withSecret(target.corruption.patch) } as unknown as UpdateByokKey
                )
                break
              case "update-id":
                name = "update"
                operation = byok.update(target.id, { key: Redacted.make(secret) })
                break
              case "get":
              case "delete":
                name = target.op
                operation = byok[target.op](target.id)
                break
              case "list":
                name = "list"
                operation = byok.list(target.options as ListByokKeys)
                break
              case "stream":
                name = "stream"
                operation = Stream.runDrain(byok.stream(target.options as StreamByokKeys))
                break
            }
            const before = client.attempts()
            const recorder = new Recorder()
            const exit = await run(recorder.observe(operation))
            const error: any = expectTaggedError(failureOf(exit))
            expect(error._tag).toBe("InvalidRequest")
            expect(error.operation).toBe(name)
            expect(error.issues.length).toBeGreaterThan(0)
            expect(client.attempts()).toBe(before)
            recorder.expectNoLeaks([API_KEY_TEXT, secret], tally)
            tally.scenarios++
            tally.hostile++
          }),
          { numRuns: numRuns.invalidInput }
        )
      )
    }))
})
