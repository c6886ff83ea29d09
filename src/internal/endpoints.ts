/**
 * The one description of the BYOK API: for each operation its method, path, success status,
 * declared error statuses, and the schemas of its input and response. The client, the fake server
 * and the contract test against the OpenAPI document all read this table.
 */
import * as Schema from "effect/Schema"
import { ByokKeyFromWire } from "../ByokKey.js"
import * as ByokError from "../ByokError.js"
import { CreateByokKey, ListByokKeys, UpdateByokKey } from "../ByokInput.js"

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

export interface Endpoint<Declared extends DeclaredStatus, Response, ResponseEncoded> {
  readonly operation: Operation
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  /** The OpenAPI path template. */
  readonly path: "/byok" | "/byok/{id}"
  readonly successStatus: 200 | 201
  readonly declared: ReadonlyArray<Declared>
  readonly response: Schema.Schema<Response, ResponseEncoded>
}

/** The error union an endpoint's declared statuses stand for. */
export type DeclaredError<E> = E extends Endpoint<infer D, any, any> ? InstanceType<typeof errorByStatus[D]> : never

const endpoint = <const Declared extends DeclaredStatus, Response, ResponseEncoded>(
  e: Endpoint<Declared, Response, ResponseEncoded>
) => e

/** `{ data: [...], total_count }` */
export const ListResponse = Schema.Struct({
  data: Schema.Array(ByokKeyFromWire),
  total_count: Schema.Int
})

/** `{ data: {...} }`, the body of get, create and update. */
export const KeyResponse = Schema.Struct({ data: ByokKeyFromWire })

/** `{ deleted: true }`: anything else is not a confirmed delete. */
export const DeleteResponse = Schema.Struct({ deleted: Schema.Literal(true) })

export const list = endpoint({
  operation: "list",
  method: "GET",
  path: "/byok",
  successStatus: 200,
  declared: [400, 401, 500],
  response: ListResponse
})

export const get = endpoint({
  operation: "get",
  method: "GET",
  path: "/byok/{id}",
  successStatus: 200,
  declared: [401, 404, 500],
  response: KeyResponse
})

export const create = endpoint({
  operation: "create",
  method: "POST",
  path: "/byok",
  successStatus: 201,
  declared: [400, 401, 403, 500],
  response: KeyResponse
})

export const update = endpoint({
  operation: "update",
  method: "PATCH",
  path: "/byok/{id}",
  successStatus: 200,
  declared: [400, 401, 404, 500],
  response: KeyResponse
})

export const remove = endpoint({
  operation: "delete",
  method: "DELETE",
  path: "/byok/{id}",
  successStatus: 200,
  declared: [401, 404, 500],
  response: DeleteResponse
})

/** Every endpoint, in the order the contract lists them. */
export const all = [list, create, remove, get, update] as const

/** The input schema of each operation that takes one: query parameters for list, bodies for create and update. */
export const inputs = {
  list: ListByokKeys,
  create: CreateByokKey,
  update: UpdateByokKey
} as const
