/**
 * A per-attempt timeout that is cheap on the request path.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

/** The `Clock` a fiber has when nothing replaced it (a `TestClock` does). */
const liveClock = Context.get(Context.empty(), Clock.Clock)

/**
 * Fails with `onTimeout()` when `self` has not finished within `duration`, interrupting it.
 *
 * Timing out an arbitrary effect, and so any injected `HttpClient`, including one that ignores
 * abort signals, takes a second fiber: the request runs in it, and the caller waits for it or for
 * the timer, whichever comes first. With the live clock this forks one detached fiber and sets one
 * timer; this function interrupts the fiber itself when the caller is interrupted, so the runtime's
 * parent-child bookkeeping is not needed. Under any other `Clock` (a `TestClock`) it is
 * `Effect.timeoutOrElse`, so tests move time themselves.
 */
export const withDeadline = <A, E, E2>(
  self: Effect.Effect<A, E>,
  duration: Duration.Duration,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2> => {
  const timed = Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Effect.forkDetach(restore(self)), (fiber) =>
      restore(Effect.callback<A, E | E2>((resume) => {
        let settled = false
        const timer = setTimeout(() => {
          if (settled) return
          settled = true
          resume(Effect.andThen(Fiber.interrupt(fiber), Effect.fail(onTimeout())))
        }, millis)
        fiber.addObserver((exit) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resume(exit)
        })
        // the caller was interrupted: stop the timer and the request
        return Effect.suspend(() => {
          settled = true
          clearTimeout(timer)
          return Fiber.interrupt(fiber)
        })
      })))
  )
  const fallback = Effect.timeoutOrElse(self, { duration, orElse: () => Effect.fail(onTimeout()) })
  return Effect.clockWith((clock) => clock === liveClock ? timed : fallback)
}
