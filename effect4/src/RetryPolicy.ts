/**
 * When a failed request is tried again. The timing and the number of attempts are a `Schedule` the
 * caller may replace; which failures are safe to retry for which method is this module's rule and
 * is not replaceable: a retried create must never leave two credentials.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Schedule from "effect/Schedule"
import type * as Rows from "../../shared/src/endpoints.js"
import * as Rule from "../../shared/src/retryRule.js"
import type * as ByokError from "./ByokError.js"

/**
 * The default timing: exponential backoff from 500 ms (×2), each delay jittered to 80–120%, and at
 * most 3 retries (4 attempts).
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultSchedule: Schedule.Schedule<unknown, unknown> = Schedule.max([
  Schedule.exponential("500 millis", 2).pipe(Schedule.jittered),
  Schedule.recurs(3)
])

/**
 * The longest `Retry-After` the client waits out unless told otherwise (the `maxRetryAfter`
 * option). A server that asks for longer gets no retry: the error reaches the caller at once,
 * `retryAfter` included, so the caller can decide.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxRetryAfter: Duration.Duration = Duration.millis(Rule.defaultMaxRetryAfterMillis)

/**
 * How a request may be retried. `idempotent` is GET, PATCH and DELETE: sending them twice does no
 * harm. `create` is POST /byok: only retried when the server certainly did not act on it.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestKind = Rows.RequestKind

/**
 * Whether `error` may be retried for a request of `kind`.
 *
 * - Both kinds: 429 (the server did not act), and a refused connection (nothing was sent).
 * - `idempotent` also: 500, 502, 503, 504, timeouts, resets and broken-off bodies.
 * - `create` never on those: the server may have stored the key before failing.
 * - Never when the server's `Retry-After` asks for longer than `maxRetryAfter`.
 *
 * @example
 * ```ts
 * import { ByokError, RetryPolicy } from "effect-openrouter-byok"
 *
 * const timeout = new ByokError.TransportError({ reason: "Timeout", message: "timed out", method: "POST", path: "/byok" })
 *
 * console.log(RetryPolicy.isRetryable("idempotent", timeout)) // true
 * console.log(RetryPolicy.isRetryable("create", timeout)) // false: the server may have stored the key
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (
  kind: RequestKind,
  error: ByokError.ByokError,
  maxRetryAfter: Duration.Duration = defaultMaxRetryAfter
): boolean => {
  const retryAfter = retryAfterOf(error)
  return Rule.isRetryable(kind, {
    _tag: error._tag,
    ...("status" in error ? { status: error.status } : {}),
    ...("reason" in error ? { reason: error.reason } : {}),
    retryAfterMillis: retryAfter === undefined ? undefined : Duration.toMillis(retryAfter)
  }, Duration.toMillis(maxRetryAfter))
}

/**
 * The server's `Retry-After` on an error that carries one.
 *
 * @since 0.1.0
 * @category getters
 */
export const retryAfterOf = (error: ByokError.ByokError): Duration.Duration | undefined =>
  "retryAfter" in error ? error.retryAfter : undefined

/**
 * The schedule the client retries with: `timing` (the default or the caller's), restricted to the
 * failures `isRetryable` allows for `kind`, and never sooner than a `Retry-After` the server sent,
 * whatever `timing` says.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Byok, RetryPolicy } from "effect-openrouter-byok"
 *
 * // A read-only step of your own, retried by the library's rule on your timing
 * const everyTenSeconds = Schedule.max([Schedule.spaced("10 seconds"), Schedule.recurs(6)])
 *
 * const total = Effect.flatMap(Byok, (byok) => byok.list({ limit: 1 })).pipe(
 *   Effect.map((page) => page.totalCount),
 *   Effect.retry(RetryPolicy.policy(everyTenSeconds, "idempotent"))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const policy = (
  timing: Schedule.Schedule<unknown, ByokError.ByokError>,
  kind: RequestKind,
  maxRetryAfter: Duration.Duration = defaultMaxRetryAfter
): Schedule.Schedule<unknown, ByokError.ByokError> =>
  Schedule.fromStep(Effect.map(Schedule.toStep(timing), (step) => (now: number, error: ByokError.ByokError) => {
    if (!isRetryable(kind, error, maxRetryAfter)) return Cause.done(undefined)
    const retryAfter = retryAfterOf(error)
    return Pull.matchEffect(step(now, error), {
      onSuccess: ([output, delay]) =>
        Effect.succeed([output, retryAfter === undefined ? delay : Duration.max(delay, retryAfter)] as [unknown, Duration.Duration]),
      onFailure: Effect.failCause,
      onDone: () => Cause.done(undefined)
    })
  }))
