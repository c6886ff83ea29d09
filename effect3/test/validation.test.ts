import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Stream } from "effect"
import { Byok, type CreateByokKey, type UpdateByokKey } from "../src/index.js"
import { fakeId } from "../src/testing.js"
import { provideFresh, requestCount } from "./support.js"

const hash = "a".repeat(64)
const key = Redacted.make("sk-valid-key-0001")

/** Each case: the call, and the field the InvalidRequest must name. Nothing may be sent. */
const cases: ReadonlyArray<readonly [string, (byok: Byok["Type"]) => Effect.Effect<unknown, { _tag: string }>, string]> = [
  ["list limit 0", (b) => b.list({ limit: 0 }), "limit"],
  ["list limit 101", (b) => b.list({ limit: 101 }), "limit"],
  ["list limit 1.5", (b) => b.list({ limit: 1.5 }), "limit"],
  ["list offset -1", (b) => b.list({ offset: -1 }), "offset"],
  ["list workspaceId not a UUID", (b) => b.list({ workspaceId: "default" }), "workspaceId"],
  ["list provider with a slash", (b) => b.list({ provider: "../openai" }), "provider"],
  ["get id ../keys", (b) => b.get("../keys"), "(input)"],
  ["get id with a query", (b) => b.get(`${fakeId(1)}?x=1`), "(input)"],
  ["get empty id", (b) => b.get(""), "(input)"],
  ["delete id %2e%2e", (b) => b.delete("%2e%2e"), "(input)"],
  ["update id not a UUID", (b) => b.update("abc", { disabled: true }), "(input)"],
  ["create empty key", (b) => b.create({ provider: "openai", key: Redacted.make("") }), "key"],
  ["create key not Redacted", (b) => b.create({ provider: "openai", key: "sk-plain" as unknown as Redacted.Redacted<string> }), "key"],
  ["create name of 256 characters", (b) => b.create({ provider: "openai", key, name: "n".repeat(256) }), "name"],
  ["create name with a line break", (b) => b.create({ provider: "openai", key, name: "a\r\nb" }), "name"],
  ["create blank name", (b) => b.create({ provider: "openai", key, name: "   " }), "name"],
  ["create bad hash", (b) => b.create({ provider: "openai", key, allowedApiKeyHashes: ["ABC"] }), "allowedApiKeyHashes.0"],
  ["create empty hash list", (b) => b.create({ provider: "openai", key, allowedApiKeyHashes: [] }), "allowedApiKeyHashes"],
  ["create 101 hashes", (b) => b.create({ provider: "openai", key, allowedApiKeyHashes: Array(101).fill(hash) }), "allowedApiKeyHashes"],
  ["create 101 models", (b) => b.create({ provider: "openai", key, allowedModels: Array(101).fill("m/x") }), "allowedModels"],
  ["create fallback and byok-only", (b) => b.create({ provider: "openai", key, isFallback: true, isByokOnly: true }), "isByokOnly"],
  ["create workspaceId not a UUID", (b) => b.create({ provider: "openai", key, workspaceId: "ws" }), "workspaceId"],
  ["create uppercase provider", (b) => b.create({ provider: "OpenAI", key }), "provider"],
  ["update fallback and byok-only", (b) => b.update(fakeId(1), { isFallback: true, isByokOnly: true }), "isByokOnly"],
  ["update name of 256 characters", (b) => b.update(fakeId(1), { name: "x".repeat(256) }), "name"],
  ["update user id with NUL", (b) => b.update(fakeId(1), { allowedUserIds: ["u\u0000"] }), "allowedUserIds.0"],
  ["update empty key", (b) => b.update(fakeId(1), { key: Redacted.make("") }), "key"]
]

describe("InvalidRequest: rejected before anything is sent", () => {
  for (const [name, call, field] of cases) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Effect.flatMap(Byok, call))
        expect(error._tag).toBe("InvalidRequest")
        const issues = (error as unknown as { issues: ReadonlyArray<string> }).issues
        expect(issues.some((issue) => issue.startsWith(`${field}:`))).toBe(true)
        expect(yield* requestCount).toBe(0)
      }).pipe(provideFresh({ fake: { seed: 1 } })))
  }

  it.effect("stream options are validated when the stream runs, and nothing is sent", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const error = yield* Effect.flip(Stream.runDrain(byok.stream({ pageSize: 0 })))
      expect(error._tag).toBe("InvalidRequest")
      expect(yield* requestCount).toBe(0)
    }).pipe(provideFresh({ fake: { seed: 1 } })))

  it.effect("a rejected key never appears in the error, even when passed as a plain string", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const error = yield* Effect.flip(byok.create({ provider: "openai", key: "sk-plain-secret-999" as unknown as Redacted.Redacted<string> }))
      expect(JSON.stringify(error)).not.toContain("sk-plain-secret-999")
      expect(String(error)).not.toContain("sk-plain-secret-999")
    }).pipe(provideFresh()))

  it.effect("valid inputs of every shape pass and reach the server", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const create: CreateByokKey = {
        provider: "a-new-provider-2027", // unknown to the contract's list today: still a valid slug
        key,
        name: "Prod — ключ 🔑",
        isFallback: true,
        isByokOnly: false,
        allowedUserIds: ["user_2abc"],
        allowedApiKeyHashes: [hash]
      }
      const made = yield* byok.create(create)
      const update: UpdateByokKey = { name: null, declaredZdr: null, allowedApiKeyHashes: null }
      yield* byok.update(made.id, update)
      expect(yield* requestCount).toBe(2)
    }).pipe(provideFresh()))
})
