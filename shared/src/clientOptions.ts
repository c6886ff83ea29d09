/**
 * The client options both lines check once, when a layer is built: the base URL, the management
 * key's text and the headers the client sends on every request. A header value from an option must
 * never be able to inject a header or carry a control character.
 */

/** The contract's base URL. */
export const defaultBaseUrl = "https://openrouter.ai/api/v1"
/** Per attempt, not for the whole retried operation: 30 seconds. */
export const defaultTimeoutMillis = 30_000
/** Attempts in flight at once per client unless told otherwise: enough for 16-page prefetch twice over, few enough that a burst reuses connections. */
export const defaultMaxConcurrentRequests = 32

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
export const headersNotOurs = /^(?!(?:accept|content-length|user-agent|http-referer|x-openrouter-title|x-openrouter-categories)$)/i

/** The options this module checks, as plain values. */
export interface CheckedOptionsInput {
  readonly baseUrl?: string | undefined
  /** The management key's text, or `undefined` when it was not a `Redacted` at all. */
  readonly apiKeyText: string | undefined
  readonly appUrl?: string | undefined
  readonly appTitle?: string | undefined
  readonly appCategories?: string | ReadonlyArray<string> | undefined
  readonly maxConcurrentRequests?: number | undefined
}

/** What the check found: the problems, one line each, or the base URL and headers to use. */
export type CheckedOptions =
  | { readonly ok: false; readonly issues: ReadonlyArray<string> }
  | { readonly ok: true; readonly baseUrl: string; readonly headers: Readonly<Record<string, string>> }

/** Checks the client's options; every problem is reported, none quotes a value. */
export const checkOptions = (options: CheckedOptionsInput): CheckedOptions => {
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
  if (options.apiKeyText === undefined || !safeApiKey.test(options.apiKeyText)) {
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
  return issues.length > 0 ? { ok: false, issues } : { ok: true, baseUrl, headers }
}

/** Schema's messages end in `, actual <the value>`; the value may be a secret pasted into the wrong field. */
const withoutActualValue = (message: string) => message.replace(/,?\s*actual [\s\S]*$/, "")

/** One rejected input field, as a line's schema reports it. */
export interface InputIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/**
 * The message and issue lines of an `InvalidRequest`, one line per rejected field. The provider
 * key's issues get a fixed text: a schema's message may quote the rejected value, which may be the
 * key itself.
 */
export const describeInvalidInput = (
  operation: string,
  rejected: ReadonlyArray<InputIssue>
): { readonly message: string; readonly issues: ReadonlyArray<string> } => {
  const issues = rejected.map((issue) => {
    // Below `key` is the Redacted wrapper's own structure, which says nothing to the caller.
    const keyAt = issue.path.indexOf("key")
    const path = keyAt === -1 ? issue.path : issue.path.slice(0, keyAt + 1)
    const where = path.length === 0 ? "(input)" : path.map(String).join(".")
    const what = keyAt !== -1 ? "must be a non-empty string wrapped in Redacted" : withoutActualValue(issue.message)
    return `${where}: ${what}`
  })
  return { message: `invalid ${operation} input: ${issues.join("; ")}`, issues }
}
