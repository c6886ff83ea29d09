/**
 * A first-in-first-out pool of permits that costs O(1) per acquire and per release, however many
 * fibers wait.
 *
 * Effect's `Semaphore` wakes every waiter on each release and lets them race for the permit, so a
 * burst of thousands of requests spends most of its time waking fibers that go back to sleep. Here
 * a release hands its permit straight to the oldest waiter, and only that waiter is resumed.
 */
import * as Effect from "effect/Effect"

/** One caller's claim: `holding` is set the moment a permit is theirs, by whichever side gives it. */
interface Ticket {
  holding: boolean
  resume: ((effect: Effect.Effect<void>) => void) | undefined
  previous: Ticket | undefined
  next: Ticket | undefined
}

/** A pool of `size` permits; see `withPermit`. */
export class PermitPool {
  private free: number
  private head: Ticket | undefined = undefined
  private tail: Ticket | undefined = undefined
  private queued = 0

  constructor(readonly size: number) {
    this.free = size
  }

  /** Permits not held by anyone. */
  get available(): number {
    return this.free
  }

  /** Fibers waiting for a permit. */
  get waiting(): number {
    return this.queued
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
      const ticket: Ticket = { holding: false, resume: undefined, previous: undefined, next: undefined }
      return Effect.uninterruptibleMask((restore) =>
        Effect.ensuring(
          Effect.zipRight(restore(Effect.suspend(() => this.acquire(ticket))), restore(self)),
          Effect.sync(() => {
            if (ticket.holding) this.release()
          })
        )
      )
    })
  }

  private acquire(ticket: Ticket): Effect.Effect<void> {
    // A free permit means nobody is waiting: a release hands its permit to a waiter before freeing it.
    if (this.free > 0) {
      this.free--
      ticket.holding = true
      return Effect.void
    }
    return Effect.async<void>((resume) => {
      ticket.resume = resume
      ticket.previous = this.tail
      if (this.tail === undefined) this.head = ticket
      else this.tail.next = ticket
      this.tail = ticket
      this.queued++
      // Interrupted while in line: leave it. Given the permit already: the release above returns it.
      return Effect.sync(() => {
        if (!ticket.holding) this.unlink(ticket)
      })
    })
  }

  private release(): void {
    const next = this.head
    if (next === undefined) {
      this.free++
      return
    }
    const resume = next.resume!
    this.unlink(next)
    next.holding = true
    resume(Effect.void)
  }

  private unlink(ticket: Ticket): void {
    if (ticket.previous === undefined) this.head = ticket.next
    else ticket.previous.next = ticket.next
    if (ticket.next === undefined) this.tail = ticket.previous
    else ticket.next.previous = ticket.previous
    ticket.previous = undefined
    ticket.next = undefined
    ticket.resume = undefined
    this.queued--
  }
}
