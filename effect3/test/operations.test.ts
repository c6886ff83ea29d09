import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Equal, Redacted, Schema, Stream } from "effect"
import { Byok, ByokError, ByokKey } from "../src/index.js"
import { defaultWorkspaceId, FakeByokApi, fakeId, Fault } from "../src/testing.js"
import { provideFresh, requestCount, requestsOf } from "./support.js"

const otherWorkspace = "7d444840-9dc0-11d1-b245-5ffdce74fad2"

describe("success paths", () => {
  it.effect("list returns a page with data, totalCount, offset and limit", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const page = yield* byok.list({ limit: 10, offset: 5 })
      expect(page.totalCount).toBe(40)
      expect(page.offset).toBe(5)
      expect(page.limit).toBe(10)
      expect(page.data.map((k) => k.id)).toEqual(Array.from({ length: 10 }, (_, i) => fakeId(i + 6)))
      expect(page.data[0]).toBeInstanceOf(ByokKey)
      expect(page.data[0]!.createdAt).toBeInstanceOf(Date)
      const [sent] = yield* requestsOf("list")
      expect(sent!.query).toEqual({ limit: "10", offset: "5" })
    }).pipe(provideFresh({ fake: { seed: 40 } })))

  it.effect("list without options uses the server's defaults and sends no query", () =>
    Effect.gen(function*() {
      const page = yield* Effect.flatMap(Byok, (byok) => byok.list())
      expect(page.data).toHaveLength(50)
      expect(page).toMatchObject({ offset: 0, limit: 50, totalCount: 60 })
      const [sent] = yield* requestsOf("list")
      expect(sent!.query).toEqual({})
    }).pipe(provideFresh({ fake: { seed: 60 } })))

  it.effect("list filters by provider and workspace, sending snake_case query names", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      yield* fake.insert({ provider: "openai", workspaceId: otherWorkspace, name: "elsewhere" })
      yield* fake.insert({ provider: "anthropic", workspaceId: otherWorkspace })
      yield* fake.insert({ provider: "openai", workspaceId: null, name: "global" })
      const byok = yield* Byok
      const inOther = yield* byok.list({ provider: "openai", workspaceId: otherWorkspace })
      expect(inOther.data.map((k) => k.name)).toEqual(["elsewhere", "global"])
      expect(inOther.data[1]!.workspaceId).toBeNull()
      const [sent] = yield* requestsOf("list")
      expect(sent!.query).toEqual({ provider: "openai", workspace_id: otherWorkspace })
      const defaultOpenai = yield* byok.list({ provider: "openai" })
      expect(defaultOpenai.totalCount).toBe(3) // 2 seeded openai keys in the default workspace + the global one
    }).pipe(provideFresh({ fake: { seed: 16 } })))

  it.effect("get decodes every field from the snake_case wire", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const key = yield* byok.get(fakeId(2))
      const expected = new ByokKey({
        id: fakeId(2),
        provider: "anthropic",
        workspaceId: defaultWorkspaceId,
        label: "sk-...0002",
        name: "Seeded key 2",
        disabled: false,
        isFallback: false,
        isRequired: false,
        isByokOnly: false,
        declaredZdr: null,
        allowedModels: null,
        allowedApiKeyHashes: null,
        allowedUserIds: null,
        sortOrder: 0,
        createdAt: new Date("2025-08-24T10:30:01.000Z")
      })
      expect(key).toEqual(expected)
      // a real instance of the class: structural equality and the class schema both accept it
      expect(Equal.equals(key, expected)).toBe(true)
      expect(Schema.is(ByokKey)(key)).toBe(true)
    }).pipe(provideFresh({ fake: { seed: 3 } })))

  it.effect("create sends the snake_case body with the raw key and returns the stored credential", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const hash = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943"
      const made = yield* byok.create({
        provider: "openai",
        key: Redacted.make("sk-proj-abc123456789"),
        name: "Prod",
        workspaceId: otherWorkspace,
        isRequired: true,
        declaredZdr: true,
        allowedModels: ["openai/gpt-4o"],
        allowedApiKeyHashes: [hash]
      })
      expect(made).toMatchObject({
        provider: "openai",
        name: "Prod",
        workspaceId: otherWorkspace,
        label: "sk-...6789",
        isRequired: true,
        declaredZdr: true,
        allowedModels: ["openai/gpt-4o"],
        allowedApiKeyHashes: [hash]
      })
      const [sent] = yield* requestsOf("create")
      expect(sent!.body).toEqual({
        provider: "openai",
        key: "<redacted>", // the fake's log hides it; the stored secret below proves what was sent
        name: "Prod",
        workspace_id: otherWorkspace,
        is_required: true,
        declared_zdr: true,
        allowed_models: ["openai/gpt-4o"],
        allowed_api_key_hashes: [hash]
      })
      expect(sent!.headers["content-type"]).toBe("application/json")
      const stored = yield* Effect.flatMap(FakeByokApi, (fake) => fake.credentials)
      expect(stored).toHaveLength(1)
      expect(Redacted.value(stored[0]!.secret)).toBe("sk-proj-abc123456789")
    }).pipe(provideFresh()))

  it.effect("update rotates the key, sends only the given fields, and null clears", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const made = yield* byok.create({ provider: "groq", key: Redacted.make("sk-groq-original"), name: "A", allowedModels: ["m/one"] })
      const updated = yield* byok.update(made.id, { disabled: true, key: Redacted.make("sk-groq-rotated9"), allowedModels: null })
      expect(updated).toMatchObject({ disabled: true, label: "sk-...ted9", name: "A", allowedModels: null })
      const [sent] = yield* requestsOf("update")
      expect(sent!.body).toEqual({ disabled: true, key: "<redacted>", allowed_models: null })
      expect(sent!.path).toBe(`/api/v1/byok/${made.id}`)
      const renamed = yield* byok.update(made.id, { name: null })
      expect(renamed.name).toBeNull()
      const stored = yield* Effect.flatMap(FakeByokApi, (fake) => fake.credentials)
      expect(Redacted.value(stored[0]!.secret)).toBe("sk-groq-rotated9")
    }).pipe(provideFresh()))

  it.effect("delete succeeds with void on {deleted: true} and the credential is gone", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const result = yield* byok.delete(fakeId(1))
      expect(result).toBeUndefined()
      const stored = yield* Effect.flatMap(FakeByokApi, (fake) => fake.credentials)
      expect(stored.map((c) => c.key.id)).toEqual([fakeId(2)])
    }).pipe(provideFresh({ fake: { seed: 2 } })))

  it.effect("delete fails with DecodeError when the server does not confirm", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      yield* fake.injectFault(Fault.body(JSON.stringify({ deleted: false })), { operation: "delete" })
      const error = yield* Effect.flip(Effect.flatMap(Byok, (byok) => byok.delete(fakeId(1))))
      expect(error._tag).toBe("DecodeError")
    }).pipe(provideFresh({ fake: { seed: 1 }, client: { retry: false } })))

  it.effect("every request carries the bearer key, accept JSON and the app headers", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      yield* byok.get(fakeId(1))
      const [sent] = yield* requestsOf("get")
      expect(sent!.authorized).toBe(true)
      expect(sent!.headers).toMatchObject({
        accept: "application/json",
        "http-referer": "https://example.com/app",
        "x-openrouter-title": "Example App",
        "x-openrouter-categories": "cli-agent,cloud-agent"
      })
    }).pipe(provideFresh({
      fake: { seed: 1 },
      client: { appUrl: "https://example.com/app", appTitle: "Example App", appCategories: ["cli-agent", "cloud-agent"] }
    })))

  it.effect("a wrong management key is Unauthorized, from the fake's real check", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.flatMap(Byok, (byok) => byok.list()))
      expect(error).toMatchObject({ _tag: "Unauthorized", status: 401, method: "GET", path: "/byok" })
    }).pipe(provideFresh({ client: { apiKey: Redacted.make("sk-or-wrong") } })))

  it.effect("stream yields every credential once, in order", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const ids = yield* Stream.runCollect(Stream.map(byok.stream({ pageSize: 7 }), (k) => k.id))
      expect(Chunk.toReadonlyArray(ids)).toEqual(Array.from({ length: 23 }, (_, i) => fakeId(i + 1)))
      expect(yield* requestCount).toBe(4)
    }).pipe(provideFresh({ fake: { seed: 23 } })))
})

/** Each operation, each status the contract declares for it, and one it does not. */
const cases = [
  { operation: "list", declared: [[400, "BadRequest"], [401, "Unauthorized"], [500, "InternalServer"]] },
  { operation: "get", declared: [[401, "Unauthorized"], [404, "NotFound"], [500, "InternalServer"]] },
  { operation: "create", declared: [[400, "BadRequest"], [401, "Unauthorized"], [403, "Forbidden"], [500, "InternalServer"]] },
  { operation: "update", declared: [[400, "BadRequest"], [401, "Unauthorized"], [404, "NotFound"], [500, "InternalServer"]] },
  { operation: "delete", declared: [[401, "Unauthorized"], [404, "NotFound"], [500, "InternalServer"]] }
] as const

const run = (operation: string) =>
  Effect.flatMap(Byok, (byok): Effect.Effect<unknown, { readonly _tag: string }> => {
    switch (operation) {
      case "list":
        return byok.list()
      case "get":
        return byok.get(fakeId(1))
      case "create":
        return byok.create({ provider: "openai", key: Redacted.make("sk-abcdefghijkl") })
      case "update":
        return byok.update(fakeId(1), { disabled: true })
      default:
        return byok.delete(fakeId(1))
    }
  })

describe("declared error statuses", () => {
  for (const { declared, operation } of cases) {
    for (const [status, tag] of declared) {
      it.effect(`${operation}: ${status} is ${tag} with the server's message, code, path and request id`, () =>
        Effect.gen(function*() {
          const fake = yield* FakeByokApi
          yield* fake.injectFault(
            Fault.status(status, {
              body: JSON.stringify({ error: { code: status, message: `custom ${status}`, metadata: { hint: "x" } } }),
              headers: { "x-request-id": "req-123" }
            }),
            { operation }
          )
          const error = yield* Effect.flip(run(operation))
          expect(error).toMatchObject({
            _tag: tag,
            status,
            message: `custom ${status}`,
            code: status,
            metadata: { hint: "x" },
            requestId: "req-123"
          })
          expect((error as unknown as { path: string }).path).toMatch(/^\/byok/)
        }).pipe(provideFresh({ fake: { seed: 1 }, client: { retry: false } })))
    }

    it.effect(`${operation}: an undeclared status (409) is ApiError with that status`, () =>
      Effect.gen(function*() {
        const fake = yield* FakeByokApi
        yield* fake.injectFault(Fault.status(409), { operation })
        const error = yield* Effect.flip(run(operation))
        expect(error).toMatchObject({ _tag: "ApiError", status: 409 })
      }).pipe(provideFresh({ fake: { seed: 1 }, client: { retry: false } })))

    it.effect(`${operation}: a declared status with an undocumented body is ApiError`, () =>
      Effect.gen(function*() {
        const fake = yield* FakeByokApi
        const [status] = declared[0]
        yield* fake.injectFault(Fault.body("<html>oops</html>", { status, contentType: "text/html" }), { operation })
        const error = yield* Effect.flip(run(operation))
        expect(error).toMatchObject({ _tag: "ApiError", status })
      }).pipe(provideFresh({ fake: { seed: 1 }, client: { retry: false } })))

    it.effect(`${operation}: 429 is RateLimited with retryAfter`, () =>
      Effect.gen(function*() {
        const fake = yield* FakeByokApi
        yield* fake.injectFault(Fault.status(429, { headers: { "retry-after": "7" } }), { operation })
        const error = yield* Effect.flip(run(operation))
        expect(error).toMatchObject({ _tag: "RateLimited", status: 429 })
        expect(Duration.toMillis((error as ByokError.RateLimited).retryAfter!)).toBe(7000)
      }).pipe(provideFresh({ fake: { seed: 1 }, client: { retry: false } })))
  }
})

describe("the testing kit", () => {
  it.effect("Fault.headers answers normally with extra headers: a request id reaches the error and the span", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      yield* fake.injectFault(Fault.headers({ "x-request-id": "req-kit-1" }), { operation: "get" })
      expect((yield* byok.get(fakeId(1))).id).toBe(fakeId(1))
      yield* fake.injectFault(Fault.headers({ "x-request-id": "req-kit-2" }), { operation: "get" })
      const error = yield* Effect.flip(byok.get(fakeId(9)))
      expect(error).toMatchObject({ _tag: "NotFound", requestId: "req-kit-2" })
    }).pipe(provideFresh({ fake: { seed: 1 } })))
})
