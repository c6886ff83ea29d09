// Runs every client operation once against the in-memory fake, importing the package by its name so
// that resolution goes through package.json `exports` as in a user's project. One file for both
// lines: it uses only what their public shapes share. Plain JavaScript ESM so that every runtime
// (Node, Bun, Deno) runs it unchanged.
// Prints one line: the runtime and its version, the steps that passed, then `ok`; exits non-zero on
// the first mismatch.
import console from "node:console"
import process from "node:process"
import { Cause, Effect, Exit, Redacted, Stream } from "effect"
import { Byok, ByokKey } from "effect-openrouter-byok"
import { FakeByokApi } from "effect-openrouter-byok/testing"

// Deno and Bun both provide `process`, so the global objects are what tells them apart.
const runtime = globalThis.Deno !== undefined
  ? `deno ${globalThis.Deno.version.deno}`
  : globalThis.Bun !== undefined
  ? `bun ${globalThis.Bun.version}`
  : `node ${process.version}`

const seeded = 25
const pageSize = 10
const passed = []

class Mismatch extends Error {}

const expect = (step, condition, detail) =>
  Effect.suspend(() => {
    if (!condition) return Effect.die(new Mismatch(`${step}: ${detail}`))
    passed.push(step)
    return Effect.void
  })

const secretOf = (fake, id) =>
  Effect.map(fake.credentials, (all) => {
    const found = all.find((c) => c.key.id === id)
    return found === undefined ? undefined : Redacted.value(found.secret)
  })

const listRequests = (fake) =>
  Effect.map(fake.requests, (requests) => requests.filter((r) => r.operation === "list").length)

const program = Effect.gen(function*() {
  const byok = yield* Byok
  const fake = yield* FakeByokApi
  const storeOrder = (yield* fake.credentials).map((c) => c.key.id)

  const page = yield* byok.list({ offset: 5, limit: pageSize })
  yield* expect(
    "list",
    page.totalCount === seeded && page.offset === 5 &&
      page.data.map((k) => k.id).join() === storeOrder.slice(5, 5 + pageSize).join(),
    `got total ${page.totalCount}, offset ${page.offset}, ${page.data.length} keys`
  )

  const pagesBefore = yield* listRequests(fake)
  // A Chunk on Effect 3, an Array on Effect 4: both iterate.
  const streamed = Array.from(yield* Stream.runCollect(byok.stream({ pageSize })))
  const pagesFetched = (yield* listRequests(fake)) - pagesBefore
  // `instanceof` holds only if the client and this file loaded the same copy of the package's modules.
  yield* expect(
    "stream",
    streamed.map((k) => k.id).join() === storeOrder.join() && pagesFetched === Math.ceil(seeded / pageSize) &&
      streamed.every((k) => k instanceof ByokKey && k.createdAt instanceof Date),
    `got ${streamed.length} keys over ${pagesFetched} pages`
  )

  const one = yield* byok.get(storeOrder[3])
  yield* expect("get", one.id === storeOrder[3] && one instanceof ByokKey, `got ${one.id}`)
  const scoped = yield* byok.get(storeOrder[4], { workspaceId: one.workspaceId })
  yield* expect("get in a workspace", scoped.id === storeOrder[4], `got ${scoped.id}`)

  const made = yield* byok.create({ provider: "openai", key: Redacted.make("sk-smoke-created-0001"), name: "smoke" })
  yield* expect(
    "create",
    made.provider === "openai" && made.name === "smoke" && !storeOrder.includes(made.id) &&
      (yield* secretOf(fake, made.id)) === "sk-smoke-created-0001",
    `got ${made.id} (${made.provider}, ${made.name})`
  )

  const rotated = yield* byok.update(made.id, { key: Redacted.make("sk-smoke-rotated-0002") })
  yield* expect(
    "update",
    rotated.id === made.id && (yield* secretOf(fake, made.id)) === "sk-smoke-rotated-0002",
    `got ${rotated.id}, the stored key was not rotated`
  )

  yield* byok.delete(made.id)
  yield* expect("delete", (yield* secretOf(fake, made.id)) === undefined, `${made.id} is still stored`)

  const missing = yield* Effect.flip(byok.get(made.id))
  yield* expect("NotFound", missing._tag === "NotFound", `got ${missing._tag}`)
})

const exit = await Effect.runPromiseExit(
  program.pipe(Effect.provide(FakeByokApi.layerByok({ client: { retry: false }, fake: { seed: seeded } })))
)

if (Exit.isSuccess(exit)) {
  console.log(`${runtime}: ${passed.join(" ")} ok`)
} else {
  const failure = Cause.squash(exit.cause)
  const reason = failure instanceof Mismatch
    ? failure.message
    : `${failure?._tag ?? "defect"}: ${failure instanceof Error ? failure.message : String(failure)}`
  console.log(`${runtime}: ${[...passed, "FAILED"].join(" ")}: ${reason}`)
  process.exit(1)
}
