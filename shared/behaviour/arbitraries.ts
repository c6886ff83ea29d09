/**
 * Generators of the library's models and valid inputs, written from the contract's rules rather
 * than derived from either line's schemas: both lines meet the same generated cases, and a line
 * whose schema wrongly refused a valid value would fail here instead of never being asked.
 */
import fc from "fast-check"
import { knownProviderSlugs, providerSlugPattern } from "../src/providers.js"
import { type PlainKey, Secret } from "./driver.js"

/** The instants RFC 3339 can write: years 0000 to 9999, to the millisecond. */
const rfc3339Instant = fc.date({
  min: new Date("0000-01-01T00:00:00.000Z"),
  max: new Date("9999-12-31T23:59:59.999Z"),
  noInvalidDate: true
})

/** Any text, non-ASCII included. */
const anyText = fc.string({ unit: "grapheme" })
const strings = fc.array(anyText, { maxLength: 5 })
const nullable = <A>(arbitrary: fc.Arbitrary<A>) => fc.option(arbitrary, { nil: null })

/** A provider slug, known or not yet known: the contract's list is open. */
const providerSlug = fc.oneof(
  fc.constantFrom(...knownProviderSlugs),
  fc.stringMatching(providerSlugPattern).filter((slug) => slug.length <= 64)
)

/**
 * A credential as the server may send it: any strings where the contract says string, any integer
 * sort order, any instant RFC 3339 can write; `name` absent, `null` or text.
 */
export const plainKey: fc.Arbitrary<PlainKey> = fc.record(
  {
    id: anyText,
    provider: fc.oneof(providerSlug, anyText),
    workspaceId: nullable(fc.uuid()),
    label: anyText,
    name: nullable(anyText),
    disabled: fc.boolean(),
    isFallback: fc.boolean(),
    isRequired: fc.boolean(),
    isByokOnly: fc.boolean(),
    declaredZdr: nullable(fc.boolean()),
    allowedModels: nullable(strings),
    allowedApiKeyHashes: nullable(strings),
    allowedUserIds: nullable(strings),
    sortOrder: fc.integer(),
    createdAt: rfc3339Instant.map((date) => date.toISOString())
  },
  { requiredKeys: ["id", "provider", "workspaceId", "label", "disabled", "isFallback", "isRequired", "isByokOnly", "declaredZdr", "allowedModels", "allowedApiKeyHashes", "allowedUserIds", "sortOrder", "createdAt"] }
) as fc.Arbitrary<PlainKey>

/** A credential name the input schemas accept: 1 to 255 characters, not blank, no control characters. */
const credentialName = fc.string({ unit: "grapheme", minLength: 1, maxLength: 120 }).filter((name) =>
  name.length <= 255 && name.trim().length > 0 && !/[\u0000-\u001f\u007f]/.test(name)
)
const allowlistEntry = fc.stringMatching(/^[\x21-\x7e]{1,40}$/)
const allowlist = fc.array(allowlistEntry, { maxLength: 8 })
const apiKeyHash = fc.stringMatching(/^[a-f0-9]{64}$/)
const hashAllowlist = fc.array(apiKeyHash, { minLength: 1, maxLength: 4 })

/** The settings create and update share, each present or not. */
const settings = {
  name: nullable(credentialName),
  disabled: fc.boolean(),
  isFallback: fc.boolean(),
  isByokOnly: fc.boolean(),
  isRequired: fc.boolean(),
  declaredZdr: nullable(fc.boolean()),
  allowedModels: nullable(allowlist),
  allowedApiKeyHashes: nullable(hashAllowlist),
  allowedUserIds: nullable(allowlist)
}

const notFallbackAndByokOnly = (input: { readonly isFallback?: boolean; readonly isByokOnly?: boolean }) =>
  !(input.isFallback === true && input.isByokOnly === true)

/** A valid create input, the key a `Secret`. */
export const createInput = fc.record(
  {
    provider: providerSlug,
    key: fc.string({ minLength: 1, maxLength: 60 }).map((key) => new Secret(key)),
    workspaceId: fc.uuid(),
    ...settings
  },
  { requiredKeys: ["provider", "key"] }
).filter(notFallbackAndByokOnly)

/** A valid update input: any of the settings, and maybe a new key. */
export const updateInput = fc.record(
  {
    key: fc.string({ minLength: 1, maxLength: 60 }).map((key) => new Secret(key)),
    ...settings
  },
  { requiredKeys: [] }
).filter(notFallbackAndByokOnly)

/** `count` values of `arbitrary`, drawn with `seed`: the same values on every line. */
export const sample = <A>(arbitrary: fc.Arbitrary<A>, count: number, seed: number): ReadonlyArray<A> =>
  fc.sample(arbitrary, { seed, numRuns: count })
