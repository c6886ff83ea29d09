/**
 * The pipeline's internals this line alone can see: the prepared client holding its key as a
 * `Redacted`, how far `readBody` pulls a web stream that never ends, and `isByokError` on values
 * built by hand. What a request carries, how bodies are read over real sockets, the retry step and
 * the response rules are shared behaviour (`shared/behaviour/suites/requests.ts`, `decoding.ts`;
 * `shared/test/responseRules.test.ts`).
 */
import * as Headers from "@effect/platform/Headers"
import { HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import { ByokError } from "../src/index.js"
import { PermitPool } from "../src/internal/permitPool.js"
import { type PreparedClient, readBody } from "../src/internal/requestPipeline.js"
import { maxResponseBytes } from "../src/internal/responseDecoding.js"

const apiKeyText = "sk-or-v1-pipeline-test-key-0001"

const prepared: PreparedClient = {
  httpClient: undefined as never, // not used by the steps under test
  baseUrl: "https://byok.example/api/v1",
  headers: Headers.fromInput({ accept: "application/json", "x-openrouter-title": "tests" }),
  apiKey: Redacted.make(apiKeyText),
  timeout: Duration.seconds(30),
  retry: undefined,
  permits: new PermitPool(1)
}

describe("the prepared client", () => {
  it("the client's key stays Redacted until a request is built", () => {
    expect(String(prepared.apiKey)).not.toContain(apiKeyText)
    expect(JSON.stringify(prepared.headers)).not.toContain(apiKeyText)
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

  // Over a socket the kernel's buffers hide how much was read; a web stream counts every pull.
  it.effect("a chunked body over the limit is cut off at the limit, and the stream is cancelled", () =>
    Effect.gen(function*() {
      const { response: r, state } = endlessBody()
      const body = yield* readBody(r)
      expect(body).toBeUndefined()
      expect(state.pulled).toBeGreaterThan(maxResponseBytes)
      expect(state.pulled).toBeLessThanOrEqual(maxResponseBytes + 2 * 64 * 1024)
      expect(state.cancelled).toBe(true)
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
