/**
 * What the Effect 4 line models of the contract, read from its endpoint rows and the encoded side
 * of its schemas (Schema 4's AST), for the shared contract suite.
 */
import { Schema, SchemaAST } from "effect"
import type { ContractModel, Field, OperationModel } from "../../shared/behaviour/libraryModel.js"
import { knownProviderSlugs } from "../src/index.js"
import * as Endpoints from "../src/internal/endpoints.js"

/** Nothing in this API nests anywhere near this deep. */
const maxDepth = 12

const unwrap = (ast: SchemaAST.AST): SchemaAST.AST => ast._tag === "Suspend" ? unwrap(ast.thunk()) : ast

/** `optionalKey(NullOr(X))` is a union with `null` in it. */
const acceptsNull = (ast: SchemaAST.AST): boolean => {
  const node = unwrap(ast)
  return node._tag === "Null" || (node._tag === "Literal" && node.literal === null) ||
    (node._tag === "Union" && node.types.some(acceptsNull))
}

const astFields = (ast: SchemaAST.AST, at: string, out: Map<string, Field>, depth = 0): void => {
  if (depth >= maxDepth) return
  const node = unwrap(ast)
  if (node._tag === "Objects") {
    for (const property of node.propertySignatures) {
      const fieldPath = at === "" ? String(property.name) : `${at}.${String(property.name)}`
      out.set(fieldPath, { required: !SchemaAST.isOptional(property.type), nullable: acceptsNull(property.type), values: [] })
      astFields(property.type, fieldPath, out, depth + 1)
    }
  } else if (node._tag === "Arrays") {
    for (const element of [...node.elements, ...node.rest]) astFields(element, `${at}[]`, out, depth + 1)
  } else if (node._tag === "Union") {
    for (const member of node.types) astFields(member, at, out, depth + 1)
  }
}

/** A schema's fields as they travel on the wire (its encoded side). */
const wireFields = (schema: Schema.Top): Map<string, Field> => {
  const out = new Map<string, Field>()
  astFields(Schema.toEncoded(schema).ast, "", out)
  return out
}

/** The line's model: a GET sends its input as the query string, the others as the JSON body. */
export const lineModel = (): ContractModel => {
  const operations = new Map<string, OperationModel>()
  for (const endpoint of Endpoints.all) {
    const parameters = new Map<string, Field>()
    for (const [, name] of endpoint.path.matchAll(/\{(\w+)\}/g)) {
      parameters.set(`path ${name}`, { required: true, nullable: false, values: [] })
    }
    const inputFields = endpoint.request === undefined ? new Map<string, Field>() : wireFields(endpoint.request)
    const inQuery = endpoint.method === "GET"
    if (inQuery) for (const [name, field] of inputFields) parameters.set(`query ${name}`, field)
    operations.set(`${endpoint.method} ${endpoint.path}`, {
      statuses: [endpoint.successStatus, ...endpoint.declared].map(String),
      parameters,
      request: inQuery ? new Map() : inputFields,
      response: wireFields(endpoint.response)
    })
  }
  return { operations, providerSlugs: [...knownProviderSlugs] }
}
