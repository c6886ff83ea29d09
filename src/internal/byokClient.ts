/**
 * The five operations, each a short declaration over the request pipeline: validate the input with
 * its Schema, name the endpoint and the path, and let the pipeline do the rest.
 */
import * as HttpClient from "@effect/platform/HttpClient"
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
import { makeRequestPipeline } from "./requestPipeline.js"
import type { ByokOptions, ByokService } from "../Byok.js"

/** The contract's base URL. */
export const defaultBaseUrl = "https://openrouter.ai/api/v1"
/** Per attempt, not for the whole retried operation. */
export const defaultTimeout = Duration.seconds(30)
/** The page size `stream` and `pages` use when none is given: the largest the API allows. */
export const defaultPageSize = 100
/** Attempts in flight at once per client unless told otherwise: enough for 16-page prefetch twice over, few enough that a burst reuses connections. */
export const defaultMaxConcurrentRequests = 32
/** The server's own default `limit`. */
const serverDefaultLimit = 50

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

const encodeList = Schema.encodeUnknownEither(ByokInput.ListByokKeys)
const decodeStreamOptions = Schema.decodeUnknownEither(ByokInput.StreamByokKeys)
const encodeCreate = Schema.encodeUnknownEither(ByokInput.CreateByokKey)
const encodeUpdate = Schema.encodeUnknownEither(ByokInput.UpdateByokKey)
const decodeId = Schema.decodeUnknownEither(ByokInput.Uuid)

const loopbackHosts = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i
/**
 * Header values: visible ASCII with inner spaces, no CR/LF (header injection), NUL, bytes `fetch`
 * would reject, or blank values. The key itself has no spaces at all.
 */
const safeHeaderValue = /^[\x21-\x7e](?:[\x20-\x7e]{0,1022}[\x21-\x7e])?$/
const safeApiKey = /^[\x21-\x7e]{1,1024}$/
/** One app category, such as `cli-agent`: the header joins them with commas. */
const safeCategory = /^[a-z0-9][a-z0-9-]{0,63}$/

/** Checks the client's options once, when the layer is built. */
const checkOptions = (options: ByokOptions): Either.Either<{ baseUrl: string; headers: Record<string, string> }, ByokError.InvalidRequest> => {
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
  const apiKey = Redacted.isRedacted(options.apiKey) ? Redacted.value(options.apiKey) : undefined
  if (apiKey === undefined || !safeApiKey.test(apiKey)) issues.push("apiKey: must be a non-empty Redacted string of visible ASCII")

  const headers: Record<string, string> = {
    accept: "application/json",
    authorization: `Bearer ${apiKey}`
  }
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
    : Either.right({ baseUrl, headers })
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

  const transformed = options.transformClient ? options.transformClient(httpClient) : httpClient
  const run = makeRequestPipeline({
    // The Byok.* span carries the method, path and status; the platform's own client span is opt-in.
    httpClient: options.httpClientSpans === true ? transformed : HttpClient.withTracerDisabledWhen(transformed, () => true),
    requestInit: { ...requestInit, redirect: "manual" },
    maxConcurrentRequests: options.maxConcurrentRequests ?? defaultMaxConcurrentRequests,
    baseUrl,
    headers,
    schedule: options.retry === false ? undefined : options.retry ?? RetryPolicy.defaultSchedule,
    timeout: options.timeout === undefined ? defaultTimeout : Duration.decode(options.timeout),
    secrets: [Redacted.value(options.apiKey)]
  })

  const keyPath = (operation: string, id: unknown) => {
    const decoded = decodeId(id)
    return Either.isRight(decoded)
      ? Either.right(`/byok/${encodeURIComponent(decoded.right)}`)
      : Either.left(invalidRequest(operation, decoded.left))
  }

  const list = (options: ByokInput.ListByokKeys = {}): Effect.Effect<ByokKeyPage, ByokError.ListError> => {
    const query = encodeList(options)
    if (Either.isLeft(query)) return Effect.fail(invalidRequest("list", query.left))
    const urlParams: Record<string, string> = {}
    for (const [name, value] of Object.entries(query.right)) urlParams[name] = String(value)
    const offset = options.offset ?? 0
    const limit = options.limit ?? serverDefaultLimit
    return Effect.map(
      run(Endpoints.list, { path: "/byok", urlParams, attributes: { "byok.page.offset": offset, "byok.page.limit": limit } }),
      (response): ByokKeyPage => ({ data: response.data, totalCount: response.total_count, offset, limit })
    )
  }

  const pages = (options: ByokInput.StreamByokKeys = {}): Stream.Stream<ByokKeyPage, ByokError.ListError> => {
    const decoded = decodeStreamOptions(options)
    if (Either.isLeft(decoded)) return Stream.fail(invalidRequest("stream", decoded.left))
    const { concurrency = 1, pageSize = defaultPageSize, provider, workspaceId } = decoded.right
    const filters = {
      ...(provider !== undefined ? { provider } : {}),
      ...(workspaceId !== undefined ? { workspaceId } : {})
    }
    return paginate((offset) => list({ ...filters, offset, limit: pageSize }), pageSize, concurrency)
  }

  return Effect.succeed({
    list,
    pages,
    stream: (options) => Stream.flattenIterables(Stream.map(pages(options), (page) => page.data)),
    get: (id) =>
      Either.match(keyPath("get", id), {
        onLeft: Effect.fail,
        onRight: (path) => Effect.map(run(Endpoints.get, { path }), (response) => response.data)
      }),
    create: (input) => {
      const body = encodeCreate(input)
      if (Either.isLeft(body)) return Effect.fail(invalidRequest("create", body.left))
      return Effect.map(
        run(Endpoints.create, { path: "/byok", body: body.right, secrets: [body.right.key] }),
        (response) => response.data
      )
    },
    update: (id, input) => {
      const path = keyPath("update", id)
      if (Either.isLeft(path)) return Effect.fail(path.left)
      const body = encodeUpdate(input)
      if (Either.isLeft(body)) return Effect.fail(invalidRequest("update", body.left))
      const secrets = body.right.key === undefined ? [] : [body.right.key]
      return Effect.map(run(Endpoints.update, { path: path.right, body: body.right, secrets }), (response) => response.data)
    },
    delete: (id) =>
      Either.match(keyPath("delete", id), {
        onLeft: Effect.fail,
        onRight: (path) => Effect.asVoid(run(Endpoints.remove, { path, notFoundOnRetry: { deleted: true } }))
      })
  })
}
