/**
 * The management key and provider keys never leak: not into an error, a value, a log line or a span
 * attribute, whatever the operation, and however the server echoes them back.
 */
import assert from "node:assert/strict"
import { fakeId } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import { type Call, type Outcome, secret } from "../driver.js"
import { assertNoLeaks, type Suite, test, withSession } from "../harness.js"

const apiKey = "sk-or-v1-management-SECRET-4f1c9a"
const providerKey = "sk-proj-PROVIDER-SECRET-77aa01"
const rotatedKey = "sk-proj-ROTATED-SECRET-19ce42"
const secretTexts = [apiKey, providerKey, rotatedKey]

/** A hostile or careless server that echoes the secrets the request carried back into its error. */
const echo = (status: number, sent: string) =>
  faults.status(status, {
    body: JSON.stringify({ error: { code: status, message: `bad key ${sent} / ${apiKey}`, metadata: { raw: sent } } }),
    headers: { "x-request-id": "req-1" }
  })

export const secrets: Suite = {
  name: "secrets never leak",
  tests: [
    test("the API key and provider keys appear in no error, value, log line or span attribute", (driver) =>
      withSession(driver, {
        fake: { seed: 3, apiKey },
        // the platform's own HTTP span is on, so its attributes are searched too
        client: { apiKey: secret(apiKey), retry: false, appTitle: "leak test", httpClientSpans: true }
      }, async (session, fake) => {
        const renderings = (value: unknown) => driver.renderings(value)
        const outcomes: Array<Outcome> = []
        const scenario = async (call: Call) => {
          outcomes.push(await session.run(call))
        }
        const input = { provider: "openai", key: secret(providerKey), name: "Prod" } as const
        // What a caller might print of its own input: the key stays hidden.
        const inputTexts = renderings(input)

        await scenario({ op: "create", input })
        const id = fakeId(2)
        await scenario({ op: "update", id, input: { key: secret(rotatedKey) } })
        await scenario({ op: "get", id })
        await scenario({ op: "list", options: { limit: 2 } })
        await scenario({ op: "stream", options: { pageSize: 1 } })
        for (const status of [400, 401, 403, 404, 429, 500, 502]) {
          fake.injectFault(echo(status, providerKey), { operation: "create" })
          await scenario({ op: "create", input })
          fake.injectFault(echo(status, rotatedKey), { operation: "update" })
          await scenario({ op: "update", id, input: { key: secret(rotatedKey) } })
        }
        fake.injectFault(faults.body(`{"data": "${providerKey}"`), { operation: "get" })
        await scenario({ op: "get", id })
        fake.injectFault(faults.reset(), { operation: "create" })
        await scenario({ op: "create", input })
        await scenario({ op: "create", input: { ...input, key: secret("") } })
        await scenario({ op: "create", input: { ...input, key: providerKey } })
        await scenario({ op: "update", id: "../keys", input: { key: secret(rotatedKey) } })
        await scenario({ op: "delete", id })
        await scenario({ op: "delete", id })

        const spans = outcomes.flatMap((o) => o.spans)
        const everything = [...inputTexts, ...outcomes.flatMap((o) => o.texts)]

        // The search must have something to search: every scenario rendered, logged and traced.
        assert.ok(inputTexts.length > 0)
        assert.ok(everything.length > 125, `${everything.length} texts`)
        assert.ok(spans.filter((s) => s.name.startsWith("Byok.")).length > 20)
        assert.ok(spans.some((s) => s.name.startsWith("http.client")))
        // And the server's echo of the key did reach the errors, scrubbed.
        assert.ok(everything.some((text) => text.includes("bad key <redacted> / <redacted>")))

        for (const outcome of outcomes) assertNoLeaks(outcome, secretTexts)
        for (const key of secretTexts) {
          assert.deepEqual(everything.filter((text) => text.includes(key)), [], `${key} leaked`)
        }
      }))
  ]
}
