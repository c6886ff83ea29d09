/**
 * What the library models of the contract, written once: per operation, the statuses it expects,
 * the parameters it sends, and the fields of the request and response bodies as they travel on the
 * wire (required or optional, nullable or not). Each line's contract test derives the same model
 * from its own endpoint rows and schemas and must find exactly this; the drift report
 * (`scripts/contract-diff.ts`) compares newer OpenAPI documents with it.
 */
import * as Endpoints from "../src/endpoints.js"
import { knownProviderSlugs } from "../src/providers.js"

/** One field: whether it must be present and may be `null`, and its enum values when it has any. */
export interface Field {
  readonly required: boolean
  readonly nullable: boolean
  /** The string values the field is limited to, when it is an enum. */
  readonly values: ReadonlyArray<string>
}

/**
 * Fields by path: dotted, with `[]` for the elements of an array (`data[].id`). Parameters are
 * keyed by location and name (`query limit`, `path id`).
 */
export type Fields = ReadonlyMap<string, Field>

/** One operation's part of a model. */
export interface OperationModel {
  readonly statuses: ReadonlyArray<string>
  readonly parameters: Fields
  readonly request: Fields
  readonly response: Fields
}

/** What a document (or the library) says about the BYOK paths. Operations are keyed `METHOD /path`. */
export interface ContractModel {
  readonly operations: ReadonlyMap<string, OperationModel>
  readonly providerSlugs: ReadonlyArray<string>
}

const required: Field = { required: true, nullable: false, values: [] }
const requiredNullable: Field = { required: true, nullable: true, values: [] }
const optional: Field = { required: false, nullable: false, values: [] }
const optionalNullable: Field = { required: false, nullable: true, values: [] }

/** A credential's fields on the wire, as `ByokKeyFromWire` decodes them. */
const keyFields: ReadonlyArray<readonly [string, Field]> = [
  ["id", required],
  ["provider", required],
  ["workspace_id", requiredNullable],
  ["label", required],
  ["name", optionalNullable],
  ["disabled", required],
  ["is_fallback", required],
  ["is_required", required],
  ["is_byok_only", required],
  ["declared_zdr", requiredNullable],
  ["allowed_models", requiredNullable],
  ["allowed_api_key_hashes", requiredNullable],
  ["allowed_user_ids", requiredNullable],
  ["sort_order", required],
  ["created_at", required]
]

/** The settings create and update share, all optional; `null` clears the nullable ones. */
const settingFields: ReadonlyArray<readonly [string, Field]> = [
  ["name", optionalNullable],
  ["disabled", optional],
  ["is_fallback", optional],
  ["is_byok_only", optional],
  ["is_required", optional],
  ["declared_zdr", optionalNullable],
  ["allowed_models", optionalNullable],
  ["allowed_api_key_hashes", optionalNullable],
  ["allowed_user_ids", optionalNullable]
]

const under = (prefix: string, fields: ReadonlyArray<readonly [string, Field]>): Array<[string, Field]> =>
  fields.map(([name, field]) => [`${prefix}${name}`, field])

const keyResponse: Fields = new Map([["data", required], ...under("data.", keyFields)])
const pathId: Fields = new Map([["path id", required]])
const none: Fields = new Map()
const statuses = (row: Endpoints.EndpointRow) => [row.successStatus, ...row.declared].map(String)

/** The library's model, in the order the contract lists the operations. */
export const libraryModel: ContractModel = {
  operations: new Map<string, OperationModel>([
    ["GET /byok", {
      statuses: statuses(Endpoints.list),
      parameters: new Map(Endpoints.list.query.map((name): [string, Field] => [`query ${name}`, optional])),
      request: none,
      response: new Map([["data", required], ...under("data[].", keyFields), ["total_count", required]])
    }],
    ["POST /byok", {
      statuses: statuses(Endpoints.create),
      parameters: none,
      request: new Map([["provider", required], ["key", required], ["workspace_id", optional], ...settingFields]),
      response: keyResponse
    }],
    ["DELETE /byok/{id}", {
      statuses: statuses(Endpoints.remove),
      parameters: pathId,
      request: none,
      response: new Map([["deleted", required]])
    }],
    ["GET /byok/{id}", {
      statuses: statuses(Endpoints.get),
      parameters: new Map([...pathId, ...Endpoints.get.query.map((name): [string, Field] => [`query ${name}`, optional])]),
      request: none,
      response: keyResponse
    }],
    ["PATCH /byok/{id}", {
      statuses: statuses(Endpoints.update),
      parameters: pathId,
      request: new Map([["key", optional], ...settingFields]),
      response: keyResponse
    }]
  ]),
  providerSlugs: [...knownProviderSlugs]
}
