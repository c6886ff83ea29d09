/**
 * The BYOK credential as the API returns it, and the page a list request yields.
 *
 * Fields are camelCase; the schemas decode them from the API's snake_case wire form and encode them back.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The provider slugs the OpenAPI contract lists today. The API adds providers every month, so this
 * list types the known ones and never rejects a new one.
 *
 * @since 0.1.0
 * @category models
 */
export const knownProviderSlugs = [
  "ai21",
  "aion-labs",
  "akashml",
  "alibaba",
  "amazon-bedrock",
  "amazon-nova",
  "ambient",
  "anthropic",
  "arcee-ai",
  "assemblyai",
  "atlas-cloud",
  "avian",
  "azure",
  "baidu",
  "baseten",
  "black-forest-labs",
  "byteplus",
  "cerebras",
  "chutes",
  "cirrascale",
  "clarifai",
  "claude-on-aws",
  "cloudflare",
  "cohere",
  "coreweave",
  "cosine",
  "crusoe",
  "darkbloom",
  "databricks",
  "decart",
  "deepgram",
  "deepinfra",
  "deepseek",
  "dekallm",
  "digitalocean",
  "featherless",
  "fireworks",
  "fish-audio",
  "friendli",
  "gmicloud",
  "google-ai-studio",
  "google-vertex",
  "groq",
  "heygen",
  "inception",
  "inceptron",
  "inferact-vllm",
  "inference-net",
  "infermatic",
  "inflection",
  "io-net",
  "ionstream",
  "krea",
  "liquid",
  "makora",
  "mancer",
  "mara",
  "meta",
  "minimax",
  "mistral",
  "modal",
  "modelrun",
  "modular",
  "moonshotai",
  "morph",
  "near-ai",
  "nebius",
  "nex-agi",
  "nextbit",
  "novita",
  "nvidia",
  "ollama",
  "open-inference",
  "openai",
  "parasail",
  "perceptron",
  "perplexity",
  "phala",
  "poolside",
  "primeintellect",
  "quiver",
  "recraft",
  "reka",
  "relace",
  "runway",
  "sail-research",
  "sakana",
  "sakana-ai",
  "sambanova",
  "seed",
  "siliconflow",
  "sourceful",
  "stepfun",
  "streamlake",
  "switchpoint",
  "tencent",
  "tenstorrent",
  "thinkingmachines",
  "together",
  "typesafe",
  "unbiased",
  "upstage",
  "venice",
  "voyageai",
  "wafer",
  "wandb",
  "wandb-legacy",
  "xai",
  "xiaomi",
  "z-ai",
] as const

/**
 * A provider slug the contract lists.
 *
 * @since 0.1.0
 * @category models
 */
export type KnownProviderSlug = typeof knownProviderSlugs[number]

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
export const ProviderSlug: Schema.Schema<ProviderSlug> = Schema.String.annotations({
  identifier: "ProviderSlug",
  examples: ["openai", "anthropic", "amazon-bedrock"]
})

const nullableStrings = Schema.NullOr(Schema.Array(Schema.String))

/**
 * A bring-your-own-key provider credential. The raw provider key is write-only and never returned;
 * `label` is the server's masked snippet of it.
 *
 * @since 0.1.0
 * @category models
 */
export class ByokKey extends Schema.Class<ByokKey>("ByokKey")({
  id: Schema.String,
  provider: ProviderSlug,
  /** The workspace the credential is scoped to; `null` means global (usable in every workspace). */
  workspaceId: Schema.propertySignature(Schema.NullOr(Schema.String)).pipe(Schema.fromKey("workspace_id")),
  label: Schema.String,
  /** Optional in the contract: absent and `null` both mean "no name". */
  name: Schema.optional(Schema.NullOr(Schema.String)),
  disabled: Schema.Boolean,
  isFallback: Schema.propertySignature(Schema.Boolean).pipe(Schema.fromKey("is_fallback")),
  isRequired: Schema.propertySignature(Schema.Boolean).pipe(Schema.fromKey("is_required")),
  isByokOnly: Schema.propertySignature(Schema.Boolean).pipe(Schema.fromKey("is_byok_only")),
  declaredZdr: Schema.propertySignature(Schema.NullOr(Schema.Boolean)).pipe(Schema.fromKey("declared_zdr")),
  allowedModels: Schema.propertySignature(nullableStrings).pipe(Schema.fromKey("allowed_models")),
  allowedApiKeyHashes: Schema.propertySignature(nullableStrings).pipe(Schema.fromKey("allowed_api_key_hashes")),
  allowedUserIds: Schema.propertySignature(nullableStrings).pipe(Schema.fromKey("allowed_user_ids")),
  sortOrder: Schema.propertySignature(Schema.Int).pipe(Schema.fromKey("sort_order")),
  createdAt: Schema.propertySignature(Schema.Date).pipe(Schema.fromKey("created_at"))
}) {}

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
