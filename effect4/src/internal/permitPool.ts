/**
 * The request limit: a first-in-first-out pool of permits that costs O(1) per acquire and per
 * release, however many fibers wait (`shared/src/permitQueue.ts` keeps the line).
 *
 * Effect's `Semaphore` answers each release with a task on the dispatcher that resumes whichever
 * waiters fit, and the woken fiber still has to take the permit when it runs; a burst of thousands
 * of requests pays for those extra turns on every release (the request-limit rows of
 * `BENCHMARKS.md`). Here a release hands its permit straight to the oldest waiter, in the same
 * step, and only that waiter is resumed.
 */
import * as Effect from "effect/Effect"
import { PermitQueue } from "../../../shared/src/permitQueue.js"

/** A pool of `size` permits; see `withPermit`. */
export class PermitPool {
  private readonly queue: PermitQueue

  constructor(readonly size: number) {
    this.queue = new PermitQueue(size)
  }

  /** Permits not held by anyone. */
  get available(): number {
    return this.queue.available
  }

  /** Fibers waiting for a permit. */
  get waiting(): number {
    return this.queue.waiting
  }

  /**
   * Runs `self` holding one permit, waiting in line for it when none is free. The permit is
   * released when `self` ends, however it ends. A waiter interrupted in line takes no permit.
   *
   * Ownership is recorded on the ticket at the instant the permit is given, and the release is
   * installed before the wait begins, so no interruption can fall between taking and releasing.
   */
  withPermit<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.suspend(() => {
      const ticket = this.queue.ticket()
      const acquire = Effect.suspend(() =>
        this.queue.tryTake(ticket) ? Effect.void : Effect.callback<void>((resume) => {
          this.queue.enqueue(ticket, () => resume(Effect.void))
          // Interrupted while in line: leave it. Given the permit already: the release below returns it.
          return Effect.sync(() => this.queue.leave(ticket))
        })
      )
      return Effect.uninterruptibleMask((restore) =>
        Effect.ensuring(
          Effect.andThen(restore(acquire), restore(self)),
          Effect.sync(() => this.queue.release(ticket))
        )
      )
    })
  }
}
