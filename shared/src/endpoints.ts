/**
 * The one description of the BYOK API's endpoints, as data: a row per endpoint with its method and
 * path, the query parameters it takes, its success status, the error statuses the contract declares,
 * and how it may be retried. Each Effect line adds its schemas to these rows (`internal/endpoints.ts`
 * there); the fakes route by them and the contract checks hold them against the OpenAPI document.
 */

/** The five operations of the API. */
export type Operation = "list" | "get" | "create" | "update" | "delete"

/** The error statuses the contract documents with a JSON error body. */
export type DeclaredStatus = 400 | 401 | 403 | 404 | 500

/**
 * How a request may be retried. `idempotent` is GET, PATCH and DELETE: sending them twice does no
 * harm. `create` is POST /byok: only retried when the server certainly did not act on it.
 */
export type RequestKind = "idempotent" | "create"

/** One endpoint. */
export interface EndpointRow<Declared extends DeclaredStatus = DeclaredStatus> {
  readonly operation: Operation
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  /** The OpenAPI path template. */
  readonly path: "/byok" | "/byok/{id}"
  /** The query parameters it takes, by their wire names. */
  readonly query: ReadonlyArray<string>
  /** The one 2XX the contract gives; any other is an `ApiError`. */
  readonly successStatus: 200 | 201
  /** Error statuses the contract documents for this endpoint. */
  readonly declared: ReadonlyArray<Declared>
  readonly retry: RequestKind
  /**
   * A 404 on a retried attempt means the earlier attempt succeeded: a DELETE whose first attempt
   * broke off after the server acted finds the key gone on the retry.
   */
  readonly notFoundOnRetryIsSuccess: boolean
}

const row = <const Declared extends DeclaredStatus>(endpoint: EndpointRow<Declared>): EndpointRow<Declared> => endpoint

export const list = row({
  operation: "list",
  method: "GET",
  path: "/byok",
  query: ["offset", "limit", "provider", "workspace_id"],
  successStatus: 200,
  declared: [400, 401, 500],
  retry: "idempotent",
  notFoundOnRetryIsSuccess: false
})

export const get = row({
  operation: "get",
  method: "GET",
  path: "/byok/{id}",
  query: ["workspace_id"],
  successStatus: 200,
  declared: [401, 404, 500],
  retry: "idempotent",
  notFoundOnRetryIsSuccess: false
})

export const create = row({
  operation: "create",
  method: "POST",
  path: "/byok",
  query: [],
  successStatus: 201,
  declared: [400, 401, 403, 500],
  retry: "create",
  notFoundOnRetryIsSuccess: false
})

export const update = row({
  operation: "update",
  method: "PATCH",
  path: "/byok/{id}",
  query: [],
  successStatus: 200,
  declared: [400, 401, 404, 500],
  retry: "idempotent",
  notFoundOnRetryIsSuccess: false
})

export const remove = row({
  operation: "delete",
  method: "DELETE",
  path: "/byok/{id}",
  query: [],
  successStatus: 200,
  declared: [401, 404, 500],
  retry: "idempotent",
  notFoundOnRetryIsSuccess: true
})

/** Every endpoint, in the order the contract lists them. */
export const all: ReadonlyArray<EndpointRow> = [list, create, remove, get, update]

/** The endpoint of an operation. */
export const byOperation: Readonly<Record<Operation, EndpointRow>> = { list, get, create, update, delete: remove }

/** The server's own default `limit`. */
export const serverDefaultLimit = 50

/** The page size `stream` and `pages` use when none is given: the largest the API allows. */
export const defaultPageSize = 100

/** `/byok/{id}` for an id already validated as a UUID; encoded all the same. */
export const keyPath = (id: string): string => `/byok/${encodeURIComponent(id)}`

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

/** A query in wire form, as strings. */
const queryStrings = (query: Readonly<Record<string, string | number>>): Record<string, string> => {
  const wire: Record<string, string> = {}
  for (const [name, value] of Object.entries(query)) wire[name] = String(value)
  return wire
}

/** The workspace a request is scoped to, on its span, when it names one. */
const workspaceAttribute = (query: Readonly<Record<string, string | number>>) =>
  query.workspace_id === undefined ? {} : { "byok.workspace_id": String(query.workspace_id) }

/** A list request from a query already in wire form, with the page's offset and limit on its span. */
export const listRequest = (query: Readonly<Record<string, string | number>>): WireRequest => ({
  path: "/byok",
  query: queryStrings(query),
  attributes: {
    "byok.page.offset": query.offset === undefined ? 0 : Number(query.offset),
    "byok.page.limit": query.limit === undefined ? serverDefaultLimit : Number(query.limit),
    ...workspaceAttribute(query)
  }
})

/** A get request for an id already validated, with a query already in wire form (its workspace, if any). */
export const getRequest = (id: string, query: Readonly<Record<string, string | number>>): WireRequest => {
  const wire = queryStrings(query)
  return {
    path: keyPath(id),
    ...(Object.keys(wire).length > 0 ? { query: wire } : {}),
    attributes: workspaceAttribute(query)
  }
}

/** One page's request from filters already in wire form: pagination calls this per page. */
export const listPageRequest = (
  filters: Readonly<Record<string, string>>,
  offset: number,
  limit: number
): WireRequest => ({
  path: "/byok",
  query: { ...filters, offset: String(offset), limit: String(limit) },
  attributes: { "byok.page.offset": offset, "byok.page.limit": limit, ...workspaceAttribute(filters) }
})
