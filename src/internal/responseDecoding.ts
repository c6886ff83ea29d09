/**
 * What one response means, decided without side effects: the endpoint's value, or the one tagged
 * error the status, headers and body stand for. Everything the server sends back into an error
 * (its message, metadata, request id, or a decode message quoting its body) is scrubbed of the
 * secrets the request carried, in case the server echoes them.
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ByokError from "../ByokError.js"
import { type DeclaredStatus, type Endpoint, errorByStatus } from "./endpoints.js"
import { parseHttpDate } from "./wireTime.js"

/** Bodies larger than this are not read: a full page of 100 keys is about 60 KB. */
export const maxResponseBytes = 4 * 1024 * 1024

/** One attempt's response: `body` is `undefined` when it was over `maxResponseBytes` and was not read. */
export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string | undefined
}

/** What the decoder needs to know about the request. */
export interface RequestContext {
  /** The request's URL path, without the query. */
  readonly path: string
  /** Every secret the request carried. */
  readonly secrets: ReadonlyArray<string>
  /** When the response arrived, for a `Retry-After` given as a date. */
  readonly nowMillis: number
}

/** Replaces every occurrence of a secret with `<redacted>`. */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join("<redacted>")
  }
  return out
}

const scrubMetadata = (metadata: Readonly<Record<string, unknown>>, secrets: ReadonlyArray<string>): Record<string, unknown> => {
  const json = JSON.stringify(metadata)
  const clean = scrub(json, secrets)
  return clean === json ? { ...metadata } : JSON.parse(clean)
}

/**
 * `Retry-After` as a duration from `nowMillis`: delay-seconds or an HTTP date. `undefined` when
 * absent or unreadable; a date in the past is zero.
 */
const parseRetryAfter = (value: string | undefined, nowMillis: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = parseHttpDate(trimmed, nowMillis)
  return date === undefined ? undefined : Duration.millis(Math.max(0, date - nowMillis))
}

const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.optional(Schema.Number),
    message: Schema.String,
    metadata: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
  })
})
const decodeErrorBody = Schema.decodeUnknownEither(ErrorBody)

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isJsonContentType = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)

type EndpointShape = Pick<Endpoint<unknown, unknown, DeclaredStatus>, "method" | "declared">

/** The `x-request-id` header, scrubbed like every other text the server sends back. */
const requestIdOf = (response: RawResponse, secrets: ReadonlyArray<string>) => {
  const id = response.headers["x-request-id"]
  return id === undefined ? {} : { requestId: scrub(id, secrets) }
}

/**
 * The error a non-success response stands for: 429 is `RateLimited`; a status the endpoint
 * declares, with the documented JSON body, is its own class; anything else is `ApiError`. Every
 * one carries the server's `Retry-After`, when it sent a valid one.
 */
const httpError = (endpoint: EndpointShape, response: RawResponse, context: RequestContext): ByokError.HttpError => {
  const { status } = response
  const body = response.body === undefined ? undefined : decodeErrorBody(parseJson(response.body))
  const documented = body !== undefined && Either.isRight(body) ? body.right.error : undefined
  const retryAfter = parseRetryAfter(response.headers["retry-after"], context.nowMillis)
  const fields = {
    status,
    method: endpoint.method,
    path: context.path,
    message: response.body === undefined
      ? `HTTP ${status} with a body over the ${maxResponseBytes}-byte limit`
      : documented !== undefined
      ? scrub(documented.message, context.secrets)
      : `HTTP ${status} with an undocumented body`,
    ...(documented?.code !== undefined ? { code: documented.code } : {}),
    ...(documented?.metadata != null ? { metadata: scrubMetadata(documented.metadata, context.secrets) } : {}),
    ...requestIdOf(response, context.secrets),
    ...(retryAfter !== undefined ? { retryAfter } : {})
  }
  if (status === 429) return new ByokError.RateLimited(fields)
  if (documented !== undefined && (endpoint.declared as ReadonlyArray<number>).includes(status)) {
    return new errorByStatus[status as DeclaredStatus](fields)
  }
  return new ByokError.ApiError(fields)
}

/**
 * The value of a response, or the error it stands for. Success is exactly the endpoint's success
 * status with an `application/json` body that the endpoint's schema accepts; another 2XX is an
 * `ApiError`, a 2XX with any other body a `DecodeError`.
 */
export const decodeResponse = <A>(
  endpoint: Pick<Endpoint<unknown, A, DeclaredStatus>, "method" | "declared" | "successStatus" | "decodeResponse">,
  response: RawResponse,
  context: RequestContext
): Either.Either<A, ByokError.ByokError> => {
  const { status } = response
  if (status !== endpoint.successStatus) {
    if (status < 200 || status >= 300) return Either.left(httpError(endpoint, response, context))
    return Either.left(
      new ByokError.ApiError({
        status,
        method: endpoint.method,
        path: context.path,
        message: `HTTP ${status} where the contract gives ${endpoint.successStatus}`,
        ...requestIdOf(response, context.secrets)
      })
    )
  }
  const decodeError = (message: string) =>
    Either.left(
      new ByokError.DecodeError({
        status,
        method: endpoint.method,
        path: context.path,
        // it may quote the server's content type or body
        message: scrub(message, context.secrets),
        ...requestIdOf(response, context.secrets)
      })
    )
  if (response.body === undefined) return decodeError(`the response body is over the ${maxResponseBytes}-byte limit`)
  const contentType = response.headers["content-type"]
  if (!isJsonContentType(contentType)) {
    return decodeError(`expected an application/json body, got ${contentType ?? "no content type"}`)
  }
  const json = parseJson(response.body)
  if (json === undefined) return decodeError("the body is not valid JSON")
  const decoded = endpoint.decodeResponse(json)
  return Either.isRight(decoded)
    ? Either.right(decoded.right)
    : decodeError(ParseResult.TreeFormatter.formatErrorSync(decoded.left))
}
