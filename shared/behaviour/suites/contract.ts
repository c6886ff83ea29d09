/**
 * Each line models the contract exactly as the shared description says (`libraryModel.ts`, which
 * `shared/test/contract.test.ts` holds against the vendored OpenAPI document), and the contract's
 * own examples decode with its schemas and encode back.
 */
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import type { ContractModel } from "../libraryModel.js"
import { libraryModel } from "../libraryModel.js"
import { type Suite, test } from "../harness.js"

const spec = parse(readFileSync(fileURLToPath(new URL("../../../spec/byok.openapi.yaml", import.meta.url)), "utf8"))

/** A model as sorted plain data, so two models compare whatever order their maps were filled in. */
const normalized = (model: ContractModel) => ({
  operations: [...model.operations].sort(([a], [b]) => a.localeCompare(b)).map(([name, operation]) => ({
    name,
    statuses: [...operation.statuses].sort(),
    parameters: [...operation.parameters].sort(([a], [b]) => a.localeCompare(b)),
    request: [...operation.request].sort(([a], [b]) => a.localeCompare(b)),
    response: [...operation.response].sort(([a], [b]) => a.localeCompare(b))
  })),
  providerSlugs: [...model.providerSlugs].sort()
})

export const contract: Suite = {
  name: "the line's schemas model the contract as described",
  tests: [
    test("the model read from the line's endpoint rows and schemas is the shared library model", async (driver) => {
      assert.deepEqual(normalized(driver.lineModel()), normalized(libraryModel))
    }),

    test("the contract's examples decode, and encode back to the same wire object", async (driver) => {
      const example = spec.components.schemas.ListBYOKKeysResponse.example
      const decoded = driver.decodeWireKey(example.data[0])
      assert.ok(decoded.ok, decoded.ok ? "" : decoded.message)
      assert.equal(decoded.key.createdAt, "2025-08-24T10:30:00.000Z")
      assert.deepEqual(driver.encodeKey(decoded.key), { ...example.data[0], created_at: "2025-08-24T10:30:00.000Z" })
    })
  ]
}
