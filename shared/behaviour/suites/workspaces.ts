/**
 * `get` is scoped to a workspace, as the API scopes it: the account's default workspace unless
 * `workspaceId` names another, and global credentials from either. A credential of another
 * workspace is a `NotFound` without it. In memory and over 127.0.0.1.
 */
import assert from "node:assert/strict"
import type { FakeApi } from "../../src/fake/fakeApi.js"
import type { Session, Transport } from "../driver.js"
import { errorOf, insertKey, requestsOf, type Suite, test, valueOf, withSession } from "../harness.js"

const staging = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

/** One credential in the default workspace, one in `staging`, one global. */
const seed = (fake: FakeApi) => ({
  inDefault: insertKey(fake, { provider: "openai", name: "default" }),
  inStaging: insertKey(fake, { provider: "openai", name: "staging", workspaceId: staging }),
  global: insertKey(fake, { provider: "groq", name: "global", workspaceId: null })
})

const getSpan = (outcome: Awaited<ReturnType<Session["run"]>>) => {
  const span = outcome.spans.find((s) => s.name === "Byok.get")
  assert.ok(span !== undefined, "a Byok.get span")
  return span
}

const scoping = (transport: Transport) => [
  test(`${transport}: without workspaceId, the default workspace's and the global credentials are found; another's is NotFound`, (driver) =>
    withSession(driver, { transport }, async (session, fake) => {
      const ids = seed(fake)
      assert.equal(valueOf(await session.run({ op: "get", id: ids.inDefault })).name, "default")
      const global = await session.run({ op: "get", id: ids.global })
      assert.equal(valueOf(global).name, "global")
      assert.equal(getSpan(global).attributes["byok.workspace_id"], undefined)
      const elsewhere = errorOf(await session.run({ op: "get", id: ids.inStaging }))
      assert.deepEqual([elsewhere._tag, elsewhere.status], ["NotFound", 404])
      assert.deepEqual(requestsOf(fake, "get").map((r) => r.query), [{}, {}, {}])
    })),

  test(`${transport}: with workspaceId, that workspace's and the global credentials are found; the default's is NotFound`, (driver) =>
    withSession(driver, { transport }, async (session, fake) => {
      const ids = seed(fake)
      const inStaging = await session.run({ op: "get", id: ids.inStaging, options: { workspaceId: staging } })
      assert.deepEqual([valueOf(inStaging).name, valueOf(inStaging).workspaceId], ["staging", staging])
      assert.equal(getSpan(inStaging).attributes["byok.workspace_id"], staging)
      assert.equal(valueOf(await session.run({ op: "get", id: ids.global, options: { workspaceId: staging } })).name, "global")
      const fromDefault = errorOf(await session.run({ op: "get", id: ids.inDefault, options: { workspaceId: staging } }))
      assert.equal(fromDefault._tag, "NotFound")
      assert.deepEqual(requestsOf(fake, "get").map((r) => r.query), [
        { workspace_id: staging },
        { workspace_id: staging },
        { workspace_id: staging }
      ])
    })),

  test(`${transport}: a workspaceId that is not a UUID is InvalidRequest, and nothing is sent`, (driver) =>
    withSession(driver, { transport }, async (session, fake) => {
      const ids = seed(fake)
      for (const workspaceId of ["staging", "../byok", `${staging}?x=1`, ""]) {
        const outcome = await session.run({ op: "get", id: ids.inStaging, options: { workspaceId } })
        const error = errorOf(outcome)
        assert.equal(error._tag, "InvalidRequest")
        assert.deepEqual(error.issues, ["workspaceId: expected a UUID"])
        assert.deepEqual(outcome.attemptTimes, [])
      }
      assert.equal(fake.requests().length, 0)
    }))
]

export const workspaces: Suite = {
  name: "get scoped to a workspace",
  tests: [],
  groups: [
    { name: "in memory", tests: scoping("memory") },
    { name: "over 127.0.0.1", tests: scoping("fetch") }
  ]
}
