/**
 * What the Effect 3 line models of the contract, read from its endpoint rows and the encoded side
 * of its schemas (Schema 3's AST), for the shared contract suite.
 */
import { Schema } from "effect"
import type * as AST from "effect/SchemaAST"
import type { ContractModel, Field, OperationModel } from "../../shared/behaviour/libraryModel.js"
import { knownProviderSlugs } from "../src/index.js"
import * as Endpoints from "../src/internal/endpoints.js"

/** Nothing in this API nests anywhere near this deep. */
const maxDepth = 12

const unwrap = (ast: AST.AST): AST.AST => {
  switch (ast._tag) {
    case "Refinement":
    case "Transformation":
      return unwrap(ast.from)
    case "Suspend":
      return unwrap(ast.f())
    default:
      return ast
  }
}

/** `optional(NullOr(X))` nests unions: `X | null` inside `... | undefined`. */
const acceptsNull = (ast: AST.AST): boolean => {
  const node = unwrap(ast)
  return node._tag === "Literal" ? node.literal === null : node._tag === "Union" && node.types.some(acceptsNull)
}

const astFields = (ast: AST.AST, at: string, out: Map<string, Field>, depth = 0): void => {
  if (depth >= maxDepth) return
  const node = unwrap(ast)
  if (node._tag === "TypeLiteral") {
    for (const property of node.propertySignatures) {
      const fieldPath = at === "" ? String(property.name) : `${at}.${String(property.name)}`
      out.set(fieldPath, { required: !property.isOptional, nullable: acceptsNull(property.type), values: [] })
      astFields(property.type, fieldPath, out, depth + 1)
    }
  } else if (node._tag === "TupleType") {
    for (const element of [...node.elements, ...node.rest]) astFields(element.type, `${at}[]`, out, depth + 1)
  } else if (node._tag === "Union") {
    for (const member of node.types) astFields(member, at, out, depth + 1)
  }
}

/** A schema's fields as they travel on the wire (its encoded side). */
const wireFields = (schema: Schema.Schema.Any): Map<string, Field> => {
  const out = new Map<string, Field>()
  astFields(Schema.encodedSchema(schema).ast, "", out)
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
