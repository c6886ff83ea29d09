/**
 * The two time formats the API puts on the wire, parsed strictly: RFC 3339 date-times (`created_at`)
 * and HTTP dates (`Retry-After`). `Date.parse` is not used for either: it accepts `"1"`, `"2025"`
 * and `"12/31/1999"` (read in the machine's local time zone), so a malformed value would decode
 * as some unrelated instant instead of failing.
 */

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
const daysInMonth = (year: number, month: number) =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

/** Milliseconds since the epoch of a UTC calendar time; years 0 to 99 stay themselves (`Date.UTC` would add 1900). */
const utcMillis = (year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number) => {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms)
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms))
  date.setUTCFullYear(year)
  return date.getTime()
}

/**
 * An RFC 3339 date-time (`2025-08-24T10:30:00Z`, `2025-08-24T12:30:00.123456+02:00`) as
 * milliseconds since the epoch, or `undefined` when the text is anything else. Fractional seconds
 * of any length are truncated to milliseconds; the offset is applied, never the local time zone.
 * A leap second (`:60`) is refused: a JavaScript `Date` cannot hold it.
 */
export const parseRfc3339 = (text: string): number | undefined => {
  const m = rfc3339.exec(text)
  if (m === null) return undefined
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hour = Number(m[4])
  const minute = Number(m[5])
  const second = Number(m[6])
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"))
  let offsetMinutes = 0
  if (m[8] === undefined) {
    const offsetHours = Number(m[10])
    const offsetMins = Number(m[11])
    if (offsetHours > 23 || offsetMins > 59) return undefined
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins)
  }
  return utcMillis(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000
}

const months: Readonly<Record<string, number>> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12
}
/** `Sun, 06 Nov 1994 08:49:37 GMT`: the form senders must use. */
const imfFixdate =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?<day>\d{2}) (?<month>[A-Z][a-z]{2}) (?<year>\d{4}) (?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2}) GMT$/
/** `Sunday, 06-Nov-94 08:49:37 GMT`: obsolete, but recipients must accept it. */
const rfc850 =
  /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?<day>\d{2})-(?<month>[A-Z][a-z]{2})-(?<year>\d{2}) (?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2}) GMT$/
/** `Sun Nov  6 08:49:37 1994`: C's asctime, also obsolete and also to be accepted. */
const asctime =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?<month>[A-Z][a-z]{2}) (?<day> \d|\d{2}) (?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2}) (?<year>\d{4})$/

/**
 * An HTTP date (RFC 9110, section 5.6.7) in any of its three forms, as milliseconds since the
 * epoch, or `undefined`. A two-digit year is read as the one within 50 years of `nowMillis`.
 */
export const parseHttpDate = (text: string, nowMillis: number): number | undefined => {
  const parts = (imfFixdate.exec(text) ?? rfc850.exec(text) ?? asctime.exec(text))?.groups
  if (parts === undefined) return undefined
  const month = months[parts.month!]
  if (month === undefined) return undefined
  let year = Number(parts.year)
  if (parts.year!.length === 2) {
    const currentYear = new Date(nowMillis).getUTCFullYear()
    year += Math.floor(currentYear / 100) * 100
    if (year > currentYear + 50) year -= 100
  }
  const day = Number(parts.day)
  const hour = Number(parts.hour)
  const minute = Number(parts.minute)
  const second = Number(parts.second)
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return undefined
  // HTTP allows a leap second here; a Date cannot hold it, and waiting a second longer is as good.
  return utcMillis(year, month, day, hour, minute, Math.min(second, 59), 0) + (second === 60 ? 1000 : 0)
}
