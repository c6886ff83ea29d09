/**
 * The request pipeline, in named steps: build the request, send it once (a permit, a deadline, the
 * body read within its size limit), decode the response (`responseDecoding.ts`), retry as the
 * endpoint's retry kind allows, and wrap it all in the operation's span. `makeCall` puts them
 * together for a client whose settings were prepared once, when its layer was built.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Cause from "effect/Cause"
import * as Option from "effect/Option"
import * as Pull from "effect/Pull"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type { Headers, HttpClient, HttpClientError, HttpClientResponse } from "effect/http"
import { HttpBody, HttpClientRequest } from "effect/http"
import * as ByokError from "../ByokError.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { withDeadline } from "./deadline.js"
import type { DeclaredError, DeclaredStatus, Endpoint, WireRequest } from "./endpoints.js"
import type { PermitPool } from "./permitPool.js"
import { decodeResponse, maxResponseBytes, type RawResponse, scrub } from "./responseDecoding.js"

/** A client's settings, prepared once when its layer is built. */
export interface PreparedClient {
  /** The caller's HttpClient, with the caller's transform and the transport settings applied. */
  readonly httpClient: HttpClient.HttpClient
  readonly baseUrl: string
  /** The headers every request carries, except `Authorization`. */
  readonly headers: Headers.Headers
  /** Unwrapped only into the `Authorization` header of a request being built. */
  readonly apiKey: Redacted.Redacted<string>
  readonly timeout: Duration.Duration
  /** The retry schedule for each retry kind; `undefined` when retries are off. */
  readonly retry: { readonly [K in RetryPolicy.RequestKind]: Schedule.Schedule<unknown, ByokError.ByokError> } | undefined
  /** Attempts in flight at once through this client. */
  readonly permits: PermitPool
}

type AnyRow = Endpoint<any, any, DeclaredStatus>

// ---------------------------------------------------------------------------------------------
// Step 1: build the request.
// ---------------------------------------------------------------------------------------------

const encoder = new TextEncoder()

/** The HttpClientRequest for a wire request: base URL, headers, the bearer token, the query and the JSON body. */
export const buildRequest = (client: PreparedClient, endpoint: AnyRow, wire: WireRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.bearerToken(
    HttpClientRequest.make(endpoint.method)(client.baseUrl + wire.path, {
      headers: client.headers,
      ...(wire.query !== undefined ? { urlParams: wire.query } : {}),
      ...(wire.body !== undefined
        ? { body: HttpBody.uint8Array(encoder.encode(JSON.stringify(wire.body)), "application/json") }
        : {})
    }),
    client.apiKey
  )

// ---------------------------------------------------------------------------------------------
// Step 2: send it once.
// ---------------------------------------------------------------------------------------------

const transportReason = (error: HttpClientError.HttpClientError): ByokError.TransportError["reason"] => {
  // fetch wraps the socket error: TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
  // undici's own client throws it directly. A refused connection is the one failure where the
  // request certainly never left this machine.
  let cause: unknown = error.cause
  for (let depth = 0; depth < 4 && typeof cause === "object" && cause !== null; depth++) {
    if ((cause as { code?: unknown }).code === "ECONNREFUSED") return "Refused"
    cause = (cause as { cause?: unknown }).cause
  }
  return "Network"
}

/** Whether the request never got a response at all, as opposed to a response whose body failed. */
const isRequestFailure = (error: HttpClientError.HttpClientError) =>
  error.reason._tag === "TransportError" || error.reason._tag === "EncodeError" || error.reason._tag === "InvalidUrlError"

const decoder = new TextDecoder()

/**
 * The body as text, or `undefined` when it is over `maxResponseBytes`. With a `content-length`
 * the size is known before reading; without one (a chunked body) it is counted while reading, and
 * reading stops at the limit. Stopping early aborts the response, so its connection closes now
 * rather than when the garbage collector finds it.
 */
export const readBody = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string | undefined, HttpClientError.HttpClientError> => {
  const declared = response.headers["content-length"]
  if (declared !== undefined) {
    return Number(declared) > maxResponseBytes
      ? Effect.as(Effect.ignore(Stream.runHead(response.stream)), undefined)
      : response.text
  }
  const read = Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return Effect.map(
      Stream.runForEachWhile(response.stream, (chunk) =>
        Effect.sync(() => {
          chunks.push(chunk)
          size += chunk.length
          return size <= maxResponseBytes
        })),
      () => {
        if (size > maxResponseBytes) return undefined
        const bytes = new Uint8Array(size)
        let offset = 0
        for (const chunk of chunks) {
          bytes.set(chunk, offset)
          offset += chunk.length
        }
        return decoder.decode(bytes)
      }
    )
  })
  // A response without a body (a 204, say) has nothing to stream: that is an empty body, not a broken one.
  return Effect.catchIf(read, (error) => error.reason._tag === "EmptyBodyError", () => Effect.succeed(""))
}

/**
 * One exchange with the server: wait for a permit (not counted in the timeout), send, and read the
 * body, all within the attempt's deadline. Fails only when there is no usable response.
 */
export const sendOnce = (
  client: PreparedClient,
  endpoint: AnyRow,
  request: HttpClientRequest.HttpClientRequest,
  path: string
): Effect.Effect<RawResponse, ByokError.TransportError> => {
  const { method } = endpoint
  const transportError = (reason: ByokError.TransportError["reason"], message: string) =>
    new ByokError.TransportError({ reason, message, method, path })
  const exchange = Effect.flatMap(client.httpClient.execute(request), (response) =>
    Effect.map(readBody(response), (body): RawResponse => ({ status: response.status, headers: response.headers, body })))
  const timeoutMillis = Duration.toMillis(client.timeout)
  return client.permits.withPermit(
    withDeadline(
      Effect.mapError(exchange, (error) =>
        isRequestFailure(error)
          ? transportError(transportReason(error), `${method} ${path}: the request failed (${error.reason._tag.replace(/Error$/, "")})`)
          : transportError("BodyInterrupted", `${method} ${path}: the response body broke off`)),
      client.timeout,
      timeoutMillis,
      () => transportError("Timeout", `${method} ${path}: no response within ${timeoutMillis} ms`)
    )
  )
}

// ---------------------------------------------------------------------------------------------
// Step 3 is `decodeResponse`. Step 4: the attempt, retried.
// ---------------------------------------------------------------------------------------------

/** What the operation's span says once the call ends: how many attempts, and the latest one's outcome. */
interface CallRecord {
  /** Set by the retry step as each retry starts. */
  attempts: number
  status: number | undefined
  requestId: string | undefined
}

/** One attempt: send, then decode; `record` keeps the latest outcome for the span. */
export const attemptOnce = <A>(
  client: PreparedClient,
  endpoint: Endpoint<any, A, DeclaredStatus>,
  request: HttpClientRequest.HttpClientRequest,
  wire: WireRequest,
  secrets: ReadonlyArray<string>,
  record: CallRecord
): Effect.Effect<A, ByokError.ByokError> =>
  Effect.flatMap(sendOnce(client, endpoint, request, wire.path), (response) => {
    const decide = (nowMillis: number): Effect.Effect<A, ByokError.ByokError> => {
      const decoded = decodeResponse(endpoint, response, { path: wire.path, secrets, nowMillis })
      if (Result.isFailure(decoded)) {
        record.status = statusOf(decoded.failure)
        record.requestId = requestIdOf(decoded.failure)
        return Effect.fail(decoded.failure)
      }
      const requestId = response.headers["x-request-id"]
      record.status = response.status
      record.requestId = requestId === undefined ? undefined : scrub(requestId, secrets)
      return Effect.succeed(decoded.success)
    }
    // Only an error's Retry-After can be a date, so only an error needs the clock.
    return response.status === endpoint.successStatus
      ? decide(0)
      : Effect.clockWith((clock) => decide(clock.currentTimeMillisUnsafe()))
  })

const statusOf = (error: ByokError.ByokError) => "status" in error ? error.status : undefined
const requestIdOf = (error: ByokError.ByokError) => "requestId" in error ? error.requestId : undefined

/** Adds an event to the operation's span for a retry about to start. */
const recordRetry = (attempt: number, after: ByokError.ByokError) =>
  Effect.flatMap(Effect.option(Effect.currentSpan), (span) =>
    Option.isNone(span) ? Effect.void : Effect.clockWith((clock) =>
      Effect.sync(() => {
        const retryAfter = RetryPolicy.retryAfterOf(after)
        const status = statusOf(after)
        span.value.event("byok.retry", clock.currentTimeNanosUnsafe(), {
          "byok.attempt": attempt,
          "error.type": after._tag,
          ...(status !== undefined ? { "http.response.status_code": status } : {}),
          ...(retryAfter !== undefined ? { "byok.retry_after_ms": Duration.toMillis(retryAfter) } : {})
        })
      })))

/**
 * Runs `attempt` and, after a failure the endpoint's retry kind allows, runs it again when the
 * schedule says, until one succeeds or the schedule ends; each retry is an event on the span. The
 * schedule is only set up after a failure: most requests succeed the first time. On a retried
 * attempt, a 404 means success when the endpoint says so (`notFoundOnRetry`). `onRetry` is told
 * the number of each attempt that retries.
 */
export const withRetry = <A>(
  attempt: Effect.Effect<A, ByokError.ByokError>,
  endpoint: Pick<Endpoint<any, A, DeclaredStatus>, "notFoundOnRetry">,
  schedule: Schedule.Schedule<unknown, ByokError.ByokError> | undefined,
  onRetry: (attempt: number) => void = () => {}
): Effect.Effect<A, ByokError.ByokError> => {
  if (schedule === undefined) return attempt
  const notFoundOnRetry = endpoint.notFoundOnRetry
  const again = notFoundOnRetry === undefined
    ? attempt
    : Effect.catchIf(attempt, (error) => error._tag === "NotFound", () => Effect.succeed(notFoundOnRetry))
  type Step = (now: number, error: ByokError.ByokError) => Pull.Pull<[unknown, Duration.Duration], ByokError.ByokError, unknown>
  const loop = (step: Step, error: ByokError.ByokError, n: number): Effect.Effect<A, ByokError.ByokError> =>
    Effect.clockWith((clock) =>
      Pull.matchEffect(step(clock.currentTimeMillisUnsafe(), error), {
        onDone: () => Effect.fail(error),
        onFailure: Effect.failCause,
        onSuccess: ([, delay]) =>
          Effect.sleep(delay).pipe(
            Effect.andThen(Effect.sync(() => onRetry(n))),
            Effect.andThen(recordRetry(n, error)),
            Effect.andThen(Effect.catch(again, (next) => loop(step, next, n + 1)))
          )
      })
    )
  return Effect.catch(attempt, (error) => Effect.flatMap(Schedule.toStep(schedule), (step) => loop(step, error, 2)))
}

// ---------------------------------------------------------------------------------------------
// Step 5: the span, and all the steps together.
// ---------------------------------------------------------------------------------------------

/** Runs one endpoint call through the whole pipeline. */
export type Call = <A, D extends DeclaredStatus>(
  endpoint: Endpoint<any, A, D>,
  wire: WireRequest
) => Effect.Effect<A, DeclaredError<Endpoint<any, A, D>> | ByokError.CommonError>

const failedWith = (exit: Exit.Exit<unknown, ByokError.ByokError>): string | undefined =>
  exit._tag === "Failure" ? Option.getOrUndefined(Cause.findErrorOption(exit.cause))?._tag : undefined

/** The pipeline of a prepared client. */
export const makeCall = (client: PreparedClient): Call => (endpoint, wire) => {
  const request = buildRequest(client, endpoint, wire)
  const schedule = client.retry?.[endpoint.retry]
  const secrets = wire.secrets === undefined
    ? [Redacted.value(client.apiKey)]
    : [Redacted.value(client.apiKey), ...wire.secrets]
  return Effect.useSpan(`Byok.${endpoint.operation}`, {
    kind: "client",
    attributes: {
      "http.request.method": endpoint.method,
      "http.route": endpoint.path,
      "url.path": wire.path,
      ...wire.attributes
    }
  }, (span) => {
    const record: CallRecord = { attempts: 1, status: undefined, requestId: undefined }
    return withRetry(attemptOnce(client, endpoint, request, wire, secrets, record), endpoint, schedule, (n) => {
      record.attempts = n
    }).pipe(
      // The span's own outcome, written straight onto it once the call has ended.
      Effect.onExit((exit) =>
        Effect.sync(() => {
          span.attribute("byok.attempts", record.attempts)
          if (record.status !== undefined) span.attribute("http.response.status_code", record.status)
          if (record.requestId !== undefined) span.attribute("byok.request_id", record.requestId)
          const tag = failedWith(exit)
          if (tag !== undefined) span.attribute("error.type", tag)
        })
      ),
      // a stack trace taken here measured about 10 µs per request; the span's name says where it is
      Effect.withParentSpan(span, { captureStackTrace: false })
    )
  }) as Effect.Effect<any, any>
}
