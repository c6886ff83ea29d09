/**
 * The five operations, each a short declaration over one `call(endpoint, request)`: the endpoint
 * row validates the input and builds the request, the pipeline does the rest. Everything per
 * client (the checked options, the prepared HttpClient, headers, retry schedules, the request
 * limit) is prepared once, in `make`.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ByokKeyPage } from "../ByokKey.js"
import * as ByokError from "../ByokError.js"
import * as ByokInput from "../ByokInput.js"
import * as RetryPolicy from "../RetryPolicy.js"
import * as Endpoints from "./endpoints.js"
import { paginate } from "./pagination.js"
import { PermitPool } from "./permitPool.js"
import { makeCall, type PreparedClient } from "./requestPipeline.js"
import type { ByokOptions, ByokService } from "../Byok.js"

/** The contract's base URL. */
export const defaultBaseUrl = "https://openrouter.ai/api/v1"
/** Per attempt, not for the whole retried operation. */
export const defaultTimeout = Duration.seconds(30)
/** The page size `stream` and `pages` use when none is given: the largest the API allows. */
export const defaultPageSize = 100
/** Attempts in flight at once per client unless told otherwise: enough for 16-page prefetch twice over, few enough that a burst reuses connections. */
export const defaultMaxConcurrentRequests = 32

/** Schema's default messages end in `, actual <the value>`; the value may be a secret pasted into the wrong field. */
const withoutActualValue = (message: string) => message.replace(/,?\s*actual [\s\S]*$/, "")

/**
 * Turns a ParseError into `InvalidRequest`, one line per rejected field. The provider key's issues
 * get a fixed text: the default message quotes the rejected value, which may be the key itself.
 */
export const invalidRequest = (operation: string, error: ParseResult.ParseError): ByokError.InvalidRequest => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => {
    const where = issue.path.length === 0 ? "(input)" : issue.path.join(".")
    const what = issue.path.includes("key") ? "must be a non-empty string wrapped in Redacted" : withoutActualValue(issue.message)
    return `${where}: ${what}`
  })
  return new ByokError.InvalidRequest({ operation, message: `invalid ${operation} input: ${issues.join("; ")}`, issues })
}

const decodeStreamOptions = Schema.decodeUnknownEither(ByokInput.StreamByokKeys)
const encodeFilters = Schema.encodeUnknownEither(ByokInput.ListByokKeys)

const loopbackHosts = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i
/**
 * Header values: visible ASCII with inner spaces, no CR/LF (header injection), NUL, bytes `fetch`
 * would reject, or blank values. The key itself has no spaces at all.
 */
const safeHeaderValue = /^[\x21-\x7e](?:[\x20-\x7e]{0,1022}[\x21-\x7e])?$/
const safeApiKey = /^[\x21-\x7e]{1,1024}$/
/** One app category, such as `cli-agent`: the header joins them with commas. */
const safeCategory = /^[a-z0-9][a-z0-9-]{0,63}$/

/**
 * The platform's client span records every header it sees. A response header is the server's to
 * fill, and one that echoes what it was sent would put a secret on the span, where it cannot be
 * scrubbed: every header but the ones this client sets itself is recorded as `<redacted>`.
 */
const headersNotOurs = /^(?!(?:accept|content-length|user-agent|http-referer|x-openrouter-title|x-openrouter-categories)$)/i

/** Checks the client's options once, when the layer is built. */
const checkOptions = (options: ByokOptions): Either.Either<{ baseUrl: string; headers: Headers.Headers }, ByokError.InvalidRequest> => {
  const issues: Array<string> = []
  const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")
  let url: URL | undefined
  try {
    url = new URL(baseUrl)
  } catch {
    issues.push("baseUrl: not a valid URL")
  }
  if (url !== undefined) {
    if (url.protocol !== "https:" && url.protocol !== "http:") issues.push("baseUrl: must be https (or http to a loopback host)")
    if (url.protocol === "http:" && !loopbackHosts.test(url.hostname)) {
      issues.push("baseUrl: refusing to send the API key over plain http to a host that is not loopback")
    }
    if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
      issues.push("baseUrl: must not carry credentials, a query or a fragment")
    }
  }
  if (!Redacted.isRedacted(options.apiKey) || !safeApiKey.test(Redacted.value(options.apiKey))) {
    issues.push("apiKey: must be a non-empty Redacted string of visible ASCII")
  }

  const headers: Record<string, string> = { accept: "application/json" }
  const optional: ReadonlyArray<[string, string, string | undefined]> = [
    ["appUrl", "http-referer", options.appUrl],
    ["appTitle", "x-openrouter-title", options.appTitle]
  ]
  for (const [option, header, value] of optional) {
    if (value === undefined) continue
    if (safeHeaderValue.test(value)) headers[header] = value
    else issues.push(`${option}: must be 1 to 1024 visible ASCII characters, not blank`)
  }
  if (options.appCategories !== undefined) {
    const categories = typeof options.appCategories === "string"
      ? options.appCategories.split(",").map((c) => c.trim())
      : options.appCategories
    if (categories.length > 0 && categories.every((c) => safeCategory.test(c))) {
      headers["x-openrouter-categories"] = categories.join(",")
    } else {
      issues.push("appCategories: each category is lowercase letters, digits and dashes, such as cli-agent")
    }
  }
  const limit = options.maxConcurrentRequests
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) issues.push("maxConcurrentRequests: must be a whole number of at least 1")
  return issues.length > 0
    ? Either.left(new ByokError.InvalidRequest({ operation: "options", message: `invalid client options: ${issues.join("; ")}`, issues }))
    : Either.right({ baseUrl, headers: Headers.fromInput(headers) })
}

/** Builds the service from a ready HttpClient and the options; fails only on invalid options. */
export const make = (
  httpClient: HttpClient.HttpClient,
  options: ByokOptions,
  requestInit: RequestInit
): Effect.Effect<ByokService, ByokError.InvalidRequest> => {
  const checked = checkOptions(options)
  if (Either.isLeft(checked)) return Effect.fail(checked.left)
  const { baseUrl, headers } = checked.right
  const schedule = options.retry === false ? undefined : options.retry ?? RetryPolicy.defaultSchedule
  const maxRetryAfter = options.maxRetryAfter === undefined ? RetryPolicy.defaultMaxRetryAfter : Duration.decode(options.maxRetryAfter)
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
    // The Byok.* span carries the method, route and status; the platform's own client span is opt-in.
    httpClient: options.httpClientSpans === true
      ? HttpClient.transformResponse(withRequestInit, Effect.locally(Headers.currentRedactedNames, [headersNotOurs]))
      : HttpClient.withTracerDisabledWhen(withRequestInit, () => true),
    baseUrl,
    headers,
    apiKey: options.apiKey,
    timeout: options.timeout === undefined ? defaultTimeout : Duration.decode(options.timeout),
    retry: schedule === undefined ? undefined : {
      idempotent: RetryPolicy.policy(schedule, "idempotent", maxRetryAfter),
      create: RetryPolicy.policy(schedule, "create", maxRetryAfter)
    },
    permits: new PermitPool(options.maxConcurrentRequests ?? defaultMaxConcurrentRequests)
  }
  const call = makeCall(client)

  /** Validates the input with the endpoint's row, then calls it; an invalid input sends nothing. */
  const run = <In, A, D extends Endpoints.DeclaredStatus>(endpoint: Endpoints.Endpoint<In, A, D>, input: In) =>
    Either.match(endpoint.encodeInput(input), {
      onLeft: (error) => Effect.fail(invalidRequest(endpoint.operation, error)),
      onRight: (wire) => call(endpoint, wire)
    })

  /** Every page, in one span named for the operation the caller used; each page has its own `Byok.list` span under it. */
  const pages = (options: ByokInput.StreamByokKeys = {}, spanName: string): Stream.Stream<ByokKeyPage, ByokError.ListError> => {
    const decoded = Either.flatMap(
      decodeStreamOptions(options),
      ({ concurrency = 1, pageSize = defaultPageSize, ...filters }) =>
        Either.map(encodeFilters(filters), (wire) => ({ concurrency, pageSize, filters: wire as Record<string, string> }))
    )
    if (Either.isLeft(decoded)) return Stream.fail(invalidRequest("stream", decoded.left))
    const { concurrency, filters, pageSize } = decoded.right
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

  return Effect.succeed({
    list: (options = {}) =>
      Effect.map(run(Endpoints.list, options), (response): ByokKeyPage => ({
        data: response.data,
        totalCount: response.total_count,
        offset: options.offset ?? 0,
        limit: options.limit ?? Endpoints.serverDefaultLimit
      })),
    pages: (options) => pages(options, "Byok.pages"),
    stream: (options) => Stream.flattenIterables(Stream.map(pages(options, "Byok.stream"), (page) => page.data)),
    get: (id) => Effect.map(run(Endpoints.get, id), (response) => response.data),
    create: (input) => Effect.map(run(Endpoints.create, input), (response) => response.data),
    update: (id, changes) => Effect.map(run(Endpoints.update, { id, changes }), (response) => response.data),
    delete: (id) => Effect.asVoid(run(Endpoints.remove, id))
  })
}
