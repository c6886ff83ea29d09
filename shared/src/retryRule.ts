/**
 * Which failures may be retried, for which kind of request. The timing is each caller's `Schedule`;
 * this rule is the library's and is not replaceable: a retried create must never leave two
 * credentials.
 */
import type { RequestKind } from "./endpoints.js"

/** What the rule looks at in a failure. */
export interface FailureFacts {
  readonly _tag: string
  readonly status?: number
  readonly reason?: string
  /** The server's `Retry-After`, in milliseconds. */
  readonly retryAfterMillis?: number | undefined
}

const retryableStatuses: ReadonlySet<number> = new Set([500, 502, 503, 504])

/** The longest `Retry-After` the client waits out unless told otherwise: 60 seconds. */
export const defaultMaxRetryAfterMillis = 60_000

/**
 * Whether a failure may be retried for a request of `kind`.
 *
 * - Both kinds: 429 (the server did not act), and a refused connection (nothing was sent).
 * - `idempotent` also: 500, 502, 503, 504, timeouts, resets and broken-off bodies.
 * - `create` never on those: the server may have stored the key before failing.
 * - Never when the server's `Retry-After` asks for longer than `maxRetryAfterMillis`.
 */
export const isRetryable = (kind: RequestKind, failure: FailureFacts, maxRetryAfterMillis: number): boolean => {
  if (failure.retryAfterMillis !== undefined && failure.retryAfterMillis > maxRetryAfterMillis) return false
  switch (failure._tag) {
    case "RateLimited":
      return true
    case "TransportError":
      return kind === "idempotent" || failure.reason === "Refused"
    case "InternalServer":
    case "ApiError":
      return kind === "idempotent" && failure.status !== undefined && retryableStatuses.has(failure.status)
    default:
      return false
  }
}

/**
 * Whether a failed create may have stored the credential: it was sent, and no definite answer came
 * back (a timeout after sending, a reset, a body that broke off, or a 500, 502, 503 or 504).
 */
export const isAmbiguousCreateFailure = (failure: FailureFacts): boolean => {
  switch (failure._tag) {
    case "TransportError":
      return failure.reason !== "Refused"
    case "InternalServer":
    case "ApiError":
      return failure.status !== undefined && retryableStatuses.has(failure.status)
    default:
      return false
  }
}
