/**
 * Pagination as a lazy stream: no request until pulled, never a request past the end, a failing
 * page retried on its own, a collection that changes under the reader read without skips or
 * repeats, and parallel prefetch that keeps order and stays bounded.
 */
import assert from "node:assert/strict"
import { fakeId } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import type { PlainKey, PlainPage } from "../driver.js"
import {
  errorOf,
  idsOf,
  insertKey,
  requestsOf,
  type Suite,
  test,
  turns,
  until,
  valueOf,
  withSession
} from "../harness.js"

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => fakeId(from + i))
const listOffsets = (fake: Parameters<typeof requestsOf>[0]) => requestsOf(fake, "list").map((r) => Number(r.query.offset ?? 0))

const lazy = [
  test("makes no request until pulled", (driver) =>
    withSession(driver, { fake: { seed: 5 } }, async (session, fake) => {
      const pulling = await session.pull()
      assert.equal(fake.requests().length, 0)
      const first = await pulling.next()
      assert.equal(first._tag, "Chunk")
      assert.equal(fake.requests().length, 1)
      await pulling.close()
    })),

  test("taking 5 of 10,000 keys makes exactly one request", (driver) =>
    withSession(driver, { fake: { seed: 10_000 } }, async (session, fake) => {
      assert.deepEqual(idsOf(await session.run({ op: "stream", take: 5 })), ids(5))
      assert.deepEqual(listOffsets(fake), [0])
    })),

  test("200 keys at page size 100 take exactly 2 requests (the exact-multiple edge)", (driver) =>
    withSession(driver, { fake: { seed: 200 } }, async (session, fake) => {
      assert.deepEqual(idsOf(await session.run({ op: "stream", options: { pageSize: 100 } })), ids(200))
      assert.deepEqual(listOffsets(fake), [0, 100])
    })),

  test("an empty collection is one request and no keys", (driver) =>
    withSession(driver, {}, async (session, fake) => {
      assert.deepEqual(idsOf(await session.run({ op: "stream" })), [])
      assert.deepEqual(listOffsets(fake), [0])
    })),

  test("pages carry their metadata", (driver) =>
    withSession(driver, { fake: { seed: 90 } }, async (session) => {
      const pages: ReadonlyArray<PlainPage> = valueOf(await session.run({ op: "pages", options: { pageSize: 40 } }))
      assert.deepEqual(pages.map((p) => [p.offset, p.limit, p.data.length, p.totalCount]), [
        [0, 40, 40, 90],
        [40, 40, 40, 90],
        [80, 40, 10, 90]
      ])
    })),

  test("filters reach every page request", (driver) =>
    withSession(driver, { fake: { seed: 20 } }, async (session, fake) => {
      const keys: ReadonlyArray<PlainKey> = valueOf(await session.run({ op: "stream", options: { provider: "openai", pageSize: 2 } }))
      // seeds rotate over 8 providers: ids 1, 9, 17
      assert.deepEqual(keys.map((k) => k.id), [fakeId(1), fakeId(9), fakeId(17)])
      const requests = requestsOf(fake, "list")
      assert.ok(requests.every((r) => r.query.provider === "openai" && r.query.limit === "2"))
      assert.equal(requests.length, 2)
    }))
]

const changing = [
  test("a collection that shrinks mid-stream ends cleanly", (driver) =>
    withSession(driver, { fake: { seed: 250 } }, async (session, fake) => {
      const outcome = await session.run({
        op: "stream",
        options: { pageSize: 100 },
        // after the first page, 120 keys at the end are deleted by someone else
        onKey: (key) => {
          if (key.id === fakeId(100)) for (const id of ids(120, 131)) fake.remove(id)
        }
      })
      assert.deepEqual(idsOf(outcome), ids(130))
      // page 2 reports the total fell by 120: keys before offset 100 may have gone, so page 1 is
      // re-read (yielding nothing new) before page 2 is read again; nothing skipped, nothing twice
      assert.deepEqual(listOffsets(fake), [0, 100, 0, 100])
    })),

  test("a collection that grows mid-stream ends, with the new keys and no duplicates", (driver) =>
    withSession(driver, { fake: { seed: 25 } }, async (session, fake) => {
      const outcome = await session.run({
        op: "stream",
        options: { pageSize: 10 },
        onKey: (key) => {
          if (key.id === fakeId(10)) for (let i = 0; i < 5; i++) insertKey(fake, { provider: "openai" })
        }
      })
      assert.deepEqual(idsOf(outcome), ids(30))
    })),

  test("keys shifted into the next page by an insert before the offset are not yielded twice", (driver) =>
    withSession(driver, { fake: { seed: 20 } }, async (session, fake) => {
      // Once page 1 is read, page 2 comes back shifted by 3, as after 3 inserts at the front: it
      // starts with page 1's last 3 keys.
      const outcome = await session.run({
        op: "stream",
        options: { pageSize: 10 },
        onKey: (key) => {
          if (key.id !== fakeId(1)) return
          const shifted = fake.credentials().slice(7, 10).map((c) => c.wire)
          fake.injectFault(faults.mapBody((wire) => ({ ...wire, data: [...shifted, ...wire.data.slice(0, 7)] })), { operation: "list" })
        }
      })
      // Page 2 gave keys 8 to 17: 8, 9 and 10 again, which are dropped; it reached the total, so reading ended.
      assert.deepEqual(idsOf(outcome), ids(17))
    })),

  test("a delete before the offset mid-stream skips nothing and repeats nothing", (driver) =>
    withSession(driver, { fake: { seed: 30 } }, async (session, fake) => {
      const outcome = await session.run({
        op: "stream",
        options: { pageSize: 10 },
        onKey: (key) => {
          if (key.id === fakeId(10)) for (const id of ids(3, 2)) fake.remove(id)
        }
      })
      assert.deepEqual(idsOf(outcome), ids(30))
    }))
]

const retried = [
  test("a failure on page 3 retries page 3, not the stream", (driver) =>
    withSession(driver, { fake: { seed: 45 }, random: [0.5] }, async (session, fake) => {
      const running = session.start({
        op: "stream",
        options: { pageSize: 10 },
        onKey: (key) => {
          if (key.id === fakeId(20)) fake.injectFault(faults.status(500), { operation: "list", times: 2 })
        }
      })
      await session.advance(60_000)
      assert.deepEqual(idsOf(await running.done), ids(45))
      assert.deepEqual(listOffsets(fake), [0, 10, 20, 20, 20, 30, 40])
    })),

  test("a page that keeps failing ends the stream with its tagged error after the keys before it", (driver) =>
    withSession(driver, { fake: { seed: 30 } }, async (session, fake) => {
      const outcome = await session.run({
        op: "stream",
        options: { pageSize: 10 },
        onKey: (key) => {
          if (key.id === fakeId(10)) fake.injectFault(faults.status(400), { operation: "list" })
        }
      })
      assert.equal(errorOf(outcome)._tag, "BadRequest")
      assert.deepEqual(outcome.emitted.map((k) => k.id), ids(10))
      assert.deepEqual(listOffsets(fake), [0, 10])
    }))
]

const concurrent = [
  test("fetches pages in parallel and emits them in offset order, with no extra request", (driver) =>
    withSession(driver, { fake: { seed: 1000 } }, async (session, fake) => {
      assert.deepEqual(idsOf(await session.run({ op: "stream", options: { pageSize: 100, concurrency: 4 } })), ids(1000))
      const offsets = listOffsets(fake)
      assert.equal(offsets.length, 10)
      assert.deepEqual([...offsets].sort((a, b) => a - b), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900])
    })),

  test("keeps order when later pages answer first", (driver) =>
    withSession(driver, { fake: { seed: 50 } }, async (session, fake) => {
      const running = session.start({
        op: "stream",
        options: { pageSize: 10, concurrency: 3 },
        onKey: (key) => {
          if (key.id === fakeId(1)) fake.injectFault(faults.delayMillis(3_000), { operation: "list" })
        }
      })
      await session.advance(5_000)
      assert.deepEqual(idsOf(await running.done), ids(50))
    })),

  test("stays lazy: nothing after the first page until the consumer pulls, then at most K ahead", (driver) =>
    withSession(driver, { fake: { seed: 100 } }, async (session, fake) => {
      let releaseFirst!: () => void
      let releaseSecond!: () => void
      const first = new Promise<void>((resolve) => (releaseFirst = resolve))
      const second = new Promise<void>((resolve) => (releaseSecond = resolve))
      const running = session.start({
        op: "pages",
        options: { pageSize: 10, concurrency: 3 },
        onPage: (page) => page.offset === 0 ? first : page.offset === 10 ? second : undefined
      })
      await until(() => listOffsets(fake).length === 1, "the first page")
      await turns(50)
      assert.deepEqual(listOffsets(fake), [0])
      releaseFirst()
      await turns(200)
      // the consumer holds page 2: pages 2, 3, 4 may be fetched (K = 3), nothing beyond
      const whileHeld = listOffsets(fake)
      assert.ok(whileHeld.length <= 1 + 3 + 1, `${whileHeld.length} pages requested while the consumer held page 2`)
      assert.ok(Math.max(...whileHeld) <= 40, `offset ${Math.max(...whileHeld)} requested while the consumer held page 2`)
      releaseSecond()
      assert.equal(valueOf<ReadonlyArray<PlainPage>>(await running.done).length, 10)
      assert.equal(listOffsets(fake).length, 10)
    })),

  test("falls back to one page at a time when total_count changes, with no duplicates", (driver) =>
    withSession(driver, { fake: { seed: 60 } }, async (session, fake) => {
      const outcome = await session.run({
        op: "stream",
        options: { pageSize: 10, concurrency: 4 },
        onKey: (key) => {
          if (key.id === fakeId(1)) for (const id of ids(5, 3)) fake.remove(id)
        }
      })
      const seen = idsOf(outcome)
      assert.equal(new Set(seen).size, seen.length)
      // keys 3..7 were removed after page 1 was read; everything stored at the end was yielded
      assert.ok(fake.credentials().every((c) => seen.includes(c.wire.id)))
      assert.deepEqual(seen.slice(0, 10), ids(10))
    }))
]

export const pagination: Suite = {
  name: "pagination",
  tests: [],
  groups: [
    { name: "stream: lazy, and never past the end", tests: lazy },
    { name: "stream: the collection changes while it is read", tests: changing },
    { name: "stream: retries per page", tests: retried },
    { name: "stream with concurrency", tests: concurrent }
  ]
}
