/**
 * The five operations, each a short declaration over one `call(endpoint, request)`: the endpoint
 * row validates the input and builds the request, the pipeline does the rest. Everything per
 * client (the checked options, the prepared HttpClient, headers, retry schedules, the request
 * limit) is prepared once, in `make`.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { FetchHttpClient, Headers, HttpClient } from "effect/http"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as Stream from "effect/Stream"
import type { ByokKeyPage } from "../ByokKey.js"
import * as ByokError from "../ByokError.js"
import * as ByokInput from "../ByokInput.js"
import * as RetryPolicy from "../RetryPolicy.js"
import * as ClientOptions from "../../../shared/src/clientOptions.js"
import { defaultPageSize } from "../../../shared/src/endpoints.js"
import * as Endpoints from "./endpoints.js"
import { paginate } from "./pagination.js"
import { PermitPool } from "./permitPool.js"
import { makeCall, type PreparedClient } from "./requestPipeline.js"
import type { ByokOptions, ByokService, CreateOptions } from "../Byok.js"
import { createRecovering } from "./createRecovery.js"

export { defaultBaseUrl } from "../../../shared/src/clientOptions.js"

/** One issue per rejected field, with the schema's message for it; never the rejected value. */
const issueLines = SchemaIssue.makeFormatterStandardSchemaV1()

/** The issues of a rejected input, each with its path as property keys. */
export const rejectedFields = (error: Schema.SchemaError) =>
  issueLines(error.issue).issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => typeof segment === "object" ? segment.key : segment),
    message: issue.message
  }))

/**
 * Turns a SchemaError into `InvalidRequest`, one line per rejected field, never quoting a value.
 */
export const invalidRequest = (operation: string, error: Schema.SchemaError): ByokError.InvalidRequest =>
  new ByokError.InvalidRequest({ operation, ...ClientOptions.describeInvalidInput(operation, rejectedFields(error)) })

/** Every rejected field of an input, not just the first. */
const allErrors = { errors: "all" } as const
const decodeStreamOptions = Schema.decodeUnknownResult(ByokInput.StreamByokKeys)
const encodeFilters = Schema.encodeUnknownResult(ByokInput.ListByokKeys)

/** Checks the client's options once, when the layer is built. */
const checkOptions = (options: ByokOptions): Result.Result<{ baseUrl: string; headers: Headers.Headers }, ByokError.InvalidRequest> => {
  const checked = ClientOptions.checkOptions({
    ...options,
    apiKeyText: Redacted.isRedacted(options.apiKey) && typeof Redacted.value(options.apiKey) === "string"
      ? Redacted.value(options.apiKey)
      : undefined
  })
  return checked.ok
    ? Result.succeed({ baseUrl: checked.baseUrl, headers: Headers.fromInput(checked.headers) })
    : Result.fail(
      new ByokError.InvalidRequest({
        operation: "options",
        message: `invalid client options: ${checked.issues.join("; ")}`,
        issues: checked.issues
      })
    )
}

/** Builds the service from a ready HttpClient and the options; fails only on invalid options. */
export const make = (
  httpClient: HttpClient.HttpClient,
  options: ByokOptions,
  requestInit: RequestInit
): Effect.Effect<ByokService, ByokError.InvalidRequest> => {
  const checked = checkOptions(options)
  if (Result.isFailure(checked)) return Effect.fail(checked.failure)
  const { baseUrl, headers } = checked.success
  const schedule = options.retry === false ? undefined : options.retry ?? RetryPolicy.defaultSchedule
  const maxRetryAfter = options.maxRetryAfter === undefined ? RetryPolicy.defaultMaxRetryAfter : Duration.fromInputUnsafe(options.maxRetryAfter)
  const transformed = options.transformClient ? options.transformClient(httpClient) : httpClient
  // The API never redirects. Following one would send the request (a provider key in its body,
  // with a runtime that replays bodies) wherever the answer points, and take that answer as the
  // API's: with "manual", fetch hands back the 3XX, which decodes as ApiError. The setting is
  // read from the context by FetchHttpClient; other transports ignore it.
  const withRequestInit = HttpClient.transformResponse(
    transformed,
    Effect.provideService(FetchHttpClient.RequestInit, { ...requestInit, redirect: "manual" })
  )
  const client: PreparedClient = {
    // The Byok.* span carries the method, route and status; the platform's own client span is opt-in,
    // named and recording headers as it does on the other line.
    httpClient: options.httpClientSpans === true
      ? HttpClient.transformResponse(withRequestInit, (effect) =>
        effect.pipe(
          Effect.provideService(Headers.CurrentRedactedNames, [ClientOptions.headersNotOurs]),
          Effect.provideService(HttpClient.TracerHeaderFilter, () => true),
          Effect.provideService(HttpClient.SpanNameGenerator, (request) => `http.client ${request.method}`)
        ))
      : HttpClient.transformResponse(withRequestInit, Effect.provideService(HttpClient.TracerDisabledWhen, () => true)),
    baseUrl,
    headers,
    apiKey: options.apiKey,
    timeout: options.timeout === undefined ? Duration.millis(ClientOptions.defaultTimeoutMillis) : Duration.fromInputUnsafe(options.timeout),
    retry: schedule === undefined ? undefined : {
      idempotent: RetryPolicy.policy(schedule, "idempotent", maxRetryAfter),
      create: RetryPolicy.policy(schedule, "create", maxRetryAfter)
    },
    permits: new PermitPool(options.maxConcurrentRequests ?? ClientOptions.defaultMaxConcurrentRequests)
  }
  const call = makeCall(client)

  /** Validates the input with the endpoint's row, then calls it; an invalid input sends nothing. */
  const run = <In, A, D extends Endpoints.DeclaredStatus>(endpoint: Endpoints.Endpoint<In, A, D>, input: In) =>
    Result.match(endpoint.encodeInput(input), {
      onFailure: (error) => Effect.fail(invalidRequest(endpoint.operation, error)),
      onSuccess: (wire) => call(endpoint, wire)
    })

  /** Every page, in one span named for the operation the caller used; each page has its own `Byok.list` span under it. */
  const pages = (options: ByokInput.StreamByokKeys = {}, spanName: string): Stream.Stream<ByokKeyPage, ByokError.ListError> => {
    const decoded = Result.flatMap(
      decodeStreamOptions(options, allErrors),
      ({ concurrency = 1, pageSize = defaultPageSize, ...filters }) =>
        Result.map(encodeFilters(filters, allErrors), (wire) => ({ concurrency, pageSize, filters: wire as Record<string, string> }))
    )
    if (Result.isFailure(decoded)) return Stream.fail(invalidRequest("stream", decoded.failure))
    const { concurrency, filters, pageSize } = decoded.success
    const fetchPage = (offset: number) =>
      Effect.map(
        call(Endpoints.list, Endpoints.listPageRequest(filters, offset, pageSize)),
        (response): ByokKeyPage => ({ data: response.data, totalCount: response.total_count, offset, limit: pageSize })
      )
    return paginate(fetchPage, pageSize, concurrency).pipe(
      Stream.withSpan(spanName, {
        kind: "client",
        captureStackTrace: false,
        attributes: { "byok.page.size": pageSize, "byok.concurrency": concurrency }
      })
    )
  }

  const create = (input: ByokInput.CreateByokKey) => Effect.map(run(Endpoints.create, input), (response) => response.data)
  const stream = (options?: ByokInput.StreamByokKeys) => Stream.flattenIterable(Stream.map(pages(options, "Byok.stream"), (page) => page.data))
  const remove = (id: string) => Effect.asVoid(run(Endpoints.remove, id))

  return Effect.succeed({
    list: (options = {}) =>
      Effect.map(run(Endpoints.list, options), (response): ByokKeyPage => ({
        data: response.data,
        totalCount: response.total_count,
        offset: options.offset ?? 0,
        limit: options.limit ?? Endpoints.serverDefaultLimit
      })),
    pages: (options) => pages(options, "Byok.pages"),
    stream,
    get: (id, options = {}) => Effect.map(run(Endpoints.get, { id, options }), (response) => response.data),
    create: ((input: ByokInput.CreateByokKey, options?: CreateOptions) =>
      options?.recover === undefined || options.recover === false
        ? create(input)
        : createRecovering({ create, stream, delete: remove }, input, options.recover, maxRetryAfter)) as ByokService["create"],
    update: (id, changes) => Effect.map(run(Endpoints.update, { id, changes }), (response) => response.data),
    delete: remove
  })
}
