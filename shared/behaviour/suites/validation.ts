/**
 * Inputs the contract forbids fail with `InvalidRequest`, naming the field, before anything is
 * sent; valid inputs of every shape reach the server.
 */
import assert from "node:assert/strict"
import { fakeId } from "../../src/fake/fakeApi.js"
import { type Call, secret } from "../driver.js"
import { assertNoLeaks, errorOf, type Suite, test, valueOf, withSession } from "../harness.js"

const hash = "a".repeat(64)
const key = secret("sk-valid-key-0001")

/** Each case: the call, and the field the InvalidRequest must name. */
const cases: ReadonlyArray<readonly [string, Call, string]> = [
  ["list limit 0", { op: "list", options: { limit: 0 } }, "limit"],
  ["list limit 101", { op: "list", options: { limit: 101 } }, "limit"],
  ["list limit 1.5", { op: "list", options: { limit: 1.5 } }, "limit"],
  ["list offset -1", { op: "list", options: { offset: -1 } }, "offset"],
  ["list workspaceId not a UUID", { op: "list", options: { workspaceId: "default" } }, "workspaceId"],
  ["list provider with a slash", { op: "list", options: { provider: "../openai" } }, "provider"],
  ["get id ../keys", { op: "get", id: "../keys" }, "(input)"],
  ["get id with a query", { op: "get", id: `${fakeId(1)}?x=1` }, "(input)"],
  ["get empty id", { op: "get", id: "" }, "(input)"],
  ["delete id %2e%2e", { op: "delete", id: "%2e%2e" }, "(input)"],
  ["update id not a UUID", { op: "update", id: "abc", input: { disabled: true } }, "(input)"],
  ["create empty key", { op: "create", input: { provider: "openai", key: secret("") } }, "key"],
  ["create key not Redacted", { op: "create", input: { provider: "openai", key: "sk-plain" } }, "key"],
  ["create name of 256 characters", { op: "create", input: { provider: "openai", key, name: "n".repeat(256) } }, "name"],
  ["create name with a line break", { op: "create", input: { provider: "openai", key, name: "a\r\nb" } }, "name"],
  ["create blank name", { op: "create", input: { provider: "openai", key, name: "   " } }, "name"],
  ["create bad hash", { op: "create", input: { provider: "openai", key, allowedApiKeyHashes: ["ABC"] } }, "allowedApiKeyHashes.0"],
  ["create empty hash list", { op: "create", input: { provider: "openai", key, allowedApiKeyHashes: [] } }, "allowedApiKeyHashes"],
  [
    "create 101 hashes",
    { op: "create", input: { provider: "openai", key, allowedApiKeyHashes: Array(101).fill(hash) } },
    "allowedApiKeyHashes"
  ],
  ["create 101 models", { op: "create", input: { provider: "openai", key, allowedModels: Array(101).fill("m/x") } }, "allowedModels"],
  ["create fallback and byok-only", { op: "create", input: { provider: "openai", key, isFallback: true, isByokOnly: true } }, "isByokOnly"],
  ["create workspaceId not a UUID", { op: "create", input: { provider: "openai", key, workspaceId: "ws" } }, "workspaceId"],
  ["create uppercase provider", { op: "create", input: { provider: "OpenAI", key } }, "provider"],
  ["update fallback and byok-only", { op: "update", id: fakeId(1), input: { isFallback: true, isByokOnly: true } }, "isByokOnly"],
  ["update name of 256 characters", { op: "update", id: fakeId(1), input: { name: "x".repeat(256) } }, "name"],
  ["update user id with NUL", { op: "update", id: fakeId(1), input: { allowedUserIds: ["u\u0000"] } }, "allowedUserIds.0"],
  ["update empty key", { op: "update", id: fakeId(1), input: { key: secret("") } }, "key"]
]

export const validation: Suite = {
  name: "InvalidRequest: rejected before anything is sent",
  tests: [
    ...cases.map(([name, call, field]) =>
      test(name, (driver) =>
        withSession(driver, { fake: { seed: 1 } }, async (session, fake) => {
          const error = errorOf(await session.run(call))
          assert.equal(error._tag, "InvalidRequest")
          const issues = error.issues as ReadonlyArray<string>
          assert.ok(issues.some((issue) => issue.startsWith(`${field}:`)), `an issue names ${field}: ${JSON.stringify(issues)}`)
          assert.equal(fake.requests().length, 0)
        }))
    ),

    test("stream options are validated when the stream runs, and nothing is sent", (driver) =>
      withSession(driver, { fake: { seed: 1 } }, async (session, fake) => {
        assert.equal(errorOf(await session.run({ op: "stream", options: { pageSize: 0 } }))._tag, "InvalidRequest")
        assert.equal(fake.requests().length, 0)
      })),

    test("a rejected key never appears in the error, even when passed as a plain string", (driver) =>
      withSession(driver, {}, async (session) => {
        const outcome = await session.run({ op: "create", input: { provider: "openai", key: "sk-plain-secret-999" } })
        const error = errorOf(outcome)
        assert.equal(error._tag, "InvalidRequest")
        assert.ok(!JSON.stringify(error).includes("sk-plain-secret-999"))
        assert.ok(!error.message.includes("sk-plain-secret-999"))
        // every rendering of the failure: String(error), its JSON, inspect, the stack, the cause
        assertNoLeaks(outcome, ["sk-plain-secret-999"])
      })),

    test("valid inputs of every shape pass and reach the server", (driver) =>
      withSession(driver, {}, async (session, fake) => {
        const made = valueOf(
          await session.run({
            op: "create",
            input: {
              provider: "a-new-provider-2027", // unknown to the contract's list today: still a valid slug
              key,
              name: "Prod — ключ 🔑",
              isFallback: true,
              isByokOnly: false,
              allowedUserIds: ["user_2abc"],
              allowedApiKeyHashes: [hash]
            }
          })
        )
        valueOf(await session.run({ op: "update", id: made.id, input: { name: null, declaredZdr: null, allowedApiKeyHashes: null } }))
        assert.equal(fake.requests().length, 2)
      }))
  ]
}
