/**
 * The BYOK credential as the API returns it, and the page a list request yields.
 *
 * Fields are camelCase; the schemas decode them from the API's snake_case wire form and encode them back.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as Slugs from "../../shared/src/providers.js"
import { parseRfc3339 } from "../../shared/src/wireTime.js"

/**
 * The provider slugs the OpenAPI contract lists today. The API adds providers every month, so this
 * list types the known ones and never rejects a new one.
 *
 * @since 0.1.0
 * @category models
 */
export const knownProviderSlugs: typeof Slugs.knownProviderSlugs = Slugs.knownProviderSlugs

/**
 * A provider slug the contract lists.
 *
 * @since 0.1.0
 * @category models
 */
export type KnownProviderSlug = Slugs.KnownProviderSlug

/**
 * An open enum: every known slug autocompletes, and any other string is still accepted.
 *
 * @since 0.1.0
 * @category models
 */
export type ProviderSlug = KnownProviderSlug | (string & {})

/**
 * Decodes a provider slug from the server: any string, typed as `ProviderSlug`.
 *
 * A plain string check rather than a union of literals: the union costs half of the decode time of
 * a listed key and would still have to end in `String` to accept new providers.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProviderSlug: Schema.Codec<ProviderSlug> = Schema.String.annotate({
  identifier: "ProviderSlug",
  examples: ["openai", "anthropic", "amazon-bedrock"]
})

const nullableStrings = Schema.NullOr(Schema.Array(Schema.String))

const firstRfc3339Millis = Date.UTC(2000, 0, 1) - 2000 * 365.2425 * 86_400_000
const lastRfc3339Millis = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** A valid `Date` in the years RFC 3339 can write, so that every `ByokKey` encodes to the wire and back. */
const Rfc3339Date = Schema.Date.check(
  Schema.makeFilter((date) => date.getTime() >= firstRfc3339Millis && date.getTime() <= lastRfc3339Millis, {
    message: "expected a date in the years 0000 to 9999"
  })
)

/**
 * A bring-your-own-key provider credential. The raw provider key is write-only and never returned;
 * `label` is the server's masked snippet of it.
 *
 * The class's own schema is the camelCase model; `ByokKeyFromWire` decodes it from (and encodes it
 * to) the API's snake_case JSON.
 *
 * @since 0.1.0
 * @category models
 */
export class ByokKey extends Schema.Class<ByokKey>("ByokKey")({
  id: Schema.String,
  provider: ProviderSlug,
  /** The workspace the credential is scoped to; `null` means global (usable in every workspace). */
  workspaceId: Schema.NullOr(Schema.String),
  label: Schema.String,
  /** Optional in the contract: absent and `null` both mean "no name". */
  name: Schema.optional(Schema.NullOr(Schema.String)),
  disabled: Schema.Boolean,
  isFallback: Schema.Boolean,
  isRequired: Schema.Boolean,
  isByokOnly: Schema.Boolean,
  declaredZdr: Schema.NullOr(Schema.Boolean),
  allowedModels: nullableStrings,
  allowedApiKeyHashes: nullableStrings,
  allowedUserIds: nullableStrings,
  sortOrder: Schema.Int,
  /** When the credential was created: a date that RFC 3339 can write (years 0000 to 9999). */
  createdAt: Rfc3339Date
}) {}

/**
 * A credential exactly as the API sends it (the contract's `BYOKKey`): snake_case, `created_at` as
 * an RFC 3339 date-time string. Fields the server adds later are ignored.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByokKeyWire = Schema.Struct({
  id: Schema.String,
  provider: ProviderSlug,
  workspace_id: Schema.NullOr(Schema.String),
  label: Schema.String,
  name: Schema.optional(Schema.NullOr(Schema.String)),
  disabled: Schema.Boolean,
  is_fallback: Schema.Boolean,
  is_required: Schema.Boolean,
  is_byok_only: Schema.Boolean,
  declared_zdr: Schema.NullOr(Schema.Boolean),
  allowed_models: nullableStrings,
  allowed_api_key_hashes: nullableStrings,
  allowed_user_ids: nullableStrings,
  sort_order: Schema.Int,
  created_at: Schema.String
})

/**
 * Builds a `ByokKey` from a wire object that `ByokKeyWire` has already validated.
 *
 * It fills an instance of the class directly instead of calling the constructor: the constructor
 * copies its input, merges defaults (there are none) and may validate again, which made it the
 * largest single cost of decoding a page. The result is a real `ByokKey` (`instanceof`, `Equal`).
 */
const fromValidatedWire = (wire: typeof ByokKeyWire.Type, createdAt: Date): ByokKey => {
  const key = Object.create(ByokKey.prototype)
  key.id = wire.id
  key.provider = wire.provider
  key.workspaceId = wire.workspace_id
  key.label = wire.label
  if (wire.name !== undefined) key.name = wire.name
  key.disabled = wire.disabled
  key.isFallback = wire.is_fallback
  key.isRequired = wire.is_required
  key.isByokOnly = wire.is_byok_only
  key.declaredZdr = wire.declared_zdr
  key.allowedModels = wire.allowed_models
  key.allowedApiKeyHashes = wire.allowed_api_key_hashes
  key.allowedUserIds = wire.allowed_user_ids
  key.sortOrder = wire.sort_order
  key.createdAt = createdAt
  return key
}

const createdAtMessage =
  "expected an RFC 3339 date-time with a time zone, such as 2025-08-24T10:30:00Z or 2025-08-24T12:30:00.5+02:00"

/**
 * Decodes a `ByokKey` from the API's JSON and encodes one back. `created_at` must be an RFC 3339
 * date-time (date, `T`, time, `Z` or an offset, optional fractional seconds, kept to the
 * millisecond); anything else fails on that field.
 *
 * The renaming is written out rather than declared with `Schema.encodeKeys`: one pass over a
 * validated object instead of a second struct decode.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ByokKeyFromWire } from "effect-openrouter-byok"
 *
 * // A credential from the API's JSON, such as a response recorded for a test
 * const key = Schema.decodeUnknownSync(ByokKeyFromWire)({
 *   id: "00000000-0000-4000-8000-000000000001",
 *   provider: "openai",
 *   workspace_id: null,
 *   label: "sk-...7f3a",
 *   name: "Production",
 *   disabled: false,
 *   is_fallback: false,
 *   is_required: false,
 *   is_byok_only: false,
 *   declared_zdr: null,
 *   allowed_models: ["openai/gpt-4o"],
 *   allowed_api_key_hashes: null,
 *   allowed_user_ids: null,
 *   sort_order: 0,
 *   created_at: "2025-08-24T10:30:00Z"
 * })
 *
 * console.log(key.workspaceId, key.allowedModels, key.createdAt.getTime()) // null [ 'openai/gpt-4o' ] 1756031400000
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByokKeyFromWire: Schema.Codec<ByokKey, typeof ByokKeyWire.Encoded> = ByokKeyWire.pipe(Schema.decodeTo(
  Schema.instanceOf(ByokKey),
  SchemaTransformation.transformEffect({
    decode: (wire) => {
      const millis = parseRfc3339(wire.created_at)
      return millis === undefined
        ? Effect.fail(
          new SchemaIssue.Pointer(["created_at"], new SchemaIssue.InvalidValue({ message: createdAtMessage }, wire.created_at))
        )
        : Effect.succeed(fromValidatedWire(wire, new Date(millis)))
    },
    encode: (key) =>
      Effect.succeed({
        id: key.id,
        provider: key.provider,
        workspace_id: key.workspaceId,
        label: key.label,
        ...(key.name !== undefined ? { name: key.name } : {}),
        disabled: key.disabled,
        is_fallback: key.isFallback,
        is_required: key.isRequired,
        is_byok_only: key.isByokOnly,
        declared_zdr: key.declaredZdr,
        allowed_models: key.allowedModels,
        allowed_api_key_hashes: key.allowedApiKeyHashes,
        allowed_user_ids: key.allowedUserIds,
        sort_order: key.sortOrder,
        created_at: key.createdAt.toISOString()
      })
  })
)).annotate({ identifier: "ByokKeyFromWire" })

/**
 * One page of a list request: the credentials, the total that match the filters, and the
 * offset and limit that were asked for.
 *
 * @since 0.1.0
 * @category models
 */
export interface ByokKeyPage {
  readonly data: ReadonlyArray<ByokKey>
  readonly totalCount: number
  readonly offset: number
  readonly limit: number
}
