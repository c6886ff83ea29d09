/**
 * What one response means, decided without side effects: the endpoint's value, or the one error
 * (its tag and fields) that the status, headers and body stand for. Each Effect line turns the
 * verdict into its own tagged error class. Everything the server sends back into an error (its
 * message, metadata, request id, or a decode message quoting its body) is scrubbed of the secrets
 * the request carried, in case the server echoes them.
 */
import type { DeclaredStatus, EndpointRow } from "./endpoints.js"
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
 * `Retry-After` in milliseconds from `nowMillis`: delay-seconds or an HTTP date. `undefined` when
 * absent or unreadable; a date in the past is zero.
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = parseHttpDate(trimmed, nowMillis)
  return date === undefined ? undefined : Math.max(0, date - nowMillis)
}

/** The documented error body, `{ "error": { "code"?, "message", "metadata"? } }`, or `undefined`. */
const documentedError = (body: string | undefined) => {
  if (body === undefined) return undefined
  const json = parseJson(body)
  if (typeof json !== "object" || json === null) return undefined
  const error = (json as { readonly error?: unknown }).error
  if (typeof error !== "object" || error === null || Array.isArray(error)) return undefined
  const { code, message, metadata } = error as Record<string, unknown>
  if (typeof message !== "string") return undefined
  if (code !== undefined && typeof code !== "number") return undefined
  if (metadata !== undefined && metadata !== null && (typeof metadata !== "object" || Array.isArray(metadata))) return undefined
  return {
    message,
    code: code as number | undefined,
    metadata: (metadata ?? undefined) as Readonly<Record<string, unknown>> | undefined
  }
}

/** `undefined` when the text is not JSON. */
export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isJsonContentType = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)

/** The tags of the errors a response can stand for. */
export type HttpErrorTag = "BadRequest" | "Unauthorized" | "Forbidden" | "NotFound" | "InternalServer" | "RateLimited" | "ApiError"

/** The error tag of each status the contract documents. */
export const tagByStatus: Readonly<Record<DeclaredStatus, HttpErrorTag>> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  500: "InternalServer"
}

/** The fields every error that carries an HTTP status has. */
export interface HttpErrorFields {
  readonly status: number
  readonly message: string
  readonly method: string
  readonly path: string
  readonly code?: number
  readonly metadata?: Record<string, unknown>
  readonly requestId?: string
  /** The server's `Retry-After`, in milliseconds, when it sent a valid one. */
  readonly retryAfterMillis?: number
}

/** The fields of a `DecodeError`. */
export interface DecodeErrorFields {
  readonly status: number
  readonly message: string
  readonly method: string
  readonly path: string
  readonly requestId?: string
}

/** What a response means. */
export type Verdict<A> =
  | { readonly _tag: "Value"; readonly value: A }
  | { readonly _tag: "HttpError"; readonly tag: HttpErrorTag; readonly fields: HttpErrorFields }
  | { readonly _tag: "DecodeError"; readonly fields: DecodeErrorFields }

/** How a line's schema judged a success body: the value, or a message saying what was wrong. */
export type BodyDecoding<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly message: string }

type EndpointShape = Pick<EndpointRow, "method" | "declared" | "successStatus">

/** The `x-request-id` header, scrubbed like every other text the server sends back. */
const requestIdOf = (response: RawResponse, secrets: ReadonlyArray<string>): { requestId?: string } => {
  const id = response.headers["x-request-id"]
  return id === undefined ? {} : { requestId: scrub(id, secrets) }
}

/**
 * The error a non-success response stands for: 429 is `RateLimited`; a status the endpoint
 * declares, with the documented JSON body, is its own class; anything else is `ApiError`. Every
 * one carries the server's `Retry-After`, when it sent a valid one.
 */
const httpError = <A>(endpoint: EndpointShape, response: RawResponse, context: RequestContext): Verdict<A> => {
  const { status } = response
  const documented = documentedError(response.body)
  const retryAfterMillis = parseRetryAfter(response.headers["retry-after"], context.nowMillis)
  const fields: HttpErrorFields = {
    status,
    method: endpoint.method,
    path: context.path,
    message: response.body === undefined
      ? `HTTP ${status} with a body over the ${maxResponseBytes}-byte limit`
      : documented !== undefined
      ? scrub(documented.message, context.secrets)
      : `HTTP ${status} with an undocumented body`,
    ...(documented?.code !== undefined ? { code: documented.code } : {}),
    ...(documented?.metadata !== undefined ? { metadata: scrubMetadata(documented.metadata, context.secrets) } : {}),
    ...requestIdOf(response, context.secrets),
    ...(retryAfterMillis !== undefined ? { retryAfterMillis } : {})
  }
  const tag: HttpErrorTag = status === 429
    ? "RateLimited"
    : documented !== undefined && (endpoint.declared as ReadonlyArray<number>).includes(status)
    ? tagByStatus[status as DeclaredStatus]
    : "ApiError"
  return { _tag: "HttpError", tag, fields }
}

/**
 * The verdict on a response. Success is exactly the endpoint's success status with an
 * `application/json` body that `decodeBody` (the line's schema) accepts; another 2XX is an
 * `ApiError`, a 2XX with any other body a `DecodeError`.
 */
export const judgeResponse = <A>(
  endpoint: EndpointShape,
  response: RawResponse,
  context: RequestContext,
  decodeBody: (json: unknown) => BodyDecoding<A>
): Verdict<A> => {
  const { status } = response
  if (status !== endpoint.successStatus) {
    if (status < 200 || status >= 300) return httpError(endpoint, response, context)
    return {
      _tag: "HttpError",
      tag: "ApiError",
      fields: {
        status,
        method: endpoint.method,
        path: context.path,
        message: `HTTP ${status} where the contract gives ${endpoint.successStatus}`,
        ...requestIdOf(response, context.secrets)
      }
    }
  }
  const decodeError = (message: string): Verdict<A> => ({
    _tag: "DecodeError",
    fields: {
      status,
      method: endpoint.method,
      path: context.path,
      // it may quote the server's content type or body
      message: scrub(message, context.secrets),
      ...requestIdOf(response, context.secrets)
    }
  })
  if (response.body === undefined) return decodeError(`the response body is over the ${maxResponseBytes}-byte limit`)
  const contentType = response.headers["content-type"]
  if (!isJsonContentType(contentType)) {
    return decodeError(`expected an application/json body, got ${contentType ?? "no content type"}`)
  }
  const json = parseJson(response.body)
  if (json === undefined) return decodeError("the body is not valid JSON")
  const decoded = decodeBody(json)
  return decoded.ok ? { _tag: "Value", value: decoded.value } : decodeError(decoded.message)
}
