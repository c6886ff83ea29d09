import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import * as Endpoints from "../src/endpoints.js"
import { knownProviderSlugs } from "../src/providers.js"

/** The vendored OpenAPI document: the endpoint rows must say what it says. */
const spec = parse(readFileSync(fileURLToPath(new URL("../../spec/byok.openapi.yaml", import.meta.url)), "utf8"))

describe("the endpoint rows match the OpenAPI contract", () => {
  const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation }))
  )

  it("lists exactly the contract's operations", () => {
    expect(Endpoints.all.map((e) => `${e.method} ${e.path}`).sort()).toEqual(operations.map((o) => `${o.method} ${o.path}`).sort())
  })

  for (const endpoint of Endpoints.all) {
    it(`${endpoint.method} ${endpoint.path}: its name, success status, declared errors and query parameters`, () => {
      const { operation } = operations.find((o) => o.method === endpoint.method && o.path === endpoint.path)!
      expect(operation["x-speakeasy-name-override"]).toBe(endpoint.operation)
      const statuses = Object.keys(operation.responses).map(Number)
      expect(statuses.filter((s) => s < 300)).toEqual([endpoint.successStatus])
      expect(statuses.filter((s) => s >= 400).sort()).toEqual([...endpoint.declared].sort())
      const query = (operation.parameters ?? []).filter((p: { in: string }) => p.in === "query").map((p: { name: string }) => p.name)
      expect([...endpoint.query].sort()).toEqual(query.sort())
    })
  }

  it("the known provider slugs are the contract's", () => {
    expect([...knownProviderSlugs].sort()).toEqual([...spec.components.schemas.BYOKProviderSlug.enum].sort())
  })
})
