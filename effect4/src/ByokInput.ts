/**
 * What callers pass to the operations, as Schemas. Every input is validated against these before a
 * request is built, so a rejected input fails with `InvalidRequest` and sends nothing.
 *
 * The encoded side of each schema is the API's snake_case wire form.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { providerSlugPattern } from "../../shared/src/providers.js"
import { uuidPattern } from "../../shared/src/wire.js"
import type { ProviderSlug } from "./ByokKey.js"

/**
 * A lowercase provider slug such as `openai` or `amazon-bedrock`. Slugs the contract does not list
 * yet are accepted; anything that is not slug-shaped is rejected.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProviderSlugInput: Schema.Codec<ProviderSlug> = Schema.String.check(
  Schema.isPattern(providerSlugPattern, { message: "a provider slug is lowercase letters, digits and single dashes" }),
  Schema.isMaxLength(64)
)

/**
 * A credential or workspace id: a UUID.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Uuid = Schema.String.check(Schema.isPattern(uuidPattern, { message: "expected a UUID" }))

/**
 * A human-readable credential name: 1 to 255 characters, not blank, no control characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CredentialName = Schema.String.check(
  Schema.isMinLength(1),
  Schema.isMaxLength(255),
  Schema.makeFilter((s) => s.trim().length > 0 || "a name must not be blank"),
  Schema.isPattern(/^[^\u0000-\u001f\u007f]*$/, { message: "a name must not contain control characters" })
)

/**
 * One entry of the model or user allowlists: 1 to 256 visible ASCII characters (model slugs such as
 * `openai/gpt-4o:beta`, user ids).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AllowlistEntry = Schema.String.check(
  Schema.isPattern(/^[\x21-\x7e]{1,256}$/, { message: "an allowlist entry is 1 to 256 visible ASCII characters" })
)

/**
 * An OpenRouter API key hash (`api_keys.hash`): 64 lowercase hex characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiKeyHash = Schema.String.check(
  Schema.isPattern(/^[a-f0-9]{64}$/, { message: "an API key hash is 64 lowercase hex characters" })
)

/**
 * The raw provider key: non-empty, held as `Redacted` so it never prints.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProviderKey = Schema.RedactedFromValue(Schema.String.check(Schema.isMinLength(1, { message: "the key must not be empty" })))

const allowlist = Schema.Array(AllowlistEntry).check(Schema.isMaxLength(100))
const hashAllowlist = Schema.Array(ApiKeyHash).check(Schema.isMinLength(1), Schema.isMaxLength(100))

/** An optional key: absent stays absent, so absent fields never reach the wire. */
const optional = Schema.optionalKey

const notFallbackAndByokOnly = Schema.makeFilter(
  (input: { readonly isFallback?: boolean; readonly isByokOnly?: boolean }) =>
    !(input.isFallback === true && input.isByokOnly === true) || {
      path: ["isByokOnly"],
      issue: "isFallback and isByokOnly cannot both be true"
    }
)

/** The fields create and update share: on create they set, on update they change (`null` clears). */
const settings = {
  name: optional(Schema.NullOr(CredentialName)),
  disabled: optional(Schema.Boolean),
  isFallback: optional(Schema.Boolean),
  isByokOnly: optional(Schema.Boolean),
  isRequired: optional(Schema.Boolean),
  declaredZdr: optional(Schema.NullOr(Schema.Boolean)),
  allowedModels: optional(Schema.NullOr(allowlist)),
  allowedApiKeyHashes: optional(Schema.NullOr(hashAllowlist)),
  allowedUserIds: optional(Schema.NullOr(allowlist))
}

/** The wire names of the settings. */
const settingKeys = {
  isFallback: "is_fallback",
  isByokOnly: "is_byok_only",
  isRequired: "is_required",
  declaredZdr: "declared_zdr",
  allowedModels: "allowed_models",
  allowedApiKeyHashes: "allowed_api_key_hashes",
  allowedUserIds: "allowed_user_ids"
} as const

/**
 * Options of `Byok.list`: one page. `limit` is 1 to 100 (the server's default is 50), `offset` at least 0.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ListByokKeys } from "effect-openrouter-byok"
 *
 * // Check a form's options by the client's own rules before calling `list`
 * const check = Schema.is(ListByokKeys)
 *
 * console.log(check({ provider: "openai", limit: 20 })) // true
 * console.log(check({ limit: 500 })) // false: limit is 1 to 100
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListByokKeys = Schema.Struct({
  offset: optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  limit: optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 }))),
  provider: optional(ProviderSlugInput),
  workspaceId: optional(Uuid)
}).pipe(Schema.encodeKeys({ workspaceId: "workspace_id" }))

/**
 * Options of `Byok.list`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListByokKeys extends Schema.Schema.Type<typeof ListByokKeys> {}

/**
 * Options of `Byok.get`: the workspace to look in. Without one the API looks in the account's
 * default workspace; either way it finds the global credentials too.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Byok, type GetByokKey } from "effect-openrouter-byok"
 *
 * // A credential that lives in another workspace than the default one
 * const staging: GetByokKey = { workspaceId: "7c9e6679-7425-40de-944b-e07fc1f90ae7" }
 *
 * const find = (id: string) => Effect.flatMap(Byok, (byok) => byok.get(id, staging))
 * ```
 *
 * @since 2.0.0
 * @category schemas
 */
export const GetByokKey = Schema.Struct({
  workspaceId: optional(Uuid)
}).pipe(Schema.encodeKeys({ workspaceId: "workspace_id" }))

/**
 * Options of `Byok.get`.
 *
 * @since 2.0.0
 * @category models
 */
export interface GetByokKey extends Schema.Schema.Type<typeof GetByokKey> {}

/**
 * Options of `Byok.stream` and `Byok.pages`: the filters, the page size (1 to 100, default 100) and
 * how many pages may be fetched at once once the total is known (1 to 16, default 1).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Byok, type StreamByokKeys } from "effect-openrouter-byok"
 *
 * // Large pages, four at a time once the first page has told the total
 * const fast: StreamByokKeys = { pageSize: 100, concurrency: 4 }
 *
 * const count = Effect.flatMap(Byok, (byok) => Stream.runCount(byok.stream({ ...fast, provider: "openai" })))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const StreamByokKeys = Schema.Struct({
  provider: optional(ProviderSlugInput),
  workspaceId: optional(Uuid),
  pageSize: optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 }))),
  concurrency: optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 16 })))
})

/**
 * Options of `Byok.stream` and `Byok.pages`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamByokKeys extends Schema.Schema.Type<typeof StreamByokKeys> {}

/**
 * The body of `Byok.create`. `provider` and `key` are required; the rest take the server's defaults.
 *
 * @example
 * ```ts
 * import { Redacted, Schema } from "effect"
 * import { CreateByokKey } from "effect-openrouter-byok"
 *
 * // What `create` would refuse with InvalidRequest, sending nothing
 * const accepted = Schema.is(CreateByokKey)({
 *   provider: "openai",
 *   key: Redacted.make("sk-proj-example"),
 *   isFallback: true,
 *   isByokOnly: true
 * })
 *
 * console.log(accepted) // false: isFallback and isByokOnly cannot both be true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateByokKey = Schema.Struct({
  provider: ProviderSlugInput,
  key: ProviderKey,
  workspaceId: optional(Uuid),
  ...settings
}).check(notFallbackAndByokOnly).pipe(Schema.encodeKeys({ workspaceId: "workspace_id", ...settingKeys }))

/**
 * The body of `Byok.create`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateByokKey extends Schema.Schema.Type<typeof CreateByokKey> {}

/**
 * The body of `Byok.update`. An absent field is left unchanged; `null` clears `name`,
 * `declaredZdr` and the allowlists. A `key` rotates the credential in place.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Byok, type UpdateByokKey } from "effect-openrouter-byok"
 *
 * // Lift every restriction: null clears a field, an absent field stays as it is
 * const unrestricted: UpdateByokKey = { allowedModels: null, allowedApiKeyHashes: null, allowedUserIds: null }
 *
 * const open = (id: string) => Effect.flatMap(Byok, (byok) => byok.update(id, unrestricted))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UpdateByokKey = Schema.Struct({
  key: optional(ProviderKey),
  ...settings
}).check(notFallbackAndByokOnly).pipe(Schema.encodeKeys(settingKeys))

/**
 * The body of `Byok.update`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpdateByokKey extends Schema.Schema.Type<typeof UpdateByokKey> {}
