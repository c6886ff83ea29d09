/**
 * The bookkeeping of a first-in-first-out pool of permits that costs O(1) per acquire and per
 * release, however many wait: free permits, and a doubly linked line of tickets. A release hands its
 * permit straight to the oldest ticket and wakes only that one. Each line wraps this in its own
 * Effect (`internal/permitPool.ts`), which supplies the wake-up.
 */

/** One caller's claim: `holding` is set the moment a permit is theirs, by whichever side gives it. */
export interface Ticket {
  holding: boolean
  /** Wakes the waiter; set while it is in line. */
  wake: (() => void) | undefined
  previous: Ticket | undefined
  next: Ticket | undefined
}

/** Free permits and the line of waiters. */
export class PermitQueue {
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

  /** Waiters in line. */
  get waiting(): number {
    return this.queued
  }

  /** A new ticket, not in line and holding nothing. */
  ticket(): Ticket {
    return { holding: false, wake: undefined, previous: undefined, next: undefined }
  }

  /**
   * Takes a free permit for `ticket` when there is one. A free permit means nobody is waiting: a
   * release hands its permit to a waiter before freeing it.
   */
  tryTake(ticket: Ticket): boolean {
    if (this.free === 0) return false
    this.free--
    ticket.holding = true
    return true
  }

  /** Puts `ticket` at the end of the line; `wake` is called once a permit is its. */
  enqueue(ticket: Ticket, wake: () => void): void {
    ticket.wake = wake
    ticket.previous = this.tail
    if (this.tail === undefined) this.head = ticket
    else this.tail.next = ticket
    this.tail = ticket
    this.queued++
  }

  /** A waiter gave up (interrupted): it leaves the line unless it was handed a permit already. */
  leave(ticket: Ticket): void {
    if (!ticket.holding && ticket.wake !== undefined) this.unlink(ticket)
  }

  /** Gives the permit of a ticket that holds one to the oldest waiter, or frees it. */
  release(ticket: Ticket): void {
    if (!ticket.holding) return
    ticket.holding = false
    const next = this.head
    if (next === undefined) {
      this.free++
      return
    }
    const wake = next.wake!
    this.unlink(next)
    next.holding = true
    wake()
  }

  private unlink(ticket: Ticket): void {
    if (ticket.previous === undefined) this.head = ticket.next
    else ticket.previous.next = ticket.next
    if (ticket.next === undefined) this.tail = ticket.previous
    else ticket.next.previous = ticket.previous
    ticket.previous = undefined
    ticket.next = undefined
    ticket.wake = undefined
    this.queued--
  }
}
