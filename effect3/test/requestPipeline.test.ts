/**
 * The request pipeline's steps, each on its own: building the request, reading a body within the
 * size limit, decoding a response (a pure function of the endpoint, status, headers and body), and
 * the retry step.
 */
import * as Headers from "@effect/platform/Headers"
import { HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Redacted, Schedule } from "effect"
import { ByokError, RetryPolicy } from "../src/index.js"
import * as Endpoints from "../src/internal/endpoints.js"
import { PermitPool } from "../src/internal/permitPool.js"
import { buildRequest, type PreparedClient, readBody, withRetry } from "../src/internal/requestPipeline.js"
import { decodeResponse, maxResponseBytes, type RawResponse } from "../src/internal/responseDecoding.js"
import { wireKey as aWireKey } from "./reliability/support.js"

const apiKeyText = "sk-or-v1-pipeline-test-key-0001"
const providerKeyText = "sk-provider-pipeline-secret-0002"

const prepared: PreparedClient = {
  httpClient: undefined as never, // not used by the steps under test
  baseUrl: "https://byok.example/api/v1",
  headers: Headers.fromInput({ accept: "application/json", "x-openrouter-title": "tests" }),
  apiKey: Redacted.make(apiKeyText),
  timeout: Duration.seconds(30),
  retry: undefined,
  permits: new PermitPool(1)
}

const wireKey = aWireKey()

const context = { path: "/byok", secrets: [apiKeyText, providerKeyText], nowMillis: Date.parse("2026-01-01T00:00:00Z") }
const response = (status: number, body: string | undefined, headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body
})
const errorBody = (message: string, extra: object = {}) => JSON.stringify({ error: { code: 1, message, ...extra } })

describe("buildRequest", () => {
  it("puts the base URL, the query, the headers, the bearer token and the JSON body on the request", () => {
    const wire = Either.getOrThrow(Endpoints.create.encodeInput({ provider: "openai", key: Redacted.make(providerKeyText) }))
    const request = buildRequest(prepared, Endpoints.create, wire)
    expect(request.method).toBe("POST")
    expect(request.url).toBe("https://byok.example/api/v1/byok")
    expect(request.headers["authorization"]).toBe(`Bearer ${apiKeyText}`)
    expect(request.headers["accept"]).toBe("application/json")
    expect(request.headers["x-openrouter-title"]).toBe("tests")
    expect(request.body._tag).toBe("Uint8Array")
    const body = request.body as { readonly body: Uint8Array; readonly contentType: string }
    expect(body.contentType).toBe("application/json")
    expect(JSON.parse(new TextDecoder().decode(body.body))).toEqual({ provider: "openai", key: providerKeyText })
    expect(wire.secrets).toEqual([providerKeyText])

    const page = buildRequest(prepared, Endpoints.list, Endpoints.listPageRequest({ provider: "openai" }, 200, 100))
    expect(page.method).toBe("GET")
    expect(Object.fromEntries(page.urlParams)).toEqual({ provider: "openai", offset: "200", limit: "100" })
    expect(page.body._tag).toBe("Empty")
  })

  it("the client's key stays Redacted until a request is built", () => {
    expect(String(prepared.apiKey)).not.toContain(apiKeyText)
    expect(JSON.stringify(prepared.headers)).not.toContain(apiKeyText)
  })
})

describe("decodeResponse", () => {
  it("the success status with the contract's body is the value", () => {
    const decoded = decodeResponse(Endpoints.get, response(200, JSON.stringify({ data: wireKey })), context)
    expect(Either.getOrThrow(decoded).data.id).toBe(wireKey.id)
  })

  it("another 2XX than the contract's is an ApiError, whatever its body", () => {
    const decoded = decodeResponse(Endpoints.create, response(200, JSON.stringify({ data: wireKey })), context)
    expect(Either.flip(decoded).pipe(Either.getOrThrow)).toMatchObject({ _tag: "ApiError", status: 200, method: "POST" })
  })

  it("a declared status with the documented body is its own class; undocumented or undeclared is ApiError", () => {
    const tag = (endpoint: Endpoints.AnyEndpoint, status: number, body: string) =>
      Either.flip(decodeResponse(endpoint, response(status, body), context)).pipe(Either.getOrThrow)._tag
    expect(tag(Endpoints.get, 404, errorBody("gone"))).toBe("NotFound")
    expect(tag(Endpoints.get, 404, "{}")).toBe("ApiError")
    expect(tag(Endpoints.get, 400, errorBody("bad"))).toBe("ApiError") // get declares no 400
    expect(tag(Endpoints.create, 403, errorBody("no"))).toBe("Forbidden")
    expect(tag(Endpoints.list, 302, "")).toBe("ApiError")
    expect(tag(Endpoints.list, 429, "")).toBe("RateLimited")
  })

  it("every HTTP error carries Retry-After, in seconds or as a date", () => {
    const retryAfter = (status: number, value: string) => {
      const error = Either.flip(decodeResponse(Endpoints.get, response(status, errorBody("x"), { "retry-after": value }), context))
        .pipe(Either.getOrThrow) as ByokError.HttpError
      return error.retryAfter === undefined ? undefined : Duration.toMillis(error.retryAfter)
    }
    expect(retryAfter(429, "3")).toBe(3000)
    expect(retryAfter(503, "2")).toBe(2000)
    expect(retryAfter(500, "Thu, 01 Jan 2026 00:00:07 GMT")).toBe(7000)
    expect(retryAfter(404, "1")).toBe(1000)
    expect(retryAfter(503, "Thu, 01 Jan 2025 00:00:07 GMT")).toBe(0) // in the past
    expect(retryAfter(503, "soon")).toBeUndefined()
  })

  it("a body over the limit is a DecodeError on success and an ApiError otherwise, unread", () => {
    expect(Either.flip(decodeResponse(Endpoints.get, response(200, undefined), context)).pipe(Either.getOrThrow))
      .toMatchObject({ _tag: "DecodeError", message: `the response body is over the ${maxResponseBytes}-byte limit` })
    expect(Either.flip(decodeResponse(Endpoints.get, response(500, undefined), context)).pipe(Either.getOrThrow))
      .toMatchObject({ _tag: "ApiError", status: 500 })
  })

  it("a 2XX that is not JSON, or not the contract's shape, is a DecodeError", () => {
    const message = (r: RawResponse) => (Either.flip(decodeResponse(Endpoints.get, r, context)).pipe(Either.getOrThrow) as ByokError.DecodeError).message
    expect(message(response(200, JSON.stringify({ data: wireKey }), { "content-type": "text/html" }))).toContain("application/json")
    expect(message(response(200, "{\"data\":"))).toBe("the body is not valid JSON")
    expect(message(response(200, JSON.stringify({ data: { ...wireKey, label: 7 } })))).toContain("label")
  })

  it("secrets the server echoes are scrubbed from the message, the metadata and the request id", () => {
    const error = Either.flip(
      decodeResponse(
        Endpoints.create,
        response(400, errorBody(`bad key ${providerKeyText}`, { metadata: { raw: apiKeyText } }), { "x-request-id": `req-${apiKeyText}` }),
        context
      )
    ).pipe(Either.getOrThrow) as ByokError.BadRequest
    expect(error.message).toBe("bad key <redacted>")
    expect(error.metadata).toEqual({ raw: "<redacted>" })
    expect(error.requestId).toBe("req-<redacted>")
  })
})

describe("readBody", () => {
  /** A chunked body (no content-length) of endless 64 KiB chunks, counting what was pulled. */
  const endlessBody = () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20)
    const state = { pulled: 0, cancelled: false }
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        state.pulled += chunk.length
        controller.enqueue(chunk)
      },
      cancel() {
        state.cancelled = true
      }
    }, { highWaterMark: 0 })
    const request = HttpClientRequest.get("https://byok.example/api/v1/byok")
    return { state, response: HttpClientResponse.fromWeb(request, new Response(stream, { status: 200 })) }
  }

  it.effect("a chunked body over the limit is cut off at the limit, and the stream is cancelled", () =>
    Effect.gen(function*() {
      const { response: r, state } = endlessBody()
      const body = yield* readBody(r)
      expect(body).toBeUndefined()
      expect(state.pulled).toBeGreaterThan(maxResponseBytes)
      expect(state.pulled).toBeLessThanOrEqual(maxResponseBytes + 2 * 64 * 1024)
      expect(state.cancelled).toBe(true)
    }))

  it.effect("a chunked body within the limit is read whole; a response without a body is empty", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.get("https://byok.example/api/v1/byok")
      const parts = ["{\"deleted\"", ":true}"]
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part))
          controller.close()
        }
      })
      expect(yield* readBody(HttpClientResponse.fromWeb(request, new Response(stream)))).toBe("{\"deleted\":true}")
      expect(yield* readBody(HttpClientResponse.fromWeb(request, new Response(null, { status: 204 })))).toBe("")
    }))
})

describe("withRetry", () => {
  const transport = new ByokError.TransportError({ reason: "Network", message: "reset", method: "DELETE", path: "/byok/x" })
  const notFound = new ByokError.NotFound({ status: 404, message: "gone", method: "DELETE", path: "/byok/x" })

  /** An attempt that fails with each of `errors` in turn, then succeeds with `"done"`; `attempts` counts the runs. */
  const scripted = (errors: ReadonlyArray<ByokError.ByokError>, attempts: Array<number> = []) => {
    let n = 0
    return Effect.suspend(() => {
      attempts.push(attempts.length + 1)
      return n < errors.length ? Effect.fail(errors[n++]!) : Effect.succeed("done" as unknown)
    })
  }
  const policy = RetryPolicy.policy(Schedule.recurs(3), "idempotent")

  it.effect("after a retry, a 404 is the endpoint's notFoundOnRetry value; on the first attempt it stays NotFound", () =>
    Effect.gen(function*() {
      const attempts: Array<number> = []
      const value = yield* withRetry(scripted([transport, notFound], attempts), Endpoints.remove, policy)
      expect(value).toEqual({ deleted: true })
      expect(attempts).toEqual([1, 2])
      const error = yield* Effect.flip(withRetry(scripted([notFound]), Endpoints.remove, policy))
      expect(error).toBe(notFound)
      // an endpoint without notFoundOnRetry keeps the 404 after a retry
      const onGet = yield* Effect.flip(withRetry(scripted([transport, notFound]), Endpoints.get, policy))
      expect(onGet).toBe(notFound)
    }))

  it.effect("without a schedule, one attempt", () =>
    Effect.gen(function*() {
      const attempts: Array<number> = []
      const error = yield* Effect.flip(withRetry(scripted([transport], attempts), Endpoints.get, undefined))
      expect(error).toBe(transport)
      expect(attempts).toEqual([1])
    }))
})

describe("isByokError", () => {
  it("recognises every error class and nothing else", () => {
    expect(ByokError.isByokError(new ByokError.RateLimited({ status: 429, message: "m", method: "GET", path: "/byok" }))).toBe(true)
    expect(ByokError.isByokError(new ByokError.InvalidRequest({ operation: "get", message: "m", issues: [] }))).toBe(true)
    expect(ByokError.isByokError(new ByokError.TransportError({ reason: "Timeout", message: "m", method: "GET", path: "/" }))).toBe(true)
    expect(ByokError.isByokError({ _tag: "NotFound", status: 404 })).toBe(false)
    expect(ByokError.isByokError(new Error("NotFound"))).toBe(false)
    expect(ByokError.isByokError(Object.assign(new Error("x"), { _tag: "toString" }))).toBe(false)
    expect(ByokError.isByokError(null)).toBe(false)
    expect(ByokError.isByokError("NotFound")).toBe(false)
  })
})
