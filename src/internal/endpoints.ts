/**
 * The one description of the BYOK API: a row per endpoint with everything the request pipeline
 * needs — method and path, how the caller's input becomes the request (validated, in wire form),
 * the success status and decoder, the declared error statuses, and how it may be retried. The
 * client runs every row through one pipeline, the fake routes and validates with the same rows,
 * and the contract test and the drift report hold them against the OpenAPI document.
 */
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ByokKeyFromWire } from "../ByokKey.js"
import * as ByokError from "../ByokError.js"
import { CreateByokKey, ListByokKeys, UpdateByokKey, Uuid } from "../ByokInput.js"
import type { RequestKind } from "../RetryPolicy.js"

/** The error class for each status the contract documents with a JSON error body. */
export const errorByStatus = {
  400: ByokError.BadRequest,
  401: ByokError.Unauthorized,
  403: ByokError.Forbidden,
  404: ByokError.NotFound,
  500: ByokError.InternalServer
} as const

export type DeclaredStatus = keyof typeof errorByStatus

export type Operation = "list" | "get" | "create" | "update" | "delete"

/** One request in wire form, ready to send: the pipeline adds the base URL and the headers. */
export interface WireRequest {
  /** The concrete path, ids URL-encoded. */
  readonly path: string
  readonly query?: Readonly<Record<string, string>>
  /** The JSON body. */
  readonly body?: unknown
  /** Secrets the body carries (a provider key), scrubbed from anything the server echoes back. */
  readonly secrets?: ReadonlyArray<string>
  /** What a span should say about this request beyond its method and route. */
  readonly attributes?: Readonly<Record<string, string | number>>
}

/** A row of the table. `Input` is what the caller passes, `Success` what the call yields. */
export interface Endpoint<Input, Success, Declared extends DeclaredStatus> {
  readonly operation: Operation
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  /** The OpenAPI path template. */
  readonly path: "/byok" | "/byok/{id}"
  /** The request's schema, if it has one: the query's for a GET, the body's otherwise. Encoded side = wire. */
  readonly request?: Schema.Schema.Any
  /** Validates the caller's input and builds the request; a failure means nothing is sent. */
  readonly encodeInput: (input: Input) => Either.Either<WireRequest, ParseResult.ParseError>
  /** The one 2XX the contract gives; any other is an `ApiError`. */
  readonly successStatus: 200 | 201
  /** The success body's schema; its encoded side is the wire JSON. */
  readonly response: Schema.Schema<Success, any>
  /** `response` compiled once: validates a parsed body. */
  readonly decodeResponse: (json: unknown) => Either.Either<Success, ParseResult.ParseError>
  /** Error statuses the contract documents for this endpoint. */
  readonly declared: ReadonlyArray<Declared>
  /** `idempotent`: safe to send twice. `create`: retried only when the server certainly did not act. */
  readonly retry: RequestKind
  /**
   * What a 404 on a retried attempt stands for, if it means the earlier attempt succeeded: a
   * DELETE whose first attempt broke off after the server acted finds the key gone on the retry.
   */
  readonly notFoundOnRetry?: Success
}

/** Any row, for code that handles them all alike (the fake's router, the contract checks). */
export type AnyEndpoint = Endpoint<any, any, DeclaredStatus>

/** The error union an endpoint's declared statuses stand for. */
export type DeclaredError<E> = E extends Endpoint<any, any, infer D> ? InstanceType<typeof errorByStatus[D]> : never

const endpoint = <Input, Success, const Declared extends DeclaredStatus>(
  row: Omit<Endpoint<Input, Success, Declared>, "decodeResponse">
): Endpoint<Input, Success, Declared> => ({
  ...row,
  decodeResponse: Schema.decodeUnknownEither(row.response, { errors: "first" })
})

/** `{ data: [...], total_count }` */
export const ListResponse = Schema.Struct({
  data: Schema.Array(ByokKeyFromWire),
  total_count: Schema.Int
})

/** `{ data: {...} }`, the body of get, create and update. */
export const KeyResponse = Schema.Struct({ data: ByokKeyFromWire })

/** `{ deleted: true }`: anything else is not a confirmed delete. */
export const DeleteResponse = Schema.Struct({ deleted: Schema.Literal(true) })

/** The server's own default `limit`. */
export const serverDefaultLimit = 50

const encodeListQuery = Schema.encodeUnknownEither(ListByokKeys)
const encodeCreate = Schema.encodeUnknownEither(CreateByokKey)
const encodeUpdate = Schema.encodeUnknownEither(UpdateByokKey)
const decodeId = Schema.decodeUnknownEither(Uuid)

/** `/byok/{id}` with a validated id. */
const keyPath = (id: unknown) => Either.map(decodeId(id), (valid) => `/byok/${encodeURIComponent(valid)}`)

/** One list page's request from filters already in wire form: pagination calls this per page. */
export const listPageRequest = (
  filters: Readonly<Record<string, string>>,
  offset: number,
  limit: number
): WireRequest => ({
  path: "/byok",
  query: { ...filters, offset: String(offset), limit: String(limit) },
  attributes: { "byok.page.offset": offset, "byok.page.limit": limit }
})

export const list = endpoint({
  operation: "list",
  method: "GET",
  path: "/byok",
  request: ListByokKeys,
  encodeInput: (input: ListByokKeys) =>
    Either.map(encodeListQuery(input), (wire): WireRequest => {
      const query: Record<string, string> = {}
      for (const [name, value] of Object.entries(wire)) query[name] = String(value)
      return {
        path: "/byok",
        query,
        attributes: { "byok.page.offset": input.offset ?? 0, "byok.page.limit": input.limit ?? serverDefaultLimit }
      }
    }),
  successStatus: 200,
  response: ListResponse,
  declared: [400, 401, 500],
  retry: "idempotent"
})

export const get = endpoint({
  operation: "get",
  method: "GET",
  path: "/byok/{id}",
  encodeInput: (id: string) => Either.map(keyPath(id), (path): WireRequest => ({ path })),
  successStatus: 200,
  response: KeyResponse,
  declared: [401, 404, 500],
  retry: "idempotent"
})

export const create = endpoint({
  operation: "create",
  method: "POST",
  path: "/byok",
  request: CreateByokKey,
  encodeInput: (input: CreateByokKey) =>
    Either.map(encodeCreate(input), (body): WireRequest => ({ path: "/byok", body, secrets: [body.key] })),
  successStatus: 201,
  response: KeyResponse,
  declared: [400, 401, 403, 500],
  retry: "create"
})

export const update = endpoint({
  operation: "update",
  method: "PATCH",
  path: "/byok/{id}",
  request: UpdateByokKey,
  encodeInput: ({ changes, id }: { readonly id: string; readonly changes: UpdateByokKey }) =>
    Either.flatMap(keyPath(id), (path) =>
      Either.map(encodeUpdate(changes), (body): WireRequest => ({
        path,
        body,
        ...(body.key !== undefined ? { secrets: [body.key] } : {})
      }))),
  successStatus: 200,
  response: KeyResponse,
  declared: [400, 401, 404, 500],
  retry: "idempotent"
})

export const remove = endpoint<string, typeof DeleteResponse.Type, 401 | 404 | 500>({
  operation: "delete",
  method: "DELETE",
  path: "/byok/{id}",
  encodeInput: (id: string) => Either.map(keyPath(id), (path): WireRequest => ({ path })),
  successStatus: 200,
  response: DeleteResponse,
  declared: [401, 404, 500],
  retry: "idempotent",
  notFoundOnRetry: { deleted: true }
})

/** Every endpoint, in the order the contract lists them. */
export const all: ReadonlyArray<AnyEndpoint> = [list, create, remove, get, update]
