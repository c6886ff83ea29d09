/**
 * Type-checks every ```ts block of the README as its own module against the package's sources,
 * with the compiler options a strict user project has. `npm run typecheck` runs it; so does the
 * full test tier (test/readme.full.test.ts).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"

const root = fileURLToPath(new URL("..", import.meta.url))

/** The README's TypeScript examples, in order. */
export const readmeExamples = (): Array<string> =>
  [...readFileSync(`${root}README.md`, "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)

/** The compiler's complaints about the examples, one line each; empty when they all type-check. */
export const checkReadmeExamples = (): Array<string> => {
  const dir = `${root}effect3/test/.readme/`
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const files = readmeExamples().map((block, i) => {
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
      "effect-openrouter-byok": ["effect3/src/index.ts"],
      "effect-openrouter-byok/testing": ["effect3/src/testing.ts"]
    }
  })
  return ts.getPreEmitDiagnostics(program).map((d) =>
    `${d.file?.fileName.replace(dir, "") ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const problems = checkReadmeExamples()
  for (const problem of problems) console.error(problem)
  console.log(`README examples: ${readmeExamples().length} checked, ${problems.length} problem(s)`)
  process.exitCode = problems.length === 0 ? 0 : 1
}
