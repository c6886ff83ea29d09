/**
 * The request pipeline: one attempt (send, read, time out, map the outcome to a value or a tagged
 * error), then the retry rule around it, then the operation's span. Everything that can be decided
 * once per client (headers, decoders, schedules) is decided in `makeRequestPipeline`.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ByokError from "../ByokError.js"
import type { DeclaredError, DeclaredStatus, Endpoint } from "./endpoints.js"
import { errorByStatus } from "./endpoints.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { withDeadline } from "./deadline.js"

/** Bodies larger than this are refused unread: a full page of 100 keys is about 60 KB. */
export const maxResponseBytes = 4 * 1024 * 1024

/** What the pipeline needs, prepared once when the client is built. */
export interface PipelineSettings {
  readonly httpClient: HttpClient.HttpClient
  readonly baseUrl: string
  readonly headers: Record<string, string>
  /** `undefined` turns retries off. */
  readonly schedule: Schedule.Schedule<unknown, ByokError.ByokError> | undefined
  readonly timeout: Duration.Duration
  /** Secret strings to scrub from anything the server echoes back into an error. */
  readonly secrets: ReadonlyArray<string>
  /** Attempts in flight at once through this client; more wait for a turn (not counted in their timeout). */
  readonly maxConcurrentRequests: number
  /** The `RequestInit` fetch gets: the caller's, with `redirect: "manual"`. */
  readonly requestInit: RequestInit
}

/** One call of an endpoint: the concrete path, its query, its JSON body, and span attributes. */
export interface Call {
  readonly path: string
  readonly urlParams?: Record<string, string>
  readonly body?: unknown
  /** Secrets this call sends in its body (a provider key), scrubbed from errors like the API key. */
  readonly secrets?: ReadonlyArray<string>
  readonly attributes?: Record<string, unknown>
  /**
   * What a 404 on a retried attempt stands for. A DELETE whose first attempt broke off after the
   * server acted finds the key gone on the retry: for the caller that is success, not `NotFound`.
   */
  readonly notFoundOnRetry?: unknown
}

/** Runs one endpoint call through the whole pipeline. */
export type RunEndpoint = <D extends DeclaredStatus, A, I>(
  endpoint: Endpoint<D, A, I>,
  call: Call
) => Effect.Effect<A, DeclaredError<Endpoint<D, A, I>> | ByokError.CommonError>

const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.optional(Schema.Number),
    message: Schema.String,
    metadata: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
  })
})
const decodeErrorBody = Schema.decodeUnknownEither(ErrorBody)

/** Decoders are compiled once per endpoint and kept here, not rebuilt per request. */
const decoders = new WeakMap<object, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>()
const decoderFor = <A, I>(schema: Schema.Schema<A, I>): (u: unknown) => Either.Either<A, ParseResult.ParseError> => {
  let decode = decoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEither(schema, { errors: "first" })
    decoders.set(schema, decode)
  }
  return decode as (u: unknown) => Either.Either<A, ParseResult.ParseError>
}

const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join("<redacted>")
  }
  return out
}

const scrubMetadata = (
  metadata: Readonly<Record<string, unknown>> | null | undefined,
  secrets: ReadonlyArray<string>
): Record<string, unknown> | undefined => {
  if (metadata == null) return undefined
  const json = JSON.stringify(metadata)
  const clean = scrub(json, secrets)
  return clean === json ? { ...metadata } : JSON.parse(clean)
}

/**
 * `Retry-After` as a duration from now: delay-seconds or an HTTP date. `undefined` when absent or
 * unreadable; a date in the past is zero.
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Duration.millis(Math.max(0, date - nowMillis))
}

const transportReason = (error: HttpClientError.RequestError): ByokError.TransportError["reason"] => {
  // fetch wraps the socket error: TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }).
  // A refused connection is the one failure where the request certainly never left this machine.
  let cause: unknown = error.cause
  for (let depth = 0; depth < 4 && typeof cause === "object" && cause !== null; depth++) {
    if ((cause as { code?: unknown }).code === "ECONNREFUSED") return "Refused"
    cause = (cause as { cause?: unknown }).cause
  }
  return "Network"
}

/** The `x-request-id` header, scrubbed like every other text the server sends back. */
const requestIdOf = (response: HttpClientResponse.HttpClientResponse, secrets: ReadonlyArray<string>) => {
  const id = response.headers["x-request-id"]
  return id === undefined ? undefined : scrub(id, secrets)
}

const isJsonContentType = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)

/** Builds the function that runs an endpoint call; everything per client is prepared here. */
export const makeRequestPipeline = (settings: PipelineSettings): RunEndpoint => {
  const { baseUrl, headers, httpClient, requestInit, secrets, timeout } = settings
  const timeoutMillis = Duration.toMillis(timeout)
  const permits = Effect.unsafeMakeSemaphore(settings.maxConcurrentRequests)
  // The API never redirects. Following one would send the request (a provider key in its body,
  // with a runtime that replays bodies) to wherever the answer points, and take that answer as
  // the API's: with "manual", a 3XX is an answer, and the client maps it to ApiError.
  const send = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.provideService(httpClient.execute(request), FetchHttpClient.RequestInit, requestInit)

  const retryPolicies = settings.schedule === undefined ? undefined : {
    idempotent: RetryPolicy.policy(settings.schedule, "idempotent"),
    create: RetryPolicy.policy(settings.schedule, "create")
  }

  const httpError = (
    endpoint: { readonly method: string; readonly declared: ReadonlyArray<DeclaredStatus> },
    response: HttpClientResponse.HttpClientResponse,
    path: string,
    text: string,
    callSecrets: ReadonlyArray<string>,
    nowMillis: number
  ) => {
    const status = response.status
    const requestId = requestIdOf(response, callSecrets)
    let parsed: unknown = undefined
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text)
      } catch {
        // not JSON: handled as an undocumented body below
      }
    }
    const body = decodeErrorBody(parsed)
    const fields = {
      status,
      method: endpoint.method,
      path,
      message: Either.isRight(body)
        ? scrub(body.right.error.message, callSecrets)
        : `HTTP ${status} with an undocumented body`,
      ...(Either.isRight(body) && body.right.error.code !== undefined ? { code: body.right.error.code } : {}),
      ...(Either.isRight(body) && body.right.error.metadata != null
        ? { metadata: scrubMetadata(body.right.error.metadata, callSecrets)! }
        : {}),
      ...(requestId !== undefined ? { requestId } : {})
    }
    if (status === 429) {
      const retryAfter = parseRetryAfter(response.headers["retry-after"], nowMillis)
      return new ByokError.RateLimited(retryAfter === undefined ? fields : { ...fields, retryAfter })
    }
    const declared = (endpoint.declared as ReadonlyArray<number>).includes(status) && Either.isRight(body)
    if (declared) return new errorByStatus[status as DeclaredStatus](fields)
    return new ByokError.ApiError(fields)
  }

  const attempt = <D extends DeclaredStatus, A, I>(
    endpoint: Endpoint<D, A, I>,
    request: HttpClientRequest.HttpClientRequest,
    path: string,
    callSecrets: ReadonlyArray<string>
  ): Effect.Effect<A, ByokError.ByokError> => {
    const method = endpoint.method
    const transportError = (reason: ByokError.TransportError["reason"], message: string) =>
      new ByokError.TransportError({ reason, message, method, path })
    const decodeError = (status: number, message: string, requestId: string | undefined) =>
      new ByokError.DecodeError({ status, message, method, path, ...(requestId !== undefined ? { requestId } : {}) })
    const decode = decoderFor(endpoint.response)

    const exchange = Effect.flatMap(
      Effect.mapError(
        send(request),
        (error) =>
          error._tag === "RequestError"
            ? transportError(transportReason(error), `${method} ${path}: the request failed (${error.reason})`)
            : transportError("Network", `${method} ${path}: no usable response`)
      ),
      (response): Effect.Effect<
        readonly [HttpClientResponse.HttpClientResponse, string],
        ByokError.TransportError | ByokError.DecodeError | ByokError.ApiError
      > => {
        const length = Number(response.headers["content-length"])
        if (length > maxResponseBytes) {
          const message = `response body of ${length} bytes is over the ${maxResponseBytes}-byte limit`
          // Reading one chunk and stopping aborts the response, so its connection closes now
          // instead of when the garbage collector finds the response.
          return Effect.zipRight(
            Effect.ignore(Stream.runHead(response.stream)),
            Effect.fail(
              response.status >= 200 && response.status < 300
                ? decodeError(response.status, message, requestIdOf(response, callSecrets))
                : new ByokError.ApiError({ status: response.status, message, method, path })
            )
          )
        }
        return Effect.map(
          Effect.mapError(response.text, () =>
            transportError("BodyInterrupted", `${method} ${path}: the response body broke off`)),
          (text) => [response, text] as const
        )
      }
    )

    return Effect.flatMap(
      permits.withPermits(1)(withDeadline(
        exchange,
        timeout,
        () => transportError("Timeout", `${method} ${path}: no response within ${timeoutMillis} ms`)
      )),
      ([response, text]): Effect.Effect<A, ByokError.ByokError> => {
        const status = response.status
        if (status < 200 || status >= 300) {
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.fail(httpError(endpoint, response, path, text, callSecrets, now)))
        }
        const requestId = requestIdOf(response, callSecrets)
        if (text.length > maxResponseBytes) {
          return Effect.fail(decodeError(status, `response body is over the ${maxResponseBytes}-byte limit`, requestId))
        }
        if (!isJsonContentType(response.headers["content-type"])) {
          return Effect.fail(
            decodeError(status, `expected an application/json body, got ${response.headers["content-type"] ?? "no content type"}`, requestId)
          )
        }
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          return Effect.fail(decodeError(status, "the body is not valid JSON", requestId))
        }
        const decoded = decode(json)
        return Either.isRight(decoded)
          ? Effect.as(Effect.annotateCurrentSpan("http.response.status_code", status), decoded.right)
          : Effect.fail(decodeError(status, scrub(ParseResult.TreeFormatter.formatErrorSync(decoded.left), callSecrets), requestId))
      }
    )
  }

  return <D extends DeclaredStatus, A, I>(endpoint: Endpoint<D, A, I>, call: Call) => {
    const callSecrets = call.secrets === undefined ? secrets : [...secrets, ...call.secrets]
    const request = HttpClientRequest.make(endpoint.method)(baseUrl + call.path, {
      headers,
      ...(call.urlParams !== undefined ? { urlParams: call.urlParams } : {}),
      ...(call.body !== undefined ? { body: jsonBody(call.body) } : {})
    } as HttpClientRequest.Options.NoUrl)
    const once = attempt(endpoint, request, call.path, callSecrets)
    const policy = retryPolicies === undefined
      ? undefined
      : endpoint.method === "POST"
      ? retryPolicies.create
      : retryPolicies.idempotent
    const retried = call.notFoundOnRetry === undefined
      ? once
      : Effect.catchIf(once, (error) => error._tag === "NotFound", () => Effect.succeed(call.notFoundOnRetry as A))
    // The schedule is only set up once an attempt has failed: most requests succeed the first time.
    const withRetry = policy === undefined
      ? once
      : Effect.catchAll(once, (first) => Effect.flatMap(Schedule.driver(policy), (driver) => retryAfter(driver, retried, first)))
    return Effect.withSpan(
      Effect.tapError(withRetry, (error) =>
        "status" in error ? Effect.annotateCurrentSpan("http.response.status_code", error.status) : Effect.void),
      `Byok.${endpoint.operation}`,
      {
        kind: "client",
        // a stack trace per span measured about 12 µs per request; the span's name says where it is
        captureStackTrace: false,
        attributes: {
          "http.request.method": endpoint.method,
          "http.route": endpoint.path,
          "url.path": call.path,
          ...call.attributes
        }
      }
    ) as Effect.Effect<A, DeclaredError<Endpoint<D, A, I>> | ByokError.CommonError>
  }
}

/** Waits as the schedule says after `error`, then tries again, until an attempt succeeds or the schedule ends. */
const retryAfter = <A, E>(
  driver: Schedule.ScheduleDriver<unknown, E>,
  attempt: Effect.Effect<A, E>,
  error: E
): Effect.Effect<A, E> =>
  Effect.matchEffect(driver.next(error), {
    onFailure: () => Effect.fail(error),
    onSuccess: () => Effect.catchAll(attempt, (next) => retryAfter(driver, attempt, next))
  })

const encoder = new TextEncoder()
const jsonBody = (body: unknown) => HttpBody.uint8Array(encoder.encode(JSON.stringify(body)), "application/json")
