/**
 * A per-attempt timeout that is cheap on the request path.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/**
 * Fails with `onTimeout()` when `self` has not finished within `duration`, interrupting it.
 *
 * Timing out an arbitrary effect, and so any injected `HttpClient`, including one that ignores
 * abort signals, takes a second fiber: the request runs in it, and the caller waits for it or for
 * the timer, whichever comes first. `Effect.timeoutFail` races two forked fibers, which measured
 * about 150 µs per request. With the live clock this forks one fiber and sets one timer instead. The
 * fiber is a daemon: this function interrupts it itself when the caller is interrupted, so the
 * runtime's parent-child bookkeeping is not needed, and skipping it halved the instructions this step
 * costs. Under any other `Clock` (`TestClock`) it is `Effect.timeoutFail`, so tests move time
 * themselves.
 */
export const withDeadline = <A, E, E2>(
  self: Effect.Effect<A, E>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2> => {
  const millis = Duration.toMillis(duration)
  const timed = Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Effect.forkDaemon(restore(self)), (fiber) =>
      restore(Effect.async<A, E | E2>((resume) => {
        let settled = false
        const timer = setTimeout(() => {
          if (settled) return
          settled = true
          resume(Effect.zipRight(Fiber.interrupt(fiber), Effect.fail(onTimeout())))
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
  const fallback = Effect.timeoutFail(self, { duration, onTimeout })
  return Effect.clockWith((clock) => clock === liveClock ? timed : fallback)
}
