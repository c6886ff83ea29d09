/**
 * Contract drift report: what changed in the BYOK paths (`/byok`, `/byok/...`) of a newer OpenAPI
 * document compared with the vendored `spec/byok.openapi.yaml`, and which of those changes the
 * library does not model yet (`shared/behaviour/libraryModel.ts`, which both lines' schemas are held to).
 *
 *   npm run contract:diff -- path/to/openapi.yaml      (YAML, or JSON when the name ends in .json)
 *
 * Exit status: 0 when nothing the library depends on changed, 1 when something did, 2 for a usage
 * error or a document that cannot be read.
 *
 * A change is *modelled* when the library already agrees with the newer document on that point
 * (say the library was updated before the vendored copy). An unmodelled change exits 1 when it is:
 * - an operation added or removed: the library has no call for it, or still calls one that is gone;
 * - a status code added or removed: the client accepts only its success status, and each
 *   operation's typed error union is built from its declared statuses;
 * - a change to a response field the library decodes: removed, newly optional or newly nullable
 *   makes decoding fail; newly required or no longer nullable leaves the library's types looser
 *   than the API promises;
 * - any change to a parameter or request-body field, a new optional one included: the library
 *   cannot send a field it does not model, may still send one that is gone, and validates inputs
 *   by the old required/nullable rules. Surfacing what callers cannot do yet is this report's job.
 * Two kinds are reported but never exit 1, because the library is open there by design:
 * - changes to response fields the library does not decode, new ones included: it ignores them;
 * - provider slugs: any slug string is accepted both ways; `knownProviderSlugs` only types the
 *   listed ones, so a new slug is "not yet typed", not unsupported.
 *
 * Only the success response body is compared: error bodies are decoded best-effort (the message,
 * with a fallback), so their fields cannot make a call fail. Only local `#/...` refs are followed.
 */
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parse as parseYaml } from "yaml"
import {
  type ContractModel,
  type Field,
  type Fields,
  libraryModel,
  type OperationModel
} from "../shared/behaviour/libraryModel.js"

export type { ContractModel, Field, Fields, OperationModel }

export const vendoredSpecPath = fileURLToPath(new URL("../spec/byok.openapi.yaml", import.meta.url))

export type Section = "parameters" | "request" | "response"
const sections: ReadonlyArray<Section> = ["parameters", "request", "response"]

export type FieldChange = "added" | "removed" | "now required" | "now optional" | "now nullable" | "no longer nullable"

export type Change =
  | { readonly kind: "operation"; readonly operation: string; readonly change: "added" | "removed" }
  | { readonly kind: "status"; readonly operation: string; readonly status: string; readonly change: "added" | "removed" }
  | {
    readonly kind: "field"
    readonly section: Section
    readonly operation: string
    readonly field: string
    readonly change: FieldChange
    /** The field in the newer document; absent when it was removed. */
    readonly after: Field | undefined
  }
  | { readonly kind: "provider"; readonly slug: string; readonly change: "added" | "removed" }

/** `compatible`: not modelled, but the library tolerates it by design (see the header). */
export type Verdict = "modelled" | "not modelled" | "compatible"

export interface Finding {
  readonly change: Change
  readonly verdict: Verdict
  readonly note: string
}

// ---------------------------------------------------------------------------------------------
// Loading

/** Parses an OpenAPI document; throws with a readable message when it is not one. */
export const loadDocument = (file: string): unknown => {
  const text = readFileSync(file, "utf8")
  const doc: unknown = file.toLowerCase().endsWith(".json") ? JSON.parse(text) : parseYaml(text)
  if (typeof record(doc).paths !== "object") throw new Error("not an OpenAPI document (no `paths`)")
  return doc
}

// ---------------------------------------------------------------------------------------------
// A document's model

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const
/** Schemas can be recursive; nothing in this API nests anywhere near this deep. */
const maxDepth = 12

const record = (u: unknown): Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? u as Record<string, unknown> : {}
const array = (u: unknown): ReadonlyArray<unknown> => Array.isArray(u) ? u : []

const isByokPath = (p: string) => p === "/byok" || p.startsWith("/byok/")

/** Follows a local `$ref` chain; an unresolvable ref reads as an empty (unconstrained) schema. */
const resolve = (doc: unknown, node: unknown): unknown => {
  let current = node
  for (let hops = 0; hops < maxDepth; hops++) {
    const ref = record(current).$ref
    if (typeof ref !== "string") return current
    if (!ref.startsWith("#/")) return {}
    current = ref.slice(2).split("/").reduce<unknown>(
      (at, token) => record(at)[token.replaceAll("~1", "/").replaceAll("~0", "~")],
      doc
    )
  }
  return {}
}

/** A schema with its `$ref`, `allOf`, `anyOf` and `oneOf` folded in. */
interface Shape {
  readonly nullable: boolean
  readonly properties: ReadonlyMap<string, { readonly schema: unknown; readonly required: boolean }>
  readonly items: unknown
  readonly values: ReadonlyArray<string>
}

const isNullSchema = (doc: unknown, schema: unknown): boolean => {
  const type = record(resolve(doc, schema)).type
  return type === "null" || (Array.isArray(type) && type.length === 1 && type[0] === "null")
}

const mergeShapes = (a: Shape, b: Shape): Shape => {
  const properties = new Map(a.properties)
  for (const [name, p] of b.properties) {
    const existing = properties.get(name)
    properties.set(name, existing === undefined ? p : { ...existing, required: existing.required || p.required })
  }
  return {
    // Generators write `allOf: [{$ref}], nullable: true` to mean "nullable X": any explicit null wins.
    nullable: a.nullable || b.nullable,
    properties,
    items: a.items ?? b.items,
    values: [...new Set([...a.values, ...b.values])]
  }
}

const shapeOf = (doc: unknown, schema: unknown, depth = 0): Shape => {
  const node = record(schema)
  const types = Array.isArray(node.type) ? node.type : [node.type]
  const enumValues = array(node.enum)
  const required = new Set(array(node.required).map(String))
  let shape: Shape = {
    nullable: types.includes("null") || node.nullable === true || enumValues.includes(null),
    properties: new Map(Object.entries(record(node.properties)).map(([name, s]) => [name, { schema: s, required: required.has(name) }])),
    items: node.items,
    values: enumValues.filter((v): v is string => typeof v === "string")
  }
  if (depth >= maxDepth) return shape

  const parts = [...(typeof node.$ref === "string" ? [resolve(doc, node)] : []), ...array(node.allOf)]
  for (const part of parts) shape = mergeShapes(shape, shapeOf(doc, part, depth + 1))

  const variants = [...array(node.anyOf), ...array(node.oneOf)]
  const alternatives = variants.filter((v) => !isNullSchema(doc, v))
  if (alternatives.length < variants.length) shape = { ...shape, nullable: true }
  for (const alternative of alternatives) {
    const s = shapeOf(doc, alternative, depth + 1)
    // A property one alternative requires may be absent from another.
    const properties = alternatives.length === 1
      ? s.properties
      : new Map([...s.properties].map(([name, p]) => [name, { ...p, required: false }]))
    shape = mergeShapes(shape, { ...s, properties })
  }

  // `required` at this level also covers properties that came from `allOf` members.
  const properties = new Map([...shape.properties].map(([name, p]) => [name, { ...p, required: p.required || required.has(name) }]))
  return { ...shape, properties }
}

const collectFields = (doc: unknown, schema: unknown, at: string, out: Map<string, Field>, depth = 0): void => {
  if (depth >= maxDepth) return
  const shape = shapeOf(doc, schema)
  for (const [name, property] of shape.properties) {
    const fieldPath = at === "" ? name : `${at}.${name}`
    const sub = shapeOf(doc, property.schema)
    out.set(fieldPath, { required: property.required, nullable: sub.nullable, values: sub.values })
    collectFields(doc, property.schema, fieldPath, out, depth + 1)
  }
  if (shape.items !== undefined) collectFields(doc, shape.items, `${at}[]`, out, depth + 1)
}

/** The schema of a body: its JSON media type, else the first one listed. */
const bodySchema = (doc: unknown, bodyOrResponse: unknown): unknown => {
  const content = record(record(resolve(doc, bodyOrResponse)).content)
  return record(content["application/json"] ?? Object.values(content)[0]).schema
}

const operationModel = (doc: unknown, pathItem: Record<string, unknown>, operation: Record<string, unknown>): OperationModel => {
  const parameters = new Map<string, Field>()
  // Operation-level parameters override path-level ones of the same location and name.
  for (const p of [...array(pathItem.parameters), ...array(operation.parameters)]) {
    const parameter = record(resolve(doc, p))
    const shape = shapeOf(doc, parameter.schema)
    parameters.set(`${String(parameter.in)} ${String(parameter.name)}`, {
      required: parameter.required === true,
      nullable: shape.nullable,
      values: shape.values
    })
  }

  const request = new Map<string, Field>()
  const requestSchema = bodySchema(doc, operation.requestBody)
  if (requestSchema !== undefined) collectFields(doc, requestSchema, "", request)

  const responses = record(operation.responses)
  const statuses = Object.keys(responses)
  const response = new Map<string, Field>()
  const success = statuses.filter((s) => s.startsWith("2")).sort()[0]
  const responseSchema = success === undefined ? undefined : bodySchema(doc, responses[success])
  if (responseSchema !== undefined) collectFields(doc, responseSchema, "", response)

  return { statuses, parameters, request, response }
}

/** The normalized model of a document's BYOK paths. */
export const extractModel = (doc: unknown): ContractModel => {
  const operations = new Map<string, OperationModel>()
  for (const [p, item] of Object.entries(record(record(doc).paths))) {
    if (!isByokPath(p)) continue
    const pathItem = record(resolve(doc, item))
    for (const method of methods) {
      if (pathItem[method] === undefined) continue
      operations.set(`${method.toUpperCase()} ${p}`, operationModel(doc, pathItem, record(pathItem[method])))
    }
  }
  return { operations, providerSlugs: providerSlugsOf(operations) }
}

/**
 * The slugs of every field or parameter named `provider` (the key's `provider`, the list filter).
 * They come from one list upstream; should they ever differ, a slug listed anywhere counts.
 */
const providerSlugsOf = (operations: ReadonlyMap<string, OperationModel>): ReadonlyArray<string> => {
  const slugs = new Set<string>()
  for (const operation of operations.values()) {
    for (const section of sections) {
      for (const [name, field] of operation[section]) {
        if (name.split(/[ .]/).at(-1) === "provider") field.values.forEach((v) => slugs.add(v))
      }
    }
  }
  return [...slugs].sort()
}

// ---------------------------------------------------------------------------------------------
// Diff, and comparison with the library

const diffFields = (section: Section, operation: string, before: Fields, after: Fields, out: Array<Change>): void => {
  const change = (field: string, c: FieldChange, now: Field | undefined) =>
    out.push({ kind: "field", section, operation, field, change: c, after: now })
  for (const field of before.keys()) if (!after.has(field)) change(field, "removed", undefined)
  for (const [field, now] of after) {
    const old = before.get(field)
    if (old === undefined) {
      change(field, "added", now)
      continue
    }
    if (now.required !== old.required) change(field, now.required ? "now required" : "now optional", now)
    if (now.nullable !== old.nullable) change(field, now.nullable ? "now nullable" : "no longer nullable", now)
  }
}

/** Every difference between two models; field changes only for operations both have. */
export const diffModels = (before: ContractModel, after: ContractModel): ReadonlyArray<Change> => {
  const changes: Array<Change> = []
  for (const operation of before.operations.keys()) {
    if (!after.operations.has(operation)) changes.push({ kind: "operation", operation, change: "removed" })
  }
  for (const [operation, now] of after.operations) {
    const old = before.operations.get(operation)
    if (old === undefined) {
      changes.push({ kind: "operation", operation, change: "added" })
      continue
    }
    for (const status of old.statuses) {
      if (!now.statuses.includes(status)) changes.push({ kind: "status", operation, status, change: "removed" })
    }
    for (const status of now.statuses) {
      if (!old.statuses.includes(status)) changes.push({ kind: "status", operation, status, change: "added" })
    }
    for (const section of sections) diffFields(section, operation, old[section], now[section], changes)
  }
  for (const slug of before.providerSlugs) {
    if (!after.providerSlugs.includes(slug)) changes.push({ kind: "provider", slug, change: "removed" })
  }
  for (const slug of after.providerSlugs) {
    if (!before.providerSlugs.includes(slug)) changes.push({ kind: "provider", slug, change: "added" })
  }
  return changes
}

const describeField = (f: Field) => `${f.required ? "required" : "optional"}, ${f.nullable ? "nullable" : "not nullable"}`

const assess = (change: Change, library: ContractModel): Finding => {
  switch (change.kind) {
    case "operation": {
      const has = library.operations.has(change.operation)
      return change.change === "added"
        ? has ? { change, verdict: "modelled", note: "" } : { change, verdict: "not modelled", note: "the library has no call for it" }
        : has ? { change, verdict: "not modelled", note: "the library still calls it" } : { change, verdict: "modelled", note: "" }
    }
    case "status": {
      const expected = library.operations.get(change.operation)?.statuses.includes(change.status) ?? false
      if (expected === (change.change === "added")) return { change, verdict: "modelled", note: "" }
      return { change, verdict: "not modelled", note: expected ? "the library still expects it" : "the library does not expect it" }
    }
    case "field": {
      const current = library.operations.get(change.operation)?.[change.section].get(change.field)
      const agrees = {
        "added": current !== undefined,
        "removed": current === undefined,
        "now required": current?.required === true,
        "now optional": current?.required === false,
        "now nullable": current?.nullable === true,
        "no longer nullable": current?.nullable === false
      }[change.change]
      if (agrees) return { change, verdict: "modelled", note: "" }
      if (current === undefined) {
        return change.section === "response"
          ? { change, verdict: "compatible", note: "the library ignores fields it does not decode" }
          : { change, verdict: "not modelled", note: "the library does not send it" }
      }
      const side = change.section === "response" ? "decodes it as" : "sends it as"
      return { change, verdict: "not modelled", note: `the library ${side} ${describeField(current)}` }
    }
    case "provider": {
      const known = library.providerSlugs.includes(change.slug)
      if (known === (change.change === "added")) return { change, verdict: "modelled", note: "" }
      return {
        change,
        verdict: "compatible",
        note: known ? "still typed in knownProviderSlugs" : "not yet typed in knownProviderSlugs; accepted as any string"
      }
    }
  }
}

/** Marks each change as modelled by the library, not modelled, or not modelled but compatible. */
export const compareWithLibrary = (changes: ReadonlyArray<Change>, library: ContractModel): ReadonlyArray<Finding> =>
  changes.map((change) => assess(change, library))

export const exitCodeOf = (findings: ReadonlyArray<Finding>): 0 | 1 =>
  findings.some((f) => f.verdict === "not modelled") ? 1 : 0

// ---------------------------------------------------------------------------------------------
// The report

const groups: ReadonlyArray<readonly [title: string, matches: (c: Change) => boolean]> = [
  ["Operations", (c) => c.kind === "operation"],
  ["Status codes", (c) => c.kind === "status"],
  ["Parameters", (c) => c.kind === "field" && c.section === "parameters"],
  ["Request body fields", (c) => c.kind === "field" && c.section === "request"],
  ["Response body fields", (c) => c.kind === "field" && c.section === "response"],
  ["Provider slugs", (c) => c.kind === "provider"]
]

const marks: Record<Verdict, string> = {
  "modelled": "[modelled]",
  "not modelled": "[NOT MODELLED]",
  "compatible": "[not modelled, compatible]"
}
const markWidth = Math.max(...Object.values(marks).map((m) => m.length))

const describeChange = (change: Change): string => {
  switch (change.kind) {
    case "operation":
      return `${change.operation} ${change.change}`
    case "status":
      return `${change.operation}: ${change.status} ${change.change}`
    case "field": {
      const detail = change.change === "added" && change.after !== undefined ? ` (${describeField(change.after)})` : ""
      return `${change.operation}: ${change.field} ${change.change}${detail}`
    }
    case "provider":
      return `${change.slug} ${change.change}`
  }
}

/** The plain-text report, grouped by kind, ending with a one-sentence verdict. */
export const formatReport = (findings: ReadonlyArray<Finding>, base: string, newer: string): string => {
  const lines = [`BYOK contract drift: ${base} -> ${newer}`, ""]
  if (findings.length === 0) lines.push("No changes to the BYOK paths.", "")
  for (const [title, matches] of groups) {
    const group = findings.filter((f) => matches(f.change))
    if (group.length === 0) continue
    lines.push(title)
    for (const f of group) {
      lines.push(`  ${marks[f.verdict].padEnd(markWidth)}  ${describeChange(f.change)}${f.note === "" ? "" : `: ${f.note}`}`)
    }
    lines.push("")
  }
  const blocking = findings.filter((f) => f.verdict === "not modelled").length
  lines.push(
    blocking > 0
      ? `Verdict: ${blocking} of ${findings.length} changes touch what the library depends on and are not modelled yet (exit 1).`
      : findings.length > 0
      ? `Verdict: nothing the library depends on changed; all ${findings.length} changes are modelled or compatible (exit 0).`
      : "Verdict: nothing the library depends on changed (exit 0)."
  )
  return lines.join("\n")
}

/** The whole comparison for a newer document: the findings, and the exit status they call for. */
export const contractDiff = (newerDoc: unknown, baseDoc: unknown = loadDocument(vendoredSpecPath)) => {
  const findings = compareWithLibrary(diffModels(extractModel(baseDoc), extractModel(newerDoc)), libraryModel)
  return { findings, exitCode: exitCodeOf(findings) }
}

/** The command line; returns the exit status. */
export const main = (args: ReadonlyArray<string>): number => {
  if (args.length !== 1 || args[0]!.startsWith("-")) {
    console.error("usage: npm run contract:diff -- <newer OpenAPI document, .yaml or .json>")
    return 2
  }
  // npm runs scripts from the package root; a relative path means the directory npm was run from.
  const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), args[0]!)
  let doc: unknown
  try {
    doc = loadDocument(file)
  } catch (error) {
    console.error(`contract:diff: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`)
    return 2
  }
  const { exitCode, findings } = contractDiff(doc)
  console.log(formatReport(findings, path.relative(process.cwd(), vendoredSpecPath), args[0]!))
  return exitCode
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2))
}
