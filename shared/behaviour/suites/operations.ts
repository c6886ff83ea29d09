/**
 * The five operations on their success paths, each declared error status, and the testing kit's
 * extra headers: what every caller relies on first.
 */
import assert from "node:assert/strict"
import type { Operation } from "../../src/endpoints.js"
import { defaultWorkspaceId, fakeId, seedStartMillis } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import { type Call, secret } from "../driver.js"
import { errorOf, idsOf, insertKey, requestsOf, type Suite, test, valueOf, withSession } from "../harness.js"

const otherWorkspace = "7d444840-9dc0-11d1-b245-5ffdce74fad2"
const noRetry = { retry: false } as const

/** One call of each operation against the first seeded credential. */
const callOf = (operation: Operation): Call => {
  switch (operation) {
    case "list":
      return { op: "list" }
    case "get":
      return { op: "get", id: fakeId(1) }
    case "create":
      return { op: "create", input: { provider: "openai", key: secret("sk-abcdefghijkl") } }
    case "update":
      return { op: "update", id: fakeId(1), input: { disabled: true } }
    case "delete":
      return { op: "delete", id: fakeId(1) }
  }
}

/** Each operation, each status the contract declares for it. */
const declared: ReadonlyArray<readonly [Operation, ReadonlyArray<readonly [number, string]>]> = [
  ["list", [[400, "BadRequest"], [401, "Unauthorized"], [500, "InternalServer"]]],
  ["get", [[401, "Unauthorized"], [404, "NotFound"], [500, "InternalServer"]]],
  ["create", [[400, "BadRequest"], [401, "Unauthorized"], [403, "Forbidden"], [500, "InternalServer"]]],
  ["update", [[400, "BadRequest"], [401, "Unauthorized"], [404, "NotFound"], [500, "InternalServer"]]],
  ["delete", [[401, "Unauthorized"], [404, "NotFound"], [500, "InternalServer"]]]
]

export const operations: Suite = {
  name: "operations",
  tests: [],
  groups: [
    {
      name: "success paths",
      tests: [
        test("list returns a page with data, totalCount, offset and limit", (driver) =>
          withSession(driver, { fake: { seed: 40 } }, async (session, fake) => {
            const outcome = await session.run({ op: "list", options: { limit: 10, offset: 5 } })
            const page = valueOf(outcome)
            assert.equal(page.totalCount, 40)
            assert.equal(page.offset, 5)
            assert.equal(page.limit, 10)
            assert.deepEqual(idsOf(outcome), Array.from({ length: 10 }, (_, i) => fakeId(i + 6)))
            assert.equal(outcome.keysAreModels, true)
            assert.deepEqual(requestsOf(fake, "list")[0]!.query, { limit: "10", offset: "5" })
          })),

        test("list without options uses the server's defaults and sends no query", (driver) =>
          withSession(driver, { fake: { seed: 60 } }, async (session, fake) => {
            const page = valueOf(await session.run({ op: "list" }))
            assert.equal(page.data.length, 50)
            assert.deepEqual({ offset: page.offset, limit: page.limit, totalCount: page.totalCount }, { offset: 0, limit: 50, totalCount: 60 })
            assert.deepEqual(requestsOf(fake, "list")[0]!.query, {})
          })),

        test("list filters by provider and workspace, sending snake_case query names", (driver) =>
          withSession(driver, { fake: { seed: 16 } }, async (session, fake) => {
            insertKey(fake, { provider: "openai", workspaceId: otherWorkspace, name: "elsewhere" })
            insertKey(fake, { provider: "anthropic", workspaceId: otherWorkspace })
            insertKey(fake, { provider: "openai", workspaceId: null, name: "global" })
            const inOther = valueOf(await session.run({ op: "list", options: { provider: "openai", workspaceId: otherWorkspace } }))
            assert.deepEqual(inOther.data.map((k: any) => k.name), ["elsewhere", "global"])
            assert.equal(inOther.data[1].workspaceId, null)
            assert.deepEqual(requestsOf(fake, "list")[0]!.query, { provider: "openai", workspace_id: otherWorkspace })
            const defaultOpenai = valueOf(await session.run({ op: "list", options: { provider: "openai" } }))
            // 2 seeded openai keys in the default workspace, and the global one
            assert.equal(defaultOpenai.totalCount, 3)
          })),

        test("get decodes every field from the snake_case wire, into a real ByokKey", (driver) =>
          withSession(driver, { fake: { seed: 3 } }, async (session) => {
            const outcome = await session.run({ op: "get", id: fakeId(2) })
            assert.deepEqual(valueOf(outcome), {
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
              createdAt: new Date(seedStartMillis + 1000).toISOString()
            })
            assert.equal(outcome.keysAreModels, true)
          })),

        test("create sends the snake_case body with the raw key and returns the stored credential", (driver) =>
          withSession(driver, {}, async (session, fake) => {
            const hash = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943"
            const made = valueOf(
              await session.run({
                op: "create",
                input: {
                  provider: "openai",
                  key: secret("sk-proj-abc123456789"),
                  name: "Prod",
                  workspaceId: otherWorkspace,
                  isRequired: true,
                  declaredZdr: true,
                  allowedModels: ["openai/gpt-4o"],
                  allowedApiKeyHashes: [hash]
                }
              })
            )
            assert.deepEqual(
              {
                provider: made.provider,
                name: made.name,
                workspaceId: made.workspaceId,
                label: made.label,
                isRequired: made.isRequired,
                declaredZdr: made.declaredZdr,
                allowedModels: made.allowedModels,
                allowedApiKeyHashes: made.allowedApiKeyHashes
              },
              {
                provider: "openai",
                name: "Prod",
                workspaceId: otherWorkspace,
                label: "sk-...6789",
                isRequired: true,
                declaredZdr: true,
                allowedModels: ["openai/gpt-4o"],
                allowedApiKeyHashes: [hash]
              }
            )
            const [sent] = requestsOf(fake, "create")
            assert.deepEqual(sent!.body, {
              provider: "openai",
              key: "<redacted>", // the fake's log hides it; the stored secret below proves what was sent
              name: "Prod",
              workspace_id: otherWorkspace,
              is_required: true,
              declared_zdr: true,
              allowed_models: ["openai/gpt-4o"],
              allowed_api_key_hashes: [hash]
            })
            assert.equal(sent!.headers["content-type"], "application/json")
            assert.deepEqual(fake.credentials().map((c) => c.secret), ["sk-proj-abc123456789"])
          })),

        test("update rotates the key, sends only the given fields, and null clears", (driver) =>
          withSession(driver, {}, async (session, fake) => {
            const made = valueOf(
              await session.run({ op: "create", input: { provider: "groq", key: secret("sk-groq-original"), name: "A", allowedModels: ["m/one"] } })
            )
            const updated = valueOf(
              await session.run({ op: "update", id: made.id, input: { disabled: true, key: secret("sk-groq-rotated9"), allowedModels: null } })
            )
            assert.deepEqual(
              { disabled: updated.disabled, label: updated.label, name: updated.name, allowedModels: updated.allowedModels },
              { disabled: true, label: "sk-...ted9", name: "A", allowedModels: null }
            )
            const [sent] = requestsOf(fake, "update")
            assert.deepEqual(sent!.body, { disabled: true, key: "<redacted>", allowed_models: null })
            assert.equal(sent!.path, `/api/v1/byok/${made.id}`)
            const renamed = valueOf(await session.run({ op: "update", id: made.id, input: { name: null } }))
            assert.equal(renamed.name, null)
            assert.deepEqual(fake.credentials().map((c) => c.secret), ["sk-groq-rotated9"])
          })),

        test("delete succeeds with nothing on {deleted: true} and the credential is gone", (driver) =>
          withSession(driver, { fake: { seed: 2 } }, async (session, fake) => {
            assert.equal(valueOf(await session.run({ op: "delete", id: fakeId(1) })), null)
            assert.deepEqual(fake.credentials().map((c) => c.wire.id), [fakeId(2)])
          })),

        test("delete fails with DecodeError when the server does not confirm", (driver) =>
          withSession(driver, { fake: { seed: 1 }, client: noRetry }, async (session, fake) => {
            fake.injectFault(faults.body(JSON.stringify({ deleted: false })), { operation: "delete" })
            assert.equal(errorOf(await session.run({ op: "delete", id: fakeId(1) }))._tag, "DecodeError")
          })),

        test("every request carries the bearer key, accept JSON and the app headers", (driver) =>
          withSession(driver, {
            fake: { seed: 1 },
            client: { appUrl: "https://example.com/app", appTitle: "Example App", appCategories: ["cli-agent", "cloud-agent"] }
          }, async (session, fake) => {
            valueOf(await session.run({ op: "get", id: fakeId(1) }))
            const [sent] = requestsOf(fake, "get")
            assert.equal(sent!.authorized, true)
            assert.equal(sent!.headers.accept, "application/json")
            assert.equal(sent!.headers["http-referer"], "https://example.com/app")
            assert.equal(sent!.headers["x-openrouter-title"], "Example App")
            assert.equal(sent!.headers["x-openrouter-categories"], "cli-agent,cloud-agent")
          })),

        test("a wrong management key is Unauthorized, from the fake's real check", (driver) =>
          withSession(driver, { client: { apiKey: secret("sk-or-wrong") } }, async (session) => {
            const error = errorOf(await session.run({ op: "list" }))
            assert.deepEqual([error._tag, error.status, error.method, error.path], ["Unauthorized", 401, "GET", "/byok"])
          })),

        test("stream yields every credential once, in order", (driver) =>
          withSession(driver, { fake: { seed: 23 } }, async (session, fake) => {
            const outcome = await session.run({ op: "stream", options: { pageSize: 7 } })
            assert.deepEqual(idsOf(outcome), Array.from({ length: 23 }, (_, i) => fakeId(i + 1)))
            assert.equal(fake.requests().length, 4)
          }))
      ]
    },
    {
      name: "declared error statuses",
      tests: declared.flatMap(([operation, statuses]) => [
        ...statuses.map(([status, tag]) =>
          test(`${operation}: ${status} is ${tag} with the server's message, code, path and request id`, (driver) =>
            withSession(driver, { fake: { seed: 1 }, client: noRetry }, async (session, fake) => {
              fake.injectFault(
                faults.status(status, {
                  body: JSON.stringify({ error: { code: status, message: `custom ${status}`, metadata: { hint: "x" } } }),
                  headers: { "x-request-id": "req-123" }
                }),
                { operation }
              )
              const error = errorOf(await session.run(callOf(operation)))
              assert.deepEqual(
                [error._tag, error.status, error.message, error.code, error.metadata, error.requestId],
                [tag, status, `custom ${status}`, status, { hint: "x" }, "req-123"]
              )
              assert.match(String(error.path), /^\/byok/)
            }))
        ),
        test(`${operation}: an undeclared status (409) is ApiError with that status`, (driver) =>
          withSession(driver, { fake: { seed: 1 }, client: noRetry }, async (session, fake) => {
            fake.injectFault(faults.status(409), { operation })
            const error = errorOf(await session.run(callOf(operation)))
            assert.deepEqual([error._tag, error.status], ["ApiError", 409])
          })),
        test(`${operation}: a declared status with an undocumented body is ApiError`, (driver) =>
          withSession(driver, { fake: { seed: 1 }, client: noRetry }, async (session, fake) => {
            const [status] = statuses[0]!
            fake.injectFault(faults.body("<html>oops</html>", { status, contentType: "text/html" }), { operation })
            const error = errorOf(await session.run(callOf(operation)))
            assert.deepEqual([error._tag, error.status], ["ApiError", status])
          })),
        test(`${operation}: 429 is RateLimited with retryAfter`, (driver) =>
          withSession(driver, { fake: { seed: 1 }, client: noRetry }, async (session, fake) => {
            fake.injectFault(faults.status(429, { headers: { "retry-after": "7" } }), { operation })
            const error = errorOf(await session.run(callOf(operation)))
            assert.deepEqual([error._tag, error.status, error.retryAfterMillis], ["RateLimited", 429, 7000])
          }))
      ])
    },
    {
      name: "the testing kit",
      tests: [
        test("Fault.headers answers normally with extra headers: a request id reaches the error", (driver) =>
          withSession(driver, { fake: { seed: 1 } }, async (session, fake) => {
            fake.injectFault(faults.headers({ "x-request-id": "req-kit-1" }), { operation: "get" })
            assert.equal(valueOf(await session.run({ op: "get", id: fakeId(1) })).id, fakeId(1))
            fake.injectFault(faults.headers({ "x-request-id": "req-kit-2" }), { operation: "get" })
            const error = errorOf(await session.run({ op: "get", id: fakeId(9) }))
            assert.deepEqual([error._tag, error.requestId], ["NotFound", "req-kit-2"])
          }))
      ]
    }
  ]
}
