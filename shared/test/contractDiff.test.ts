import { afterAll, describe, expect, it, vi } from "vitest"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import {
  compareWithLibrary,
  contractDiff,
  diffModels,
  extractModel,
  exitCodeOf,
  formatReport,
  loadDocument,
  main,
  vendoredSpecPath
} from "../../scripts/contract-diff.js"
import { libraryModel } from "../behaviour/libraryModel.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
// Inside the repository but ignored by git, so an interrupted run leaves nothing to commit.
const cache = path.join(root, "node_modules", ".cache")
mkdirSync(cache, { recursive: true })
const tmp = mkdtempSync(path.join(cache, "contract-diff-test-"))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const base = loadDocument(vendoredSpecPath) as any
const baseModel = extractModel(base)
const library = libraryModel

/** Diffs an edited copy of the vendored spec against the original. */
const drift = (edit: (doc: any) => void) => {
  // structuredClone keeps the YAML aliases shared, so the provider enum is still one list.
  const doc = structuredClone(base)
  edit(doc)
  const findings = compareWithLibrary(diffModels(baseModel, extractModel(doc)), library)
  return { findings, exitCode: exitCodeOf(findings), report: formatReport(findings, "base.yaml", "newer.yaml") }
}

const lines = (report: string) => report.split("\n")
const schemas = (doc: any) => doc.components.schemas
const errorResponse = { description: "Conflict", content: { "application/json": { schema: { $ref: "#/components/schemas/BadRequestResponse" } } } }

describe("contract drift report", () => {
  it("the library's model and the vendored spec describe the same fields, in the same notation", () => {
    // The one difference is the spec's own: a query string cannot carry a null offset.
    expect(diffModels(library, baseModel)).toEqual([
      { kind: "field", section: "parameters", operation: "GET /byok", field: "query offset", change: "now nullable", after: { required: false, nullable: true, values: [] } }
    ])
  })

  it("an identical spec: no changes, exit 0", () => {
    const { exitCode, findings, report } = drift(() => {})
    expect(findings).toEqual([])
    expect(exitCode).toBe(0)
    expect(lines(report)).toContain("No changes to the BYOK paths.")
    expect(lines(report).at(-1)).toBe("Verdict: nothing the library depends on changed (exit 0).")
  })

  it("an added operation is not modelled (exit 1); paths outside /byok are ignored", () => {
    const { exitCode, findings, report } = drift((doc) => {
      doc.paths["/byok/{id}/rotate"] = { post: { responses: { "200": { description: "rotated" } } } }
      doc.paths["/keys"] = { get: { responses: { "200": { description: "keys" } } } }
    })
    expect(findings).toEqual([
      { change: { kind: "operation", operation: "POST /byok/{id}/rotate", change: "added" }, verdict: "not modelled", note: "the library has no call for it" }
    ])
    expect(exitCode).toBe(1)
    expect(report).toContain("Operations\n  [NOT MODELLED]              POST /byok/{id}/rotate added: the library has no call for it\n")
    expect(lines(report).at(-1)).toBe("Verdict: 1 of 1 changes touch what the library depends on and are not modelled yet (exit 1).")
  })

  it("a removed operation the library still calls is not modelled (exit 1), with no field noise", () => {
    const { exitCode, findings } = drift((doc) => {
      delete doc.paths["/byok/{id}"].delete
    })
    expect(findings.map((f) => [f.change, f.verdict])).toEqual([
      [{ kind: "operation", operation: "DELETE /byok/{id}", change: "removed" }, "not modelled"]
    ])
    expect(exitCode).toBe(1)
  })

  it("a change the library already models is marked modelled (exit 0)", () => {
    const older = structuredClone(base)
    delete older.paths["/byok/{id}"].delete
    const findings = compareWithLibrary(diffModels(extractModel(older), baseModel), library)
    expect(findings.map((f) => f.verdict)).toEqual(["modelled"])
    expect(exitCodeOf(findings)).toBe(0)
  })

  it("a new optional response field is reported for every operation returning a key, and is compatible (exit 0)", () => {
    const { exitCode, findings, report } = drift((doc) => {
      schemas(doc).BYOKKey.properties.region = { type: "string" }
    })
    expect(findings.map((f) => f.change.kind === "field" && `${f.change.operation} ${f.change.field}`)).toEqual([
      "GET /byok data[].region",
      "POST /byok data.region",
      "GET /byok/{id} data.region",
      "PATCH /byok/{id} data.region"
    ])
    expect(new Set(findings.map((f) => f.verdict))).toEqual(new Set(["compatible"]))
    expect(exitCode).toBe(0)
    expect(report).toContain("  [not modelled, compatible]  GET /byok: data[].region added (optional, not nullable): the library ignores fields it does not decode\n")
    expect(lines(report).at(-1)).toBe("Verdict: nothing the library depends on changed; all 4 changes are modelled or compatible (exit 0).")
  })

  const nullableForms = {
    "type: [string, 'null']": { type: ["string", "null"] },
    "nullable: true": { type: "string", nullable: true },
    "anyOf with {type: 'null'}": { anyOf: [{ type: "string" }, { type: "null" }] },
    "oneOf with a $ref to a null schema": { oneOf: [{ type: "string" }, { $ref: "#/components/schemas/Null" }] }
  }
  for (const [form, schema] of Object.entries(nullableForms)) {
    it(`a decoded response field becoming nullable (${form}) is not modelled (exit 1)`, () => {
      const { exitCode, findings } = drift((doc) => {
        schemas(doc).Null = { type: "null" }
        schemas(doc).BYOKKey.properties.label = schema
      })
      expect(findings.map((f) => f.change.kind === "field" && `${f.change.operation} ${f.change.field} ${f.change.change}`)).toEqual([
        "GET /byok data[].label now nullable",
        "POST /byok data.label now nullable",
        "GET /byok/{id} data.label now nullable",
        "PATCH /byok/{id} data.label now nullable"
      ])
      expect(findings[0]!.note).toBe("the library decodes it as required, not nullable")
      expect(exitCode).toBe(1)
    })
  }

  it("a response field the library decodes, removed or made optional, is not modelled (exit 1)", () => {
    const { exitCode, findings } = drift((doc) => {
      const key = schemas(doc).BYOKKey
      delete key.properties.sort_order
      key.required = key.required.filter((name: string) => name !== "sort_order" && name !== "label")
    })
    const get = findings.filter((f) => f.change.kind === "field" && f.change.operation === "GET /byok/{id}")
    expect(get.map((f) => [f.change.kind === "field" && `${f.change.field} ${f.change.change}`, f.verdict])).toEqual([
      ["data.sort_order removed", "not modelled"],
      ["data.label now optional", "not modelled"]
    ])
    expect(exitCode).toBe(1)
  })

  it("a new required request field is not modelled (exit 1); so is a new optional one, which the library cannot send", () => {
    const { exitCode, findings, report } = drift((doc) => {
      const create = schemas(doc).CreateBYOKKeyRequest
      create.properties.region = { type: "string" }
      create.required.push("region")
      schemas(doc).UpdateBYOKKeyRequest.properties.priority = { type: ["integer", "null"] }
    })
    expect(findings.map((f) => [f.change, f.verdict, f.note])).toEqual([
      [
        { kind: "field", section: "request", operation: "POST /byok", field: "region", change: "added", after: { required: true, nullable: false, values: [] } },
        "not modelled",
        "the library does not send it"
      ],
      [
        { kind: "field", section: "request", operation: "PATCH /byok/{id}", field: "priority", change: "added", after: { required: false, nullable: true, values: [] } },
        "not modelled",
        "the library does not send it"
      ]
    ])
    expect(exitCode).toBe(1)
    expect(report).toContain("Request body fields\n  [NOT MODELLED]              POST /byok: region added (required, not nullable): the library does not send it\n")
  })

  it("a request field the library sends, removed, is not modelled (exit 1)", () => {
    const { exitCode, findings } = drift((doc) => {
      delete schemas(doc).UpdateBYOKKeyRequest.properties.is_required
    })
    expect(findings.map((f) => [f.change.kind === "field" && f.change.field, f.change.kind === "field" && f.change.change, f.verdict])).toEqual([
      ["is_required", "removed", "not modelled"]
    ])
    expect(exitCode).toBe(1)
  })

  it("a query parameter made required is not modelled (exit 1)", () => {
    const { exitCode, findings } = drift((doc) => {
      doc.paths["/byok"].get.parameters.find((p: any) => p.name === "limit").required = true
    })
    expect(findings.map((f) => [f.change.kind === "field" && `${f.change.field} ${f.change.change}`, f.note])).toEqual([
      ["query limit now required", "the library sends it as optional, not nullable"]
    ])
    expect(exitCode).toBe(1)
  })

  it("a new error status on get is not modelled (exit 1); so is a changed success status", () => {
    const { exitCode, findings, report } = drift((doc) => {
      doc.paths["/byok/{id}"].get.responses["409"] = errorResponse
      const responses = doc.paths["/byok"].post.responses
      responses["200"] = responses["201"]
      delete responses["201"]
    })
    expect(findings.map((f) => [f.change, f.verdict, f.note])).toEqual([
      [{ kind: "status", operation: "POST /byok", status: "201", change: "removed" }, "not modelled", "the library still expects it"],
      [{ kind: "status", operation: "POST /byok", status: "200", change: "added" }, "not modelled", "the library does not expect it"],
      [{ kind: "status", operation: "GET /byok/{id}", status: "409", change: "added" }, "not modelled", "the library does not expect it"]
    ])
    expect(exitCode).toBe(1)
    expect(report).toContain("Status codes\n")
  })

  it("a new provider slug is reported as not yet typed, and is compatible (exit 0)", () => {
    const { exitCode, findings, report } = drift((doc) => {
      schemas(doc).BYOKProviderSlug.enum.push("acme-ai")
    })
    expect(findings).toEqual([
      {
        change: { kind: "provider", slug: "acme-ai", change: "added" },
        verdict: "compatible",
        note: "not yet typed in knownProviderSlugs; accepted as any string"
      }
    ])
    expect(exitCode).toBe(0)
    expect(report).toContain("Provider slugs\n  [not modelled, compatible]  acme-ai added: not yet typed in knownProviderSlugs; accepted as any string\n")
  })

  it("a removed provider slug is reported as still typed, and is compatible (exit 0)", () => {
    const { exitCode, findings } = drift((doc) => {
      const slugs: Array<string> = schemas(doc).BYOKProviderSlug.enum
      slugs.splice(slugs.indexOf("openai"), 1)
      const filter = doc.paths["/byok"].get.parameters.find((p: any) => p.name === "provider").schema
      filter.enum = filter.enum.filter((slug: string) => slug !== "openai")
    })
    expect(findings).toEqual([
      { change: { kind: "provider", slug: "openai", change: "removed" }, verdict: "compatible", note: "still typed in knownProviderSlugs" }
    ])
    expect(exitCode).toBe(0)
  })

  it("reads a JSON document", () => {
    const doc = structuredClone(base)
    doc.paths["/byok/{id}"].get.responses["409"] = errorResponse
    const file = path.join(tmp, "newer.json")
    writeFileSync(file, JSON.stringify(doc))
    const { exitCode, findings } = contractDiff(loadDocument(file))
    expect(findings.map((f) => f.change)).toEqual([{ kind: "status", operation: "GET /byok/{id}", status: "409", change: "added" }])
    expect(exitCode).toBe(1)
  })

  it("usage errors and unreadable documents exit 2", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {})
    try {
      expect(main([])).toBe(2)
      expect(main(["a.yaml", "b.yaml"])).toBe(2)
      expect(main([path.join(tmp, "missing.yaml")])).toBe(2)
      const notOpenApi = path.join(tmp, "not-openapi.json")
      writeFileSync(notOpenApi, "[1, 2]")
      expect(main([notOpenApi])).toBe(2)
      expect(error.mock.calls.at(-1)![0]).toContain("not an OpenAPI document")
    } finally {
      error.mockRestore()
    }
  })
})
