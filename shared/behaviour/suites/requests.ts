/**
 * What a request carries on the wire (the base URL's path, the bearer token, the app headers, the
 * JSON body, each page's query), and the retry step's one rule beyond the schedule: a DELETE that
 * finds the key gone on a retry has succeeded.
 */
import assert from "node:assert/strict"
import { fakeId } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import { secret } from "../driver.js"
import { apiKeyText, errorOf, providerKeyText, requestsOf, type Suite, test, valueOf, withSession } from "../harness.js"
import { withRawServer } from "../servers.js"
import { wireKey } from "../wireBodies.js"

/** The default attempt count with no delay between attempts, so nothing waits on time. */
const retryNow = { recurs: 3 } as const

export const requests: Suite = {
  name: "requests and retries",
  tests: [],
  groups: [
    {
      name: "what a request carries",
      tests: [
        test("a create goes to the base URL's path with the bearer token, the app headers and exactly the JSON body", (driver) => {
          const key = providerKeyText("pipeline")
          return withRawServer((_request, response) => {
            response.writeHead(201, { "content-type": "application/json" })
            response.end(JSON.stringify({ data: wireKey() }))
          }, (server) =>
            withSession(driver, {
              transport: "fetch",
              client: { baseUrl: `${server.origin}/behind/a/proxy/api/v1`, appTitle: "tests", retry: false }
            }, async (session) => {
              valueOf(await session.run({ op: "create", input: { provider: "openai", key: secret(key) } }))
              assert.equal(server.seen.length, 1)
              const [sent] = server.seen
              assert.equal(sent!.method, "POST")
              assert.equal(sent!.url, "/behind/a/proxy/api/v1/byok")
              assert.equal(sent!.headers.authorization, `Bearer ${apiKeyText}`)
              assert.equal(sent!.headers.accept, "application/json")
              assert.equal(sent!.headers["x-openrouter-title"], "tests")
              assert.equal(sent!.headers["content-type"], "application/json")
              assert.deepEqual(JSON.parse(sent!.body), { provider: "openai", key })
            }))
        }),

        test("each page of a stream asks for its offset and the page size, with the filters, and sends no body", (driver) =>
          withSession(driver, {
            fake: { seed: Array.from({ length: 250 }, (_, i) => ({ provider: "openai", name: `key ${i}` })) }
          }, async (session, fake) => {
            const outcome = await session.run({ op: "stream", options: { provider: "openai", pageSize: 100 } })
            assert.equal(valueOf(outcome).length, 250)
            const pages = requestsOf(fake, "list")
            assert.deepEqual(pages.map((r) => r.query), [
              { provider: "openai", offset: "0", limit: "100" },
              { provider: "openai", offset: "100", limit: "100" },
              { provider: "openai", offset: "200", limit: "100" }
            ])
            for (const page of pages) {
              assert.equal(page.method, "GET")
              assert.equal(page.body, undefined)
              assert.equal(page.headers["content-type"], undefined)
            }
          }))
      ]
    },
    {
      name: "retries",
      tests: [
        test("a delete whose first attempt broke off after the server acted finds 404 on the retry: that is success", (driver) =>
          withSession(driver, { fake: { seed: 1 }, client: { retry: retryNow } }, async (session, fake) => {
            fake.injectFault(faults.reset({ afterHandling: true }), { operation: "delete" })
            const outcome = await session.run({ op: "delete", id: fakeId(1) })
            assert.equal(valueOf(outcome), null)
            assert.equal(requestsOf(fake, "delete").length, 2)
            assert.equal(outcome.attemptTimes.length, 2)
            assert.equal(fake.size, 0)
          })),

        test("a 404 on a delete's first attempt stays NotFound", (driver) =>
          withSession(driver, { fake: { seed: 1 }, client: { retry: retryNow } }, async (session, fake) => {
            const outcome = await session.run({ op: "delete", id: fakeId(9) })
            assert.deepEqual([errorOf(outcome)._tag, errorOf(outcome).status], ["NotFound", 404])
            assert.equal(outcome.attemptTimes.length, 1)
            assert.equal(fake.size, 1)
          })),

        test("an operation other than delete keeps a 404 after a retry: a get is NotFound", (driver) =>
          withSession(driver, { fake: { seed: 1 }, client: { retry: retryNow } }, async (session, fake) => {
            fake.injectFault(faults.reset(), { operation: "get" })
            const outcome = await session.run({ op: "get", id: fakeId(9) })
            assert.deepEqual([errorOf(outcome)._tag, errorOf(outcome).status], ["NotFound", 404])
            assert.equal(requestsOf(fake, "get").length, 2)
            assert.equal(outcome.attemptTimes.length, 2)
          })),

        test("without a retry schedule, one attempt: the first failure is the error", (driver) =>
          withSession(driver, { fake: { seed: 1 }, client: { retry: false } }, async (session, fake) => {
            fake.injectFault(faults.reset(), { operation: "get" })
            const outcome = await session.run({ op: "get", id: fakeId(1) })
            assert.deepEqual([errorOf(outcome)._tag, errorOf(outcome).reason], ["TransportError", "Network"])
            assert.equal(requestsOf(fake, "get").length, 1)
            assert.equal(outcome.attemptTimes.length, 1)
          }))
      ]
    }
  ]
}
