import { describe, expect, it } from "vitest"
import { parseHttpDate, parseRfc3339 } from "../src/wireTime.js"

describe("created_at: RFC 3339 date-times only", () => {
  const valid: ReadonlyArray<readonly [string, string]> = [
    ["2025-08-24T10:30:00Z", "2025-08-24T10:30:00.000Z"],
    ["2025-08-24T10:30:00.5Z", "2025-08-24T10:30:00.500Z"],
    ["2025-08-24T10:30:00.123456789Z", "2025-08-24T10:30:00.123Z"], // truncated, not rounded
    ["2025-08-24T10:30:00.999999Z", "2025-08-24T10:30:00.999Z"],
    ["2025-08-24T12:30:00+02:00", "2025-08-24T10:30:00.000Z"],
    ["2025-08-24T05:00:00-05:30", "2025-08-24T10:30:00.000Z"],
    ["2025-08-24T00:15:00.25+23:59", "2025-08-23T00:16:00.250Z"],
    ["2025-08-24t10:30:00z", "2025-08-24T10:30:00.000Z"], // RFC 3339 allows the lowercase letters
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"], // a leap day
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"], // Date.UTC would read year 1 as 1901
    ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"]
  ]
  for (const [text, iso] of valid) {
    it(`${text} is ${iso}`, () => {
      expect(new Date(parseRfc3339(text)!).toISOString()).toBe(iso)
    })
  }

  const invalid = [
    "1", // Date.parse: 2001-01-01 in local time
    "2025", // Date.parse: 2025-01-01
    "foo 12", // Date.parse: 2001-12-01 in local time
    "12/31/1999", // Date.parse: local midnight
    "2025-08-24", // a date without a time
    "2025-08-24T10:30:00", // no time zone: local time is never guessed
    "2025-08-24 10:30:00Z", // a space for the T
    "2025-08-24T10:30Z", // no seconds
    "2025-08-24T10:30:00.Z", // a dot without digits
    "2025-08-24T10:30:00+0200", // an offset without its colon
    "2025-02-29T00:00:00Z", // not a leap year
    "2025-04-31T00:00:00Z",
    "2025-13-01T00:00:00Z",
    "2025-08-24T24:00:00Z",
    "2025-08-24T10:60:00Z",
    "2025-08-24T23:59:60Z", // a leap second: a Date cannot hold it
    "2025-08-24T10:30:00+24:00",
    "+02025-08-24T10:30:00Z",
    "Sun, 24 Aug 2025 10:30:00 GMT",
    " 2025-08-24T10:30:00Z",
    "2025-08-24T10:30:00Z\n",
    ""
  ]
  for (const text of invalid) {
    it(`${JSON.stringify(text)} is refused`, () => {
      expect(parseRfc3339(text)).toBeUndefined()
    })
  }

})

describe("Retry-After dates: the three HTTP date forms", () => {
  const now = Date.parse("2026-11-28T12:00:00Z")
  const cases: ReadonlyArray<readonly [string, string | undefined]> = [
    ["Sat, 28 Nov 2026 12:00:09 GMT", "2026-11-28T12:00:09.000Z"], // IMF-fixdate
    ["Saturday, 28-Nov-26 12:00:09 GMT", "2026-11-28T12:00:09.000Z"], // RFC 850, two-digit year
    ["Sat Nov 28 12:00:09 2026", "2026-11-28T12:00:09.000Z"], // asctime
    ["Sun Nov  1 12:00:09 2026", "2026-11-01T12:00:09.000Z"], // asctime pads the day with a space
    ["Thursday, 01-Jan-76 00:00:00 GMT", "2076-01-01T00:00:00.000Z"], // within 50 years ahead
    ["Friday, 01-Jan-77 00:00:00 GMT", "1977-01-01T00:00:00.000Z"], // more than 50 years ahead: the past century
    ["Sat, 28 Nov 2026 12:00:09 UTC", undefined],
    ["28 Nov 2026 12:00:09 GMT", undefined],
    ["Sat, 28 Foo 2026 12:00:09 GMT", undefined],
    ["Sat, 31 Nov 2026 12:00:09 GMT", undefined],
    ["2026-11-28T12:00:09Z", undefined],
    ["soon", undefined]
  ]
  for (const [text, iso] of cases) {
    it(`${JSON.stringify(text)} → ${iso ?? "unreadable"}`, () => {
      const millis = parseHttpDate(text, now)
      expect(millis === undefined ? undefined : new Date(millis).toISOString()).toBe(iso)
    })
  }
})
