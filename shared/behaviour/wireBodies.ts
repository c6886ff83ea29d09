/**
 * Wire bodies for scenarios: a valid credential as the API sends it, a function over the
 * credentials of any body, and every tag a BYOK operation may fail with.
 */

/** A valid wire credential (snake_case), as the API sends it. */
export const wireKey = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: "00000000-0000-4000-8000-0000000000aa",
  provider: "openai",
  workspace_id: null,
  label: "sk-...abcd",
  name: "A key",
  disabled: false,
  is_fallback: false,
  is_required: false,
  is_byok_only: false,
  declared_zdr: null,
  allowed_models: null,
  allowed_api_key_hashes: null,
  allowed_user_ids: null,
  sort_order: 0,
  created_at: "2025-08-24T10:30:00.000Z",
  ...overrides
})

/** Applies `f` to each credential of a wire body (`data` as an object or an array); other bodies are unchanged. */
export const mapWireKeys = (wire: any, f: (key: Record<string, unknown>) => Record<string, unknown>): unknown => {
  if (typeof wire !== "object" || wire === null || !("data" in wire)) return wire
  return { ...wire, data: Array.isArray(wire.data) ? wire.data.map(f) : f(wire.data) }
}

/** Every tag a BYOK operation may fail with. */
export const byokTags = [
  "BadRequest",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "InternalServer",
  "RateLimited",
  "ApiError",
  "TransportError",
  "DecodeError",
  "InvalidRequest",
  "CreateOutcomeUnknown"
] as const

export type ByokTag = typeof byokTags[number]

/** The `reason` of a `TransportError`. */
export type TransportReason = "Refused" | "Timeout" | "Network" | "BodyInterrupted"
