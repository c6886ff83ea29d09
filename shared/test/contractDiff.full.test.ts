import { afterAll, expect, it } from "vitest"
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { stringify } from "yaml"
import { loadDocument, vendoredSpecPath } from "../../scripts/contract-diff.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
// Inside the repository but ignored by git, so an interrupted run leaves nothing to commit.
const cache = path.join(root, "node_modules", ".cache")
mkdirSync(cache, { recursive: true })
const tmp = mkdtempSync(path.join(cache, "contract-diff-cli-"))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

it("`npx tsx scripts/contract-diff.ts <file>` prints the report and exits 1 on a change the library depends on", () => {
  const doc = structuredClone(loadDocument(vendoredSpecPath) as any)
  doc.paths["/byok/{id}"].get.responses["409"] = {
    description: "Conflict",
    content: { "application/json": { schema: { $ref: "#/components/schemas/BadRequestResponse" } } }
  }
  doc.components.schemas.BYOKProviderSlug.enum.push("acme-ai")
  const file = path.join(tmp, "newer.yaml")
  writeFileSync(file, stringify(doc))
  const result = spawnSync("npx", ["tsx", "scripts/contract-diff.ts", file], { cwd: root, encoding: "utf8" })
  expect(result.stderr).toBe("")
  expect(result.status).toBe(1)
  expect(result.stdout).toContain("  [NOT MODELLED]              GET /byok/{id}: 409 added: the library does not expect it\n")
  expect(result.stdout).toContain("  [not modelled, compatible]  acme-ai added: not yet typed in knownProviderSlugs; accepted as any string\n")
  expect(result.stdout.trimEnd().split("\n").at(-1)).toBe(
    "Verdict: 1 of 2 changes touch what the library depends on and are not modelled yet (exit 1)."
  )
})
