import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { type ByokError, ByokKey, ByokKeyFromWire, knownProviderSlugs } from "../src/index.js"
import * as Endpoints from "../src/internal/endpoints.js"

/** The vendored OpenAPI document; the endpoint table must say what it says. */
const specPath = fileURLToPath(new URL("../../spec/byok.openapi.yaml", import.meta.url))
const spec = parse(readFileSync(specPath, "utf8"))

const propertyNames = (schema: Schema.Schema.Any): ReadonlyArray<string> => {
  const ast = Schema.encodedSchema(schema).ast
  return ast._tag === "TypeLiteral" ? ast.propertySignatures.map((p) => String(p.name)).sort() : []
}

describe("the endpoint table matches the OpenAPI contract", () => {
  const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation }))
  )

  it("lists exactly the contract's operations", () => {
    expect(Endpoints.all.map((e) => `${e.method} ${e.path}`).sort()).toEqual(operations.map((o) => `${o.method} ${o.path}`).sort())
  })

  for (const endpoint of Endpoints.all) {
    it(`${endpoint.method} ${endpoint.path}: success status and declared errors`, () => {
      const { operation } = operations.find((o) => o.method === endpoint.method && o.path === endpoint.path)!
      expect(operation["x-speakeasy-name-override"]).toBe(endpoint.operation)
      const statuses = Object.keys(operation.responses).map(Number)
      expect(statuses.filter((s) => s < 300)).toEqual([endpoint.successStatus])
      expect(statuses.filter((s) => s >= 400).sort()).toEqual([...endpoint.declared].sort())
    })
  }

  it("ByokKey decodes exactly the contract's fields, and its required ones are required", () => {
    const wire = spec.components.schemas.BYOKKey
    expect(propertyNames(ByokKeyFromWire)).toEqual(Object.keys(wire.properties).sort())
    const ast = Schema.encodedSchema(ByokKeyFromWire).ast
    const required = ast._tag === "TypeLiteral" ? ast.propertySignatures.filter((p) => !p.isOptional).map((p) => String(p.name)) : []
    expect(required.sort()).toEqual([...wire.required].sort())
  })

  it("the create and update bodies have exactly the contract's fields", () => {
    expect(propertyNames(Endpoints.create.request!)).toEqual(Object.keys(spec.components.schemas.CreateBYOKKeyRequest.properties).sort())
    expect(propertyNames(Endpoints.update.request!)).toEqual(Object.keys(spec.components.schemas.UpdateBYOKKeyRequest.properties).sort())
  })

  it("the list query has exactly the contract's parameters", () => {
    const list = operations.find((o) => o.method === "GET" && o.path === "/byok")!.operation
    expect(propertyNames(Endpoints.list.request!)).toEqual(list.parameters.map((p: { name: string }) => p.name).sort())
  })

  it("the known provider slugs are the contract's", () => {
    expect([...knownProviderSlugs].sort()).toEqual([...spec.components.schemas.BYOKProviderSlug.enum].sort())
  })

  it("the contract's examples decode", () => {
    const example = spec.components.schemas.ListBYOKKeysResponse.example
    const page = Schema.decodeUnknownSync(Endpoints.ListResponse)(example)
    expect(page.total_count).toBe(1)
    expect(page.data[0]).toBeInstanceOf(ByokKey)
    expect(page.data[0]!.createdAt.toISOString()).toBe("2025-08-24T10:30:00.000Z")
    // and encode back to the same wire object
    expect(Schema.encodeSync(ByokKeyFromWire)(page.data[0]!)).toEqual({ ...example.data[0], created_at: "2025-08-24T10:30:00.000Z" })
    expect(Schema.decodeUnknownSync(Endpoints.DeleteResponse)(spec.components.schemas.DeleteBYOKKeyResponse.example)).toEqual({ deleted: true })
  })
})

/** Type-level: each operation's public error union is what its declared statuses stand for, plus the common errors. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
type Derived<E> = Endpoints.DeclaredError<E> | ByokError.CommonError
const errorUnionsMatchTheTable: [
  Equals<Derived<typeof Endpoints.list>, ByokError.ListError>,
  Equals<Derived<typeof Endpoints.get>, ByokError.GetError>,
  Equals<Derived<typeof Endpoints.create>, ByokError.CreateError>,
  Equals<Derived<typeof Endpoints.update>, ByokError.UpdateError>,
  Equals<Derived<typeof Endpoints.remove>, ByokError.DeleteError>
] = [true, true, true, true, true]

it("the error unions are checked by the type-checker", () => {
  expect(errorUnionsMatchTheTable).toEqual([true, true, true, true, true])
})
