import { describe, expect, it } from "@effect/vitest"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import ts from "typescript"

/** Every ```ts block of the README, type-checked as its own module against the package's sources. */
const root = fileURLToPath(new URL("..", import.meta.url))
const readme = readFileSync(`${root}README.md`, "utf8")
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)

describe("README examples", () => {
  it("has usage examples to check", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    expect(blocks.some((b) => b.includes("byok.stream("))).toBe(true)
  })

  it("every example type-checks", { timeout: 120_000 }, () => {
    const dir = `${root}test/.readme/`
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const files = blocks.map((block, i) => {
      const file = `${dir}example-${i + 1}.ts`
      writeFileSync(file, `${block}\nexport {}\n`)
      return file
    })
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
      baseUrl: root,
      paths: {
        "effect-openrouter-byok": ["src/index.ts"],
        "effect-openrouter-byok/testing": ["src/testing.ts"]
      }
    })
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) =>
      `${d.file?.fileName.replace(dir, "") ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
    )
    expect(diagnostics).toEqual([])
  })
})
