import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Stream, TestClock } from "effect"
import { Byok } from "../src/index.js"
import { FakeByokApi, fakeId, Fault } from "../src/testing.js"
import { provideFresh, requestCount, requestsOf } from "./support.js"

const listOffsets = Effect.map(requestsOf("list"), (requests) => requests.map((r) => Number(r.query.offset ?? 0)))
const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => fakeId(from + i))
const collectIds = (stream: Stream.Stream<{ readonly id: string }, unknown>) =>
  Effect.map(Stream.runCollect(Stream.map(stream, (k) => k.id)), Chunk.toReadonlyArray)

describe("stream: lazy, and never past the end", () => {
  it.effect("makes no request until pulled", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const stream = byok.stream()
      expect(yield* requestCount).toBe(0)
      yield* Stream.runDrain(Stream.take(stream, 1))
      expect(yield* requestCount).toBe(1)
    }).pipe(provideFresh({ fake: { seed: 5 } })))

  it.effect("take(5) of 10,000 keys makes exactly one request", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const first = yield* collectIds(Stream.take(byok.stream(), 5))
      expect(first).toEqual(ids(5))
      expect(yield* listOffsets).toEqual([0])
    }).pipe(provideFresh({ fake: { seed: 10_000 } })))

  it.effect("200 keys at page size 100 take exactly 2 requests (the exact-multiple edge)", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const all = yield* collectIds(byok.stream({ pageSize: 100 }))
      expect(all).toEqual(ids(200))
      expect(yield* listOffsets).toEqual([0, 100])
    }).pipe(provideFresh({ fake: { seed: 200 } })))

  it.effect("an empty collection is one request and no keys", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      expect(yield* collectIds(byok.stream())).toEqual([])
      expect(yield* listOffsets).toEqual([0])
    }).pipe(provideFresh()))

  it.effect("pages carry their metadata", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const pages = Chunk.toReadonlyArray(yield* Stream.runCollect(byok.pages({ pageSize: 40 })))
      expect(pages.map((p) => [p.offset, p.limit, p.data.length, p.totalCount])).toEqual([
        [0, 40, 40, 90],
        [40, 40, 40, 90],
        [80, 40, 10, 90]
      ])
    }).pipe(provideFresh({ fake: { seed: 90 } })))

  it.effect("filters reach every page request", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const keys = yield* Stream.runCollect(byok.stream({ provider: "openai", pageSize: 2 }))
      expect(Chunk.size(keys)).toBe(3) // seeds rotate over 8 providers: ids 1, 9, 17
      const requests = yield* requestsOf("list")
      expect(requests.every((r) => r.query.provider === "openai" && r.query.limit === "2")).toBe(true)
      expect(requests).toHaveLength(2)
    }).pipe(provideFresh({ fake: { seed: 20 } })))
})

describe("stream: the collection changes while it is read", () => {
  it.effect("a collection that shrinks mid-stream ends cleanly", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      const seen = yield* collectIds(byok.stream({ pageSize: 100 }).pipe(
        Stream.tap((key) =>
          key.id === fakeId(100)
            // after the first page, 120 keys at the end are deleted by someone else
            ? Effect.forEach(ids(120, 131), (id) => fake.remove(id))
            : Effect.void
        )
      ))
      expect(seen).toEqual(ids(130))
      // page 2 reports the total fell by 120: keys before offset 100 may have gone, so page 1 is
      // re-read (yielding nothing new) before page 2 is read again; nothing skipped, nothing twice
      expect(yield* listOffsets).toEqual([0, 100, 0, 100])
    }).pipe(provideFresh({ fake: { seed: 250 } })))

  it.effect("a collection that grows mid-stream ends, with the new keys and no duplicates", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      const seen = yield* collectIds(byok.stream({ pageSize: 10 }).pipe(
        Stream.tap((key) => key.id === fakeId(10) ? Effect.repeatN(fake.insert({ provider: "openai" }), 4) : Effect.void)
      ))
      expect(seen).toEqual(ids(30))
    }).pipe(provideFresh({ fake: { seed: 25 } })))

  it.effect("keys shifted into the next page by an insert before the offset are not yielded twice", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      // The second page comes back shifted by 3, as after 3 inserts at the front: it repeats 3 keys.
      yield* fake.injectFault(Fault.mapBody((wire) => ({ ...wire, data: [...wire.data.slice(0, 0), ...shifted, ...wire.data.slice(0, 7)] })), {
        operation: "list"
      })
      const shifted: Array<unknown> = []
      const seen = yield* collectIds(byok.stream({ pageSize: 10 }).pipe(
        Stream.tap((key) =>
          key.id === fakeId(1)
            ? Effect.map(fake.credentials, (all) => {
              fake.unsafeFake.clearFaults()
              shifted.push(...all.slice(7, 10).map((c) => ({ id: c.key.id })))
            })
            : Effect.void
        )
      ))
      expect(new Set(seen).size).toBe(seen.length)
    }).pipe(provideFresh({ fake: { seed: 20 } })))

  it.effect("a delete before the offset mid-stream skips nothing and repeats nothing", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      const seen = yield* collectIds(byok.stream({ pageSize: 10 }).pipe(
        Stream.tap((key) => key.id === fakeId(10) ? Effect.forEach(ids(3, 2), (id) => fake.remove(id)) : Effect.void)
      ))
      expect(seen).toEqual(ids(30))
    }).pipe(provideFresh({ fake: { seed: 30 } })))
})

describe("stream: retries per page", () => {
  it.effect("a failure on page 3 retries page 3, not the stream", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      const fiber = yield* byok.stream({ pageSize: 10 }).pipe(
        Stream.tap((key) => key.id === fakeId(20) ? fake.injectFault(Fault.status(500), { operation: "list", times: 2 }) : Effect.void),
        Stream.map((k) => k.id),
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      const seen = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(seen).toEqual(ids(45))
      expect(yield* listOffsets).toEqual([0, 10, 20, 20, 20, 30, 40])
    }).pipe(provideFresh({ fake: { seed: 45 } })))

  it.effect("a page that keeps failing ends the stream with its tagged error after the keys before it", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      const seen: Array<string> = []
      const error = yield* byok.stream({ pageSize: 10 }).pipe(
        Stream.tap((key) => {
          seen.push(key.id)
          return key.id === fakeId(10) ? fake.injectFault(Fault.status(400), { operation: "list" }) : Effect.void
        }),
        Stream.runDrain,
        Effect.flip
      )
      expect(error._tag).toBe("BadRequest")
      expect(seen).toEqual(ids(10))
      expect(yield* listOffsets).toEqual([0, 10])
    }).pipe(provideFresh({ fake: { seed: 30 } })))
})

describe("stream with concurrency", () => {
  it.effect("fetches pages in parallel and emits them in offset order, with no extra request", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const seen = yield* collectIds(byok.stream({ pageSize: 100, concurrency: 4 }))
      expect(seen).toEqual(ids(1000))
      const offsets = yield* listOffsets
      expect(offsets).toHaveLength(10)
      expect([...offsets].sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900])
    }).pipe(provideFresh({ fake: { seed: 1000 } })))

  it.effect("keeps order when later pages answer first", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      const fiber = yield* byok.stream({ pageSize: 10, concurrency: 3 }).pipe(
        Stream.tap((key) =>
          key.id === fakeId(1) ? fake.injectFault(Fault.delay("3 seconds"), { operation: "list" }) : Effect.void
        ),
        Stream.map((k) => k.id),
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("5 seconds")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(ids(50))
    }).pipe(provideFresh({ fake: { seed: 50 } })))

  it.effect("stays lazy: nothing after the first page until the consumer pulls, then at most K ahead", () =>
    Effect.gen(function*() {
      const byok = yield* Byok
      const holdFirst = yield* Deferred.make<void>()
      const holdSecond = yield* Deferred.make<void>()
      const fiber = yield* byok.pages({ pageSize: 10, concurrency: 3 }).pipe(
        Stream.tap((page) =>
          page.offset === 0 ? Deferred.await(holdFirst) : page.offset === 10 ? Deferred.await(holdSecond) : Effect.void
        ),
        Stream.runCount,
        Effect.fork
      )
      yield* Effect.repeatN(Effect.yieldNow(), 50)
      expect(yield* listOffsets).toEqual([0])
      yield* Deferred.succeed(holdFirst, undefined)
      yield* Effect.repeatN(Effect.yieldNow(), 200)
      // the consumer holds page 2: pages 2, 3, 4 may be fetched (K = 3), nothing beyond
      const whileHeld = yield* listOffsets
      expect(whileHeld.length).toBeLessThanOrEqual(1 + 3 + 1)
      expect(Math.max(...whileHeld)).toBeLessThanOrEqual(40)
      yield* Deferred.succeed(holdSecond, undefined)
      expect(yield* Fiber.join(fiber)).toBe(10)
      expect(yield* listOffsets).toHaveLength(10)
    }).pipe(provideFresh({ fake: { seed: 100 } })))

  it.effect("falls back to one page at a time when total_count changes, with no duplicates", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      const byok = yield* Byok
      const seen = yield* collectIds(byok.stream({ pageSize: 10, concurrency: 4 }).pipe(
        Stream.tap((key) => key.id === fakeId(1) ? Effect.forEach(ids(5, 3), (id) => fake.remove(id)) : Effect.void)
      ))
      expect(new Set(seen).size).toBe(seen.length)
      // keys 3..7 were removed after page 1 was read; everything stored at the end was yielded
      const stored = (yield* fake.credentials).map((c) => c.key.id)
      expect(stored.every((id) => seen.includes(id))).toBe(true)
      expect(seen.slice(0, 10)).toEqual(ids(10))
    }).pipe(provideFresh({ fake: { seed: 60 } })))
})
