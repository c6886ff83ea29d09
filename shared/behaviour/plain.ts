/**
 * What both drivers do to their line's values that does not need Effect: a credential and a page as
 * plain data, the caller's input with each `Secret` wrapped as the line wraps secrets, JSON that
 * survives anything, and every rendering a user could print of a value.
 */
import { inspect } from "node:util"
import type { LiveCredential } from "../src/createRecovery.js"
import { type PlainKey, type PlainPage, Secret } from "./driver.js"

/** A credential as either line's `ByokKey` holds it. */
export interface ModelKey extends LiveCredential {
  readonly sortOrder: number
}

/** A credential as plain data. */
export const plainKey = (key: ModelKey): PlainKey => ({
  id: key.id,
  provider: key.provider,
  workspaceId: key.workspaceId,
  label: key.label,
  name: key.name ?? null,
  disabled: key.disabled,
  isFallback: key.isFallback,
  isRequired: key.isRequired,
  isByokOnly: key.isByokOnly,
  declaredZdr: key.declaredZdr,
  allowedModels: key.allowedModels,
  allowedApiKeyHashes: key.allowedApiKeyHashes,
  allowedUserIds: key.allowedUserIds,
  sortOrder: key.sortOrder,
  createdAt: key.createdAt.toISOString()
})

/** A page as plain data. */
export const plainPage = (page: {
  readonly data: ReadonlyArray<ModelKey>
  readonly totalCount: number
  readonly offset: number
  readonly limit: number
}): PlainPage => ({ data: page.data.map(plainKey), totalCount: page.totalCount, offset: page.offset, limit: page.limit })

/** The caller's input with every `Secret` replaced by `wrap` of its text (the line's `Redacted.make`). */
export const withSecrets = (value: unknown, wrap: (text: string) => unknown): any => {
  if (value instanceof Secret) return wrap(value.value)
  if (Array.isArray(value)) return value.map((item) => withSecrets(item, wrap))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecrets(v, wrap)]))
  }
  return value
}

/** JSON.stringify that survives bigints, cycles and functions. */
export const safeJson = (value: unknown): string => {
  const seen = new WeakSet<object>()
  try {
    return JSON.stringify(value, (_key, v) => {
      if (typeof v === "bigint") return v.toString()
      if (typeof v === "function") return `[function ${v.name}]`
      if (typeof v === "object" && v !== null) {
        if (seen.has(v)) return "[Circular]"
        seen.add(v)
      }
      return v
    }) ?? "undefined"
  } catch (error) {
    return `[unserializable: ${String(error)}]`
  }
}

/** Every way a user could print `held` and each of its fields: `String`, `JSON.stringify`, `util.inspect`. */
export const renderingsOf = (held: unknown): Array<string> => {
  const parts = typeof held === "object" && held !== null ? [held, ...Object.values(held)] : [held]
  return parts.flatMap((part) => [String(part), String(JSON.stringify(part)), inspect(part, { depth: 5 })])
}
