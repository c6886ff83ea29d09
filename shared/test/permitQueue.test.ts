/**
 * The permit queue's bookkeeping against a model of what it promises: a fixed number of permits,
 * each either free or held, never more held than there are; waiters served strictly in the order
 * they joined; a waiter that leaves is never served and costs nothing; and, whatever the order of
 * arrivals, releases and departures, no permit is lost or made. Each line's Effect wrapper is held
 * to the same promises under interruption by the shared permit-pool suite.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { fullTier, seed } from "../behaviour/harness.js"
import { PermitQueue, type Ticket } from "../src/permitQueue.js"

/**
 * A caller arrives (takes a free permit or joins the line), releases, or leaves the line. `n`
 * picks the ticket among all issued so far, in any state, so releasing a waiter or a ticket that
 * released already, and leaving with a permit in hand or twice, are tried too: each is a no-op.
 */
type Op =
  | { readonly kind: "arrive" }
  | { readonly kind: "release"; readonly n: number }
  | { readonly kind: "leave"; readonly n: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: "arrive" }),
  fc.record({ kind: fc.constant("release" as const), n: fc.nat(1_000) }),
  fc.record({ kind: fc.constant("leave" as const), n: fc.nat(1_000) })
)

/** What the queue should hold: free permits, who holds one, the line in order, who was woken in order. */
interface Model {
  free: number
  readonly holding: Set<number>
  readonly line: Array<number>
  readonly woken: Array<number>
}

/** Runs `ops` against a queue and the model side by side, comparing after every step. */
const check = (size: number, ops: ReadonlyArray<Op>) => {
  const queue = new PermitQueue(size)
  const tickets: Array<Ticket> = []
  const woken: Array<number> = []
  const joined: Array<number> = []
  const left = new Set<number>()
  const model: Model = { free: size, holding: new Set(), line: [], woken: [] }

  const compare = (step: string) => {
    expect(queue.available, step).toBe(model.free)
    expect(queue.waiting, step).toBe(model.line.length)
    expect(woken, step).toEqual(model.woken)
    expect(tickets.map((t, i) => [i, t.holding]), step).toEqual(tickets.map((_, i) => [i, model.holding.has(i)]))
    // No permit lost or made, never more held than the limit, and no one waits beside a free permit.
    expect(model.holding.size + model.free, step).toBe(size)
    expect(model.free === 0 || model.line.length === 0, step).toBe(true)
  }

  const release = (id: number) => {
    queue.release(tickets[id]!)
    if (!model.holding.delete(id)) return
    const next = model.line.shift()
    if (next === undefined) {
      model.free++
    } else {
      model.holding.add(next)
      model.woken.push(next)
    }
  }

  ops.forEach((each, i) => {
    const step = `step ${i}: ${JSON.stringify(each)}`
    if (each.kind === "arrive") {
      const id = tickets.length
      const ticket = queue.ticket()
      tickets.push(ticket)
      const took = queue.tryTake(ticket)
      if (!took) queue.enqueue(ticket, () => woken.push(id))
      if (model.free > 0) {
        model.free--
        model.holding.add(id)
      } else {
        model.line.push(id)
        joined.push(id)
      }
      expect(took, step).toBe(model.holding.has(id))
    } else if (tickets.length > 0) {
      const id = each.n % tickets.length
      if (each.kind === "release") {
        release(id)
      } else {
        queue.leave(tickets[id]!)
        const at = model.line.indexOf(id)
        if (at !== -1) {
          model.line.splice(at, 1)
          left.add(id)
        }
      }
    }
    compare(step)
  })

  // Everyone holding lets go, until the line is empty: every permit comes back.
  for (let guard = 0; model.holding.size > 0; guard++) {
    expect(guard).toBeLessThan(tickets.length + 1)
    release(Math.min(...model.holding))
    compare("draining")
  }
  expect(queue.available).toBe(size)
  expect(queue.waiting).toBe(0)
  // Every waiter that stayed was woken exactly once, in the order it joined; no one who left was.
  expect(woken).toEqual(joined.filter((id) => !left.has(id)))
  return { joined: joined.length, left: left.size }
}

describe("PermitQueue", () => {
  it("never more held than the limit, first come first served, no permit lost under random arrivals, releases and departures", () => {
    let joined = 0
    let left = 0
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 200 }), (size, ops) => {
        const reached = check(size, ops)
        joined += reached.joined
        left += reached.left
      }),
      { seed, numRuns: fullTier ? 20_000 : 1_000 }
    )
    // The property reached the cases it exists for.
    expect(joined).toBeGreaterThan(0)
    expect(left).toBeGreaterThan(0)
  })

  it("a release hands the permit straight to the oldest waiter, which is woken once, without freeing it", () => {
    const queue = new PermitQueue(1)
    const [holder, first, second] = [queue.ticket(), queue.ticket(), queue.ticket()]
    const woken: Array<string> = []
    expect(queue.tryTake(holder)).toBe(true)
    expect(queue.tryTake(first)).toBe(false)
    queue.enqueue(first, () => woken.push("first"))
    expect(queue.tryTake(second)).toBe(false)
    queue.enqueue(second, () => woken.push("second"))
    queue.release(holder)
    expect(woken).toEqual(["first"])
    expect([first.holding, queue.available, queue.waiting]).toEqual([true, 0, 1])
    // Woken but not yet running, it is interrupted: leaving is a no-op, its release passes the permit on.
    queue.leave(first)
    expect(queue.waiting).toBe(1)
    queue.release(first)
    expect(woken).toEqual(["first", "second"])
    queue.release(second)
    expect([queue.available, queue.waiting]).toEqual([1, 0])
  })
})
