/**
 * The shared endpoint rows (`shared/src/endpoints.ts`) with this line's schemas: how the caller's
 * input becomes the request (validated, in wire form) and how a success body is decoded. The
 * client runs every row through one pipeline.
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as Rows from "../../../shared/src/endpoints.js"
import type { BodyDecoding } from "../../../shared/src/responseRules.js"
import { ByokKeyFromWire } from "../ByokKey.js"
import type * as ByokError from "../ByokError.js"
import { CreateByokKey, GetByokKey, ListByokKeys, UpdateByokKey, Uuid } from "../ByokInput.js"

export type { DeclaredStatus, Operation, WireRequest } from "../../../shared/src/endpoints.js"

/** The error class of each declared status, by the shared table of tags. */
interface ErrorByStatus {
  400: ByokError.BadRequest
  401: ByokError.Unauthorized
  403: ByokError.Forbidden
  404: ByokError.NotFound
  500: ByokError.InternalServer
}

/** A row with its schemas. `Input` is what the caller passes, `Success` what the call yields. */
export interface Endpoint<Input, Success, Declared extends Rows.DeclaredStatus> extends Rows.EndpointRow<Declared> {
  /** The request's schema, if it has one: the query's for a GET, the body's otherwise. Encoded side = wire. */
  readonly request?: Schema.Top
  /** Validates the caller's input and builds the request; a failure means nothing is sent. */
  readonly encodeInput: (input: Input) => Result.Result<Rows.WireRequest, Schema.SchemaError>
  /** The success body's schema; its encoded side is the wire JSON. */
  readonly response: Schema.Codec<Success, any>
  /** `response` compiled once: judges a parsed body. */
  readonly decodeBody: (json: unknown) => BodyDecoding<Success>
  /** What a 404 on a retried attempt stands for, when the row says it means success. */
  readonly notFoundOnRetry?: Success
}

/** Any row, for code that handles them all alike. */
export type AnyEndpoint = Endpoint<any, any, Rows.DeclaredStatus>

/** The error union an endpoint's declared statuses stand for. */
export type DeclaredError<E> = E extends Endpoint<any, any, infer D> ? ErrorByStatus[D] : never

/** Every issue of a failed decode, checked in full: the server's body is reported as a whole. */
const allErrors = { errors: "all" } as const

const endpoint = <Input, Success, Declared extends Rows.DeclaredStatus>(
  row: Rows.EndpointRow<Declared>,
  schemas: {
    readonly request?: Schema.Top
    readonly encodeInput: Endpoint<Input, Success, Declared>["encodeInput"]
    readonly response: Schema.Codec<Success, any>
    readonly notFoundOnRetry?: Success
  }
): Endpoint<Input, Success, Declared> => {
  const decode = Schema.decodeUnknownResult(schemas.response)
  return {
    ...row,
    ...schemas,
    decodeBody: (json) =>
      Result.match(decode(json), {
        onFailure: (error) => ({ ok: false, message: SchemaIssue.makeFormatterDefault()(error.issue) }),
        onSuccess: (value) => ({ ok: true, value })
      })
  }
}

/** `{ data: [...], total_count }` */
export const ListResponse = Schema.Struct({
  data: Schema.Array(ByokKeyFromWire),
  total_count: Schema.Int
})

/** `{ data: {...} }`, the body of get, create and update. */
export const KeyResponse = Schema.Struct({ data: ByokKeyFromWire })

/** `{ deleted: true }`: anything else is not a confirmed delete. */
export const DeleteResponse = Schema.Struct({ deleted: Schema.Literal(true) })

const encodeListQuery = Schema.encodeUnknownResult(ListByokKeys)
const encodeCreate = Schema.encodeUnknownResult(CreateByokKey)
const encodeUpdate = Schema.encodeUnknownResult(UpdateByokKey)
const decodeId = Schema.decodeUnknownResult(Uuid)
const encodeGetQuery = Schema.encodeUnknownResult(GetByokKey)

/** `/byok/{id}` with a validated id. */
const keyPath = (id: unknown) => Result.map(decodeId(id), Rows.keyPath)

export const list = endpoint(Rows.list, {
  request: ListByokKeys,
  encodeInput: (input: ListByokKeys) => Result.map(encodeListQuery(input, allErrors), Rows.listRequest),
  response: ListResponse
})

export const get = endpoint(Rows.get, {
  request: GetByokKey,
  encodeInput: ({ id, options }: { readonly id: string; readonly options: GetByokKey }) =>
    Result.flatMap(decodeId(id), (valid) => Result.map(encodeGetQuery(options, allErrors), (query) => Rows.getRequest(valid, query))),
  response: KeyResponse
})

export const create = endpoint(Rows.create, {
  request: CreateByokKey,
  encodeInput: (input: CreateByokKey) =>
    Result.map(encodeCreate(input, allErrors), (body): Rows.WireRequest => ({ path: "/byok", body, secrets: [body.key] })),
  response: KeyResponse
})

export const update = endpoint(Rows.update, {
  request: UpdateByokKey,
  encodeInput: ({ changes, id }: { readonly id: string; readonly changes: UpdateByokKey }) =>
    Result.flatMap(keyPath(id), (path) =>
      Result.map(encodeUpdate(changes, allErrors), (body): Rows.WireRequest => ({
        path,
        body,
        ...(body.key !== undefined ? { secrets: [body.key] } : {})
      }))),
  response: KeyResponse
})

export const remove = endpoint(Rows.remove, {
  encodeInput: (id: string) => Result.map(keyPath(id), (path): Rows.WireRequest => ({ path })),
  response: DeleteResponse,
  notFoundOnRetry: { deleted: true } as const
})

/** Every endpoint with its schemas, in the order the contract lists them. */
export const all: ReadonlyArray<AnyEndpoint> = [list, create, remove, get, update]

export const { listPageRequest, serverDefaultLimit } = Rows
