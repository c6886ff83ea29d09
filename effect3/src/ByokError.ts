/**
 * Every way a BYOK operation can fail, as `Schema.TaggedError`s: yieldable, `catchTag`-able, and
 * values with fields rather than strings. Each operation's error type is exactly the statuses the
 * contract declares for it plus the failures every request can have.
 *
 * No error holds the request object, a header, or an input value: nothing here can carry a secret.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 *
 * // The failures your users can act on become messages; the others stay in the error channel, typed
 * const disable = (id: string) =>
 *   Effect.flatMap(Byok, (byok) => byok.update(id, { disabled: true })).pipe(
 *     Effect.as("disabled"),
 *     Effect.catchTags({
 *       NotFound: () => Effect.succeed("no such credential"),
 *       InvalidRequest: (error) => Effect.succeed(`not sent: ${error.issues.join("; ")}`)
 *     })
 *   )
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const httpErrorFields = {
  /** The HTTP status the server answered with. */
  status: Schema.Number,
  /** The server's message, or a description of what was wrong with the response. */
  message: Schema.String,
  /** The `error.code` the server sent, when it sent one. */
  code: Schema.optional(Schema.Number),
  /** The `error.metadata` the server sent, when it sent one. */
  metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  /** The request's method. */
  method: Schema.String,
  /** The request's URL path, without the query. */
  path: Schema.String,
  /** The `x-request-id` response header, when present: quote it to OpenRouter's support. */
  requestId: Schema.optional(Schema.String),
  /**
   * The server's `Retry-After` (seconds or an HTTP date, as a duration from when it arrived), when
   * it sent a valid one. The client waits at least this long before a retry, and does not retry
   * when it is over `maxRetryAfter`: the error reaches the caller with it.
   */
  retryAfter: Schema.optional(Schema.DurationFromSelf)
}

/**
 * 400: the server rejected the request's parameters or body.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", httpErrorFields) {}

/**
 * 401: the management key is missing or invalid.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", httpErrorFields) {}

/**
 * 403: authenticated, but the key may not do this (for example, not a management key).
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", httpErrorFields) {}

/**
 * 404: no credential with that id.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", httpErrorFields) {}

/**
 * 500: the server failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class InternalServer extends Schema.TaggedError<InternalServer>()("InternalServer", httpErrorFields) {}

/**
 * 429: too many requests. `retryAfter` is the server's `Retry-After`, when it sent a valid one.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", httpErrorFields) {}

/**
 * Any other 4XX or 5XX (or a 3XX, which this API never sends), or a declared error status whose
 * body is not the documented JSON.
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", httpErrorFields) {}

/**
 * No usable response: the connection was refused, reset or timed out, or the body broke off.
 * `reason` tells which; `Refused` is the one case where the request certainly never reached the server.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  reason: Schema.Literal("Refused", "Timeout", "Network", "BodyInterrupted"),
  message: Schema.String,
  method: Schema.String,
  path: Schema.String
}) {}

/**
 * A 2XX response whose body is not what the contract describes.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  status: Schema.Number,
  message: Schema.String,
  method: Schema.String,
  path: Schema.String,
  requestId: Schema.optional(Schema.String)
}) {}

/**
 * An input or client option that failed validation. Nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  /** What was being validated: an operation name, or `options` for the client's own options. */
  operation: Schema.String,
  message: Schema.String,
  /** One line per rejected field: its path and why. Never the rejected value. */
  issues: Schema.Array(Schema.String)
}) {}

/**
 * A create whose outcome could not be settled, with recovery on: the create was sent and met a
 * failure that leaves open whether the server stored it (a 5XX, a timeout after sending, a reset, a
 * body that broke off), and the look afterwards did not find exactly one credential it could have
 * made. `candidates` are the ids of the ones it found (none, or several): decide, then delete what
 * is not wanted. The client never guesses.
 *
 * @since 1.0.0
 * @category errors
 */
export class CreateOutcomeUnknown extends Schema.TaggedError<CreateOutcomeUnknown>()("CreateOutcomeUnknown", {
  message: Schema.String,
  /** The live credentials the create could have made: none, or more than one. */
  candidates: Schema.Array(Schema.String),
  /** The failure that left the outcome open. */
  error: Schema.Union(InternalServer, ApiError, TransportError)
}) {}

/**
 * Failures any request can have, whatever the operation.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommonError = RateLimited | ApiError | TransportError | DecodeError | InvalidRequest

/**
 * The errors of `Byok.list`, `Byok.stream` and `Byok.pages`.
 *
 * @since 0.1.0
 * @category errors
 */
export type ListError = BadRequest | Unauthorized | InternalServer | CommonError

/**
 * The errors of `Byok.get`.
 *
 * @since 0.1.0
 * @category errors
 */
export type GetError = Unauthorized | NotFound | InternalServer | CommonError

/**
 * The errors of `Byok.create`.
 *
 * @since 0.1.0
 * @category errors
 */
export type CreateError = BadRequest | Unauthorized | Forbidden | InternalServer | CommonError

/**
 * The errors of `Byok.create` with recovery on: a create whose outcome stays unknown is
 * `CreateOutcomeUnknown` rather than the failure that left it open.
 *
 * @since 1.0.0
 * @category errors
 */
export type RecoveringCreateError = CreateError | CreateOutcomeUnknown

/**
 * The errors of `Byok.update`.
 *
 * @since 0.1.0
 * @category errors
 */
export type UpdateError = BadRequest | Unauthorized | NotFound | InternalServer | CommonError

/**
 * The errors of `Byok.delete`.
 *
 * @since 0.1.0
 * @category errors
 */
export type DeleteError = Unauthorized | NotFound | InternalServer | CommonError

/**
 * Any BYOK failure.
 *
 * @since 0.1.0
 * @category errors
 */
export type ByokError = ListError | GetError | CreateError | UpdateError | DeleteError | CreateOutcomeUnknown

/** The error class of each tag, for `isByokError`. */
const classes = {
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  InternalServer,
  RateLimited,
  ApiError,
  TransportError,
  DecodeError,
  InvalidRequest,
  CreateOutcomeUnknown
} as const

/**
 * Whether `u` is one of this library's errors: an instance of the class its `_tag` names.
 *
 * @example
 * ```ts
 * import { ByokError } from "effect-openrouter-byok"
 *
 * // Among failures from several libraries, tell OpenRouter's apart
 * const source = (error: unknown) => (ByokError.isByokError(error) ? `openrouter: ${error._tag}` : "elsewhere")
 *
 * console.log(source(new ByokError.NotFound({ status: 404, message: "Not found", method: "GET", path: "/byok/x" })))
 * // openrouter: NotFound
 * console.log(source(new Error("disk full"))) // elsewhere
 * ```
 *
 * @since 0.1.0
 * @category refinements
 */
export const isByokError = (u: unknown): u is ByokError => {
  if (typeof u !== "object" || u === null) return false
  const tag = (u as { readonly _tag?: unknown })._tag
  return typeof tag === "string" && Object.hasOwn(classes, tag) && u instanceof classes[tag as keyof typeof classes]
}

/**
 * The errors that carry an HTTP status from the server.
 *
 * @since 0.1.0
 * @category errors
 */
export type HttpError = BadRequest | Unauthorized | Forbidden | NotFound | InternalServer | RateLimited | ApiError
