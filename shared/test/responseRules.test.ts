import { describe, expect, it } from "vitest"
import * as Endpoints from "../src/endpoints.js"
import { type BodyDecoding, judgeResponse, maxResponseBytes, type RawResponse, type Verdict } from "../src/responseRules.js"

const apiKeyText = "sk-or-v1-pipeline-test-key-0001"
const providerKeyText = "sk-provider-pipeline-secret-0002"

const wireKey = { id: "00000000-0000-4000-8000-0000000000aa", label: "sk-...abcd", name: "A key" }

/**
 * A stand-in for a line's schema: `{ data: { id, label } }` with both strings, or a message naming
 * the first field that is not. Each line's own schema is held to the contract elsewhere.
 */
const decodeBody = (json: unknown): BodyDecoding<{ readonly data: typeof wireKey }> => {
  const data = (json as { readonly data?: unknown }).data
  if (typeof data !== "object" || data === null) return { ok: false, message: "data: expected an object" }
  for (const field of ["id", "label"] as const) {
    const value = (data as Record<string, unknown>)[field]
    if (typeof value !== "string") return { ok: false, message: `data.${field}: expected a string, got ${JSON.stringify(value)}` }
  }
  return { ok: true, value: json as { readonly data: typeof wireKey } }
}

const context = { path: "/byok", secrets: [apiKeyText, providerKeyText], nowMillis: Date.parse("2026-01-01T00:00:00Z") }
const response = (status: number, body: string | undefined, headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body
})
const errorBody = (message: string, extra: object = {}) => JSON.stringify({ error: { code: 1, message, ...extra } })

const judge = (endpoint: Endpoints.EndpointRow, r: RawResponse) => judgeResponse(endpoint, r, context, decodeBody)

/** The verdict's error: its tag and fields; fails on a value. */
const errorOf = (verdict: Verdict<unknown>) => {
  if (verdict._tag === "Value") throw new Error(`expected an error, got the value ${JSON.stringify(verdict.value)}`)
  return verdict._tag === "HttpError" ? { _tag: verdict.tag, ...verdict.fields } : { _tag: "DecodeError", ...verdict.fields }
}

describe("judgeResponse", () => {
  it("the success status with the contract's body is the value", () => {
    const verdict = judge(Endpoints.get, response(200, JSON.stringify({ data: wireKey })))
    expect(verdict._tag).toBe("Value")
    expect(verdict._tag === "Value" && verdict.value.data.id).toBe(wireKey.id)
  })

  it("another 2XX than the contract's is an ApiError, whatever its body", () => {
    expect(errorOf(judge(Endpoints.create, response(200, JSON.stringify({ data: wireKey })))))
      .toMatchObject({ _tag: "ApiError", status: 200, method: "POST" })
  })

  it("a declared status with the documented body is its own class; undocumented or undeclared is ApiError", () => {
    const tag = (endpoint: Endpoints.EndpointRow, status: number, body: string) => errorOf(judge(endpoint, response(status, body)))._tag
    expect(tag(Endpoints.get, 404, errorBody("gone"))).toBe("NotFound")
    expect(tag(Endpoints.get, 404, "{}")).toBe("ApiError")
    expect(tag(Endpoints.get, 400, errorBody("bad"))).toBe("ApiError") // get declares no 400
    expect(tag(Endpoints.create, 403, errorBody("no"))).toBe("Forbidden")
    expect(tag(Endpoints.list, 302, "")).toBe("ApiError")
    expect(tag(Endpoints.list, 429, "")).toBe("RateLimited")
  })

  it("every HTTP error carries Retry-After, in seconds or as a date", () => {
    const retryAfter = (status: number, value: string) =>
      (errorOf(judge(Endpoints.get, response(status, errorBody("x"), { "retry-after": value }))) as { retryAfterMillis?: number })
        .retryAfterMillis
    expect(retryAfter(429, "3")).toBe(3000)
    expect(retryAfter(503, "2")).toBe(2000)
    expect(retryAfter(500, "Thu, 01 Jan 2026 00:00:07 GMT")).toBe(7000)
    expect(retryAfter(404, "1")).toBe(1000)
    expect(retryAfter(503, "Thu, 01 Jan 2025 00:00:07 GMT")).toBe(0) // in the past
    expect(retryAfter(503, "soon")).toBeUndefined()
  })

  it("a body over the limit is a DecodeError on success and an ApiError otherwise, unread", () => {
    expect(errorOf(judge(Endpoints.get, response(200, undefined))))
      .toMatchObject({ _tag: "DecodeError", message: `the response body is over the ${maxResponseBytes}-byte limit` })
    expect(errorOf(judge(Endpoints.get, response(500, undefined)))).toMatchObject({ _tag: "ApiError", status: 500 })
  })

  it("a 2XX that is not JSON, or not the contract's shape, is a DecodeError", () => {
    const decodeError = (r: RawResponse) => {
      const error = errorOf(judge(Endpoints.get, r))
      expect(error._tag).toBe("DecodeError")
      return error.message
    }
    expect(decodeError(response(200, JSON.stringify({ data: wireKey }), { "content-type": "text/html" }))).toContain("application/json")
    expect(decodeError(response(200, "{\"data\":"))).toBe("the body is not valid JSON")
    // the schema's own message, naming the field
    expect(decodeError(response(200, JSON.stringify({ data: { ...wireKey, label: 7 } })))).toBe("data.label: expected a string, got 7")
  })

  it("secrets the server echoes are scrubbed from the message, the metadata and the request id", () => {
    const error = errorOf(
      judge(
        Endpoints.create,
        response(400, errorBody(`bad key ${providerKeyText}`, { metadata: { raw: apiKeyText } }), { "x-request-id": `req-${apiKeyText}` })
      )
    ) as { _tag: string; message: string; metadata?: unknown; requestId?: string }
    expect(error._tag).toBe("BadRequest")
    expect(error.message).toBe("bad key <redacted>")
    expect(error.metadata).toEqual({ raw: "<redacted>" })
    expect(error.requestId).toBe("req-<redacted>")
  })
})
