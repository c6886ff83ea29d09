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
export const ProviderSlugInput: Schema.Schema<ProviderSlug> = Schema.String.pipe(
  Schema.pattern(providerSlugPattern, { message: () => "a provider slug is lowercase letters, digits and single dashes" }),
  Schema.maxLength(64)
)

/**
 * A credential or workspace id: a UUID.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Uuid = Schema.String.pipe(Schema.pattern(uuidPattern, { message: () => "expected a UUID" }))

/**
 * A human-readable credential name: 1 to 255 characters, not blank, no control characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CredentialName = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(255),
  Schema.filter((s) => s.trim().length > 0 || "a name must not be blank"),
  Schema.pattern(/^[^\u0000-\u001f\u007f]*$/, { message: () => "a name must not contain control characters" })
)

/**
 * One entry of the model or user allowlists: 1 to 256 visible ASCII characters (model slugs such as
 * `openai/gpt-4o:beta`, user ids).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AllowlistEntry = Schema.String.pipe(
  Schema.pattern(/^[\x21-\x7e]{1,256}$/, { message: () => "an allowlist entry is 1 to 256 visible ASCII characters" })
)

/**
 * An OpenRouter API key hash (`api_keys.hash`): 64 lowercase hex characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiKeyHash = Schema.String.pipe(
  Schema.pattern(/^[a-f0-9]{64}$/, { message: () => "an API key hash is 64 lowercase hex characters" })
)

/**
 * The raw provider key: non-empty, held as `Redacted` so it never prints.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProviderKey = Schema.Redacted(Schema.String.pipe(Schema.minLength(1, { message: () => "the key must not be empty" })))

const allowlist = Schema.Array(AllowlistEntry).pipe(Schema.maxItems(100))
const hashAllowlist = Schema.Array(ApiKeyHash).pipe(Schema.minItems(1), Schema.maxItems(100))

/** `exact` keeps "absent" distinct from `undefined`, so absent fields never reach the wire. */
const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

const notFallbackAndByokOnly = (input: { readonly isFallback?: boolean; readonly isByokOnly?: boolean }) =>
  !(input.isFallback === true && input.isByokOnly === true) || {
    path: ["isByokOnly"],
    message: "isFallback and isByokOnly cannot both be true"
  }

/** The fields create and update share: on create they set, on update they change (`null` clears). */
const settings = {
  name: optional(Schema.NullOr(CredentialName)),
  disabled: optional(Schema.Boolean),
  isFallback: optional(Schema.Boolean).pipe(Schema.fromKey("is_fallback")),
  isByokOnly: optional(Schema.Boolean).pipe(Schema.fromKey("is_byok_only")),
  isRequired: optional(Schema.Boolean).pipe(Schema.fromKey("is_required")),
  declaredZdr: optional(Schema.NullOr(Schema.Boolean)).pipe(Schema.fromKey("declared_zdr")),
  allowedModels: optional(Schema.NullOr(allowlist)).pipe(Schema.fromKey("allowed_models")),
  allowedApiKeyHashes: optional(Schema.NullOr(hashAllowlist)).pipe(Schema.fromKey("allowed_api_key_hashes")),
  allowedUserIds: optional(Schema.NullOr(allowlist)).pipe(Schema.fromKey("allowed_user_ids"))
}

/**
 * Options of `Byok.list`: one page. `limit` is 1 to 100 (the server's default is 50), `offset` at least 0.
 *
 * @example
 * ```ts
 * import { Either, Schema } from "effect"
 * import { ListByokKeys } from "effect-openrouter-byok"
 *
 * // Check a form's options by the client's own rules before calling `list`
 * const check = Schema.validateEither(ListByokKeys)
 *
 * console.log(Either.isRight(check({ provider: "openai", limit: 20 }))) // true
 * console.log(Either.isRight(check({ limit: 500 }))) // false: limit is 1 to 100
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListByokKeys = Schema.Struct({
  offset: optional(Schema.Int.pipe(Schema.greaterThanOrEqualTo(0))),
  limit: optional(Schema.Int.pipe(Schema.between(1, 100))),
  provider: optional(ProviderSlugInput),
  workspaceId: optional(Uuid).pipe(Schema.fromKey("workspace_id"))
})

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
 * @since 1.0.0
 * @category schemas
 */
export const GetByokKey = Schema.Struct({
  workspaceId: optional(Uuid).pipe(Schema.fromKey("workspace_id"))
})

/**
 * Options of `Byok.get`.
 *
 * @since 1.0.0
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
  pageSize: optional(Schema.Int.pipe(Schema.between(1, 100))),
  concurrency: optional(Schema.Int.pipe(Schema.between(1, 16)))
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
 * import { Either, Redacted, Schema } from "effect"
 * import { CreateByokKey } from "effect-openrouter-byok"
 *
 * // What `create` would refuse with InvalidRequest, sending nothing
 * const result = Schema.validateEither(CreateByokKey)({
 *   provider: "openai",
 *   key: Redacted.make("sk-proj-example"),
 *   isFallback: true,
 *   isByokOnly: true
 * })
 *
 * console.log(Either.isLeft(result)) // true: isFallback and isByokOnly cannot both be true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateByokKey = Schema.Struct({
  provider: ProviderSlugInput,
  key: ProviderKey,
  workspaceId: optional(Uuid).pipe(Schema.fromKey("workspace_id")),
  ...settings
}).pipe(Schema.filter(notFallbackAndByokOnly))

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
}).pipe(Schema.filter(notFallbackAndByokOnly))

/**
 * The body of `Byok.update`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpdateByokKey extends Schema.Schema.Type<typeof UpdateByokKey> {}
