/**
 * Load: 1,000 concurrent operations through one `Byok` layer (default settings) against the
 * loopback fake, over real HTTP, through a TCP proxy that counts the connections the client opens.
 */
import { FetchHttpClient } from "@effect/platform"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { Byok, type ByokKey, type ByokService } from "../../src/index.js"
import { FakeByokApi, fakeId, type SeedCredential } from "../../src/testing.js"
import {
  apiKey,
  countingProxy,
  FakeByokServer,
  loopbackFake,
  makeTally,
  providerKeyText,
  Recorder,
  valueOf
} from "./support.js"

const tally = makeTally("load.full.test.ts")

const workspaces = {
  read: "6f1c2b3a-0000-4000-8000-00000000000a",
  create: "6f1c2b3a-0000-4000-8000-00000000000b",
  update: "6f1c2b3a-0000-4000-8000-00000000000c",
  remove: "6f1c2b3a-0000-4000-8000-00000000000d"
} as const
const counts = { read: 200, update: 150, remove: 100 }
const seed: ReadonlyArray<SeedCredential> = [
  ...Array.from({ length: counts.read }, (_, i) => ({ provider: "openai", name: `read ${i}`, workspaceId: workspaces.read })),
  ...Array.from({ length: counts.update }, (_, i) => ({ provider: "anthropic", name: `update ${i}`, workspaceId: workspaces.update })),
  ...Array.from({ length: counts.remove }, (_, i) => ({ provider: "mistral", name: `remove ${i}`, workspaceId: workspaces.remove }))
]
const readIds = Array.from({ length: counts.read }, (_, i) => fakeId(i + 1))
const updateIds = Array.from({ length: counts.update }, (_, i) => fakeId(counts.read + i + 1))
const removeIds = Array.from({ length: counts.remove }, (_, i) => fakeId(counts.read + counts.update + i + 1))

/** A fresh counting proxy in front of the loopback fake, and one client (default settings) through it. */
const throughProxy = Effect.gen(function*() {
  const server = yield* FakeByokServer
  const proxy = yield* countingProxy(Number(new URL(server.baseUrl).port))
  const byok = yield* Byok.make({ apiKey, baseUrl: `http://127.0.0.1:${proxy.port}/api/v1` }).pipe(
    Effect.provide(FetchHttpClient.layer),
    Effect.orDie
  )
  return { byok, connections: proxy.connections }
})

/** One client (default settings) through one counting proxy, for the whole file. */
class LoadClient extends Context.Tag("reliability/LoadClient")<
  LoadClient,
  { readonly byok: ByokService; readonly connections: () => number }
>() {}
const env = Layer.scoped(LoadClient, throughProxy).pipe(Layer.provideMerge(loopbackFake({ seed })))

type Expectation = (value: unknown) => void

/** How many connections the first test's burst opened, for the within-a-burst reuse test. */
let firstBurst: { readonly opened: number } | undefined

/** `n` concurrent gets of the read-only keys, checked. */
const getBurst = (byok: ByokService, n: number) =>
  Effect.gen(function*() {
    const ids = Array.from({ length: n }, (_, i) => readIds[i % counts.read]!)
    const keys = yield* Effect.all(ids.map((id) => byok.get(id)), { concurrency: "unbounded" })
    expect(keys.map((k) => k.id)).toEqual(ids)
  })

layer(env, { excludeTestServices: true })("1,000 concurrent operations through one Byok layer", (it) => {
  it.effect("1,000 mixed concurrent operations all succeed with the right results; the server sees each exactly once", () =>
    Effect.gen(function*() {
      const { byok, connections } = yield* LoadClient
      const fake = yield* FakeByokApi
      yield* fake.clearRequests
      const ops: Array<readonly [Effect.Effect<unknown, unknown>, Expectation]> = []
      for (let i = 0; i < 400; i++) {
        const id = readIds[i % counts.read]!
        ops.push([byok.get(id), (k) => expect((k as ByokKey).id).toBe(id)])
      }
      for (let i = 0; i < 200; i++) {
        const offset = (i * 7) % counts.read
        const limit = 1 + (i % 20)
        ops.push([
          byok.list({ workspaceId: workspaces.read, offset, limit }),
          (page: any) => {
            expect(page.totalCount).toBe(counts.read)
            expect(page.data.map((k: ByokKey) => k.id)).toEqual(readIds.slice(offset, offset + limit))
          }
        ])
      }
      const createdKeys = Array.from({ length: 150 }, (_, i) => providerKeyText(`load-${i}`))
      createdKeys.forEach((key, i) =>
        ops.push([
          byok.create({ provider: "openai", key: Redacted.make(key), name: `created ${i}`, workspaceId: workspaces.create }),
          (k) => expect((k as ByokKey).name).toBe(`created ${i}`)
        ])
      )
      updateIds.forEach((id, i) =>
        ops.push([byok.update(id, { name: `renamed ${i}`, disabled: true }), (k: any) => {
          expect(k.id).toBe(id)
          expect(k.name).toBe(`renamed ${i}`)
          expect(k.disabled).toBe(true)
        }])
      )
      removeIds.forEach((id) => ops.push([byok.delete(id), (v) => expect(v).toBeUndefined()]))
      expect(ops.length).toBe(1000)

      const recorder = new Recorder()
      const started = Date.now()
      const exit = yield* recorder.observe(Effect.all(ops.map(([op]) => op), { concurrency: "unbounded" }))
      const elapsed = Date.now() - started
      const opened = connections()
      firstBurst = { opened }
      console.log(`[reliability] load: 1,000 mixed concurrent operations in ${elapsed} ms over ${opened} connections`)
      const requests = yield* fake.requests

      const results = valueOf(exit)
      results.forEach((value, i) => ops[i]![1](value))

      // The server saw every operation exactly once: nothing failed, nothing was retried.
      expect(requests.length).toBe(1000)
      expect(requests.every((r) => r.authorized)).toBe(true)

      // The state is exactly what the operations asked for.
      const stored = yield* fake.credentials
      const created = stored.filter((c) => c.key.workspaceId === workspaces.create)
      expect(created.length).toBe(150)
      for (const key of createdKeys) {
        const copies = stored.filter((c) => Redacted.value(c.secret) === key).length
        tally.duplicates += Math.max(0, copies - 1)
        expect(copies).toBe(1)
      }
      const updated = stored.filter((c) => c.key.workspaceId === workspaces.update)
      expect(updated.map((c) => [c.key.id, c.key.name, c.key.disabled])).toEqual(
        updateIds.map((id, i) => [id, `renamed ${i}`, true])
      )
      expect(stored.filter((c) => c.key.workspaceId === workspaces.remove)).toEqual([])
      expect(stored.filter((c) => c.key.workspaceId === workspaces.read).map((c) => c.key.id)).toEqual(readIds)


      recorder.expectNoLeaks(
        [Redacted.value(apiKey), ...createdKeys, ...stored.map((c) => Redacted.value(c.secret))],
        tally
      )
      tally.scenarios += 1000
    }), 60_000)

  it.effect("connections are reused within a burst: the 1,000 operations above shared at most 250 connections", () =>
    Effect.sync(() => {
      expect(firstBurst, "the 1,000-operation test runs first").toBeDefined()
      expect(firstBurst!.opened).toBeLessThanOrEqual(250)
    }))

  it.effect("connections are reused across bursts: a burst of 1,000 gets right after another opens at most 100 new", () =>
    Effect.gen(function*() {
      const { byok, connections } = yield* LoadClient
      yield* getBurst(byok, 1000)
      const before = connections()
      yield* getBurst(byok, 1000)
      const opened = connections() - before
      console.log(`[reliability] load: a burst of 1,000 gets right after another opened ${opened} new connections`)
      // Idle keep-alive connections may time out on a slow machine; most must still be reused.
      expect(opened).toBeLessThanOrEqual(100)
      tally.scenarios += 2000
    }), 60_000)
})
