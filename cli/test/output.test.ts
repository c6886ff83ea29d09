/**
 * The CLI's formatting and exit-code rules, in process: the table fitted to a terminal, CSV
 * quoting, the one-line error, and the exit code of every error tag.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration } from "effect"
import { ByokError, ByokKey } from "../../effect4/src/index.js"
import { BulkFailed, describeError, exitCodeOf, UsageError } from "../src/errors.js"
import { csvField, tableHeader, tableRow, tableWidths, toJson } from "../src/output.js"

const key = (n: number, fields: Partial<ConstructorParameters<typeof ByokKey>[0]> = {}) =>
  new ByokKey({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    provider: "amazon-bedrock",
    workspaceId: "550e8400-e29b-41d4-a716-446655440000",
    label: "sk-...7f3a",
    name: "Production eu-west",
    disabled: false,
    isFallback: false,
    isRequired: false,
    isByokOnly: false,
    declaredZdr: null,
    allowedModels: ["openai/gpt-4o"],
    allowedApiKeyHashes: null,
    allowedUserIds: null,
    sortOrder: 2,
    createdAt: new Date("2025-08-24T10:30:00Z"),
    ...fields
  })

describe("output", () => {
  it("the JSON object: camelCase fields, ISO time, name always present", () => {
    const { name: _, ...rest } = key(1)
    expect(toJson(new ByokKey(rest))).toMatchObject({ name: null, createdAt: "2025-08-24T10:30:00.000Z", allowedModels: ["openai/gpt-4o"] })
  })

  it("CSV fields are quoted as RFC 4180 says", () => {
    expect(csvField("plain")).toBe("plain")
    expect(csvField("a,b")).toBe("\"a,b\"")
    expect(csvField("say \"hi\"")).toBe("\"say \"\"hi\"\"\"")
    expect(csvField("two\nlines")).toBe("\"two\nlines\"")
  })

  it("the table fits the terminal: at 80 columns the workspace goes and names are cut, ids never", () => {
    const keys = [key(1), key(2, { workspaceId: null, disabled: true })]
    for (const width of [80, 100, 120]) {
      const widths = tableWidths(keys, width)
      const lines = [tableHeader(widths), ...keys.map((k) => tableRow(k, widths))]
      for (const line of lines) expect([...line].length, `${width}: ${line}`).toBeLessThanOrEqual(width)
      for (const [i, k] of keys.entries()) expect(lines[i + 1]).toContain(k.id)
    }
    const narrow = tableWidths(keys, 80)
    expect(tableHeader(narrow)).not.toContain("WORKSPACE")
    expect(tableRow(keys[1]!, narrow)).toBe("00000000-0000-4000-8000-000000000002  amazon-be…  sk-...7f3a  Product…  disabled")
    expect(tableRow(keys[1]!, tableWidths(keys, 0))).toContain("  global ")
  })

  it("server text is made safe for a terminal", () => {
    const widths = tableWidths([key(1)], 0)
    expect(tableRow(key(1, { name: "evil\u001b]0;pwned\u0007" }), widths)).toContain("evil?]0;pwn")
  })
})

describe("errors", () => {
  const http = { status: 500, message: "Internal Server Error", method: "GET", path: "/byok" }

  it("one line: tag, message, retry-after and request id", () => {
    expect(describeError(new ByokError.NotFound({ ...http, status: 404, message: "Resource not found" }))).toBe("NotFound: Resource not found")
    expect(describeError(new ByokError.RateLimited({ ...http, status: 429, message: "slow\n  down", requestId: "req-1", retryAfter: Duration.seconds(90) })))
      .toBe("RateLimited: slow down (retry after 1m 30s) (request id: req-1)")
    expect(describeError(new UsageError({ message: "bad \u001b[2Jflag" }))).toBe("UsageError: bad ?[2Jflag")
  })

  it("one exit code per class, from the error's tag", () => {
    const cases: Array<[unknown, number]> = [
      [new UsageError({ message: "x" }), 1],
      [new ByokError.InvalidRequest({ operation: "get", message: "x", issues: [] }), 1],
      [new ByokError.BadRequest({ ...http, status: 400 }), 1],
      [new ByokError.NotFound({ ...http, status: 404 }), 2],
      [new ByokError.Unauthorized({ ...http, status: 401 }), 3],
      [new ByokError.Forbidden({ ...http, status: 403 }), 3],
      [new ByokError.RateLimited({ ...http, status: 429 }), 4],
      [new ByokError.InternalServer(http), 4],
      [new ByokError.ApiError({ ...http, status: 502 }), 4],
      [new ByokError.TransportError({ reason: "Refused", message: "x", method: "GET", path: "/byok" }), 4],
      [new ByokError.DecodeError({ status: 200, message: "x", method: "GET", path: "/byok" }), 4],
      [new BulkFailed({ message: "x", tags: ["NotFound", "Unauthorized", "BadRequest"] }), 3],
      [new BulkFailed({ message: "x", tags: ["NotFound", "InternalServer"] }), 4]
    ]
    for (const [error, code] of cases) expect(exitCodeOf(error), describeError(error)).toBe(code)
  })
})
