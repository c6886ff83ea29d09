/**
 * Type-checks every TypeScript block of the README, and of each package's README, as its own
 * module against its line's sources, with the compiler options a strict user project has. In the
 * repository's README a block fenced ```ts is Effect 4 code (the default line) and ```ts effect3 is
 * Effect 3 code; a package's README is all its own line's. Each line's blocks compile inside that line's
 * folder, so `effect` and the platform packages resolve to the line's own. `npm run typecheck`
 * runs it; so does the full test tier.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"

const root = fileURLToPath(new URL("..", import.meta.url))

export type Line = "effect3" | "effect4"

const tsBlocks = (file: string) => [...readFileSync(`${root}${file}`, "utf8").matchAll(/```ts( effect3)?\n([\s\S]*?)```/g)]

/** The README's TypeScript examples, in order, with the line each is written for. */
export const readmeExamples = (): Array<{ readonly line: Line; readonly code: string }> =>
  tsBlocks("README.md").map((m) => ({ line: m[1] === undefined ? "effect4" : "effect3", code: m[2]! }))

/** Each package's own README (what npm shows): every block is that line's. */
export const packageReadmeExamples = (): Array<{ readonly line: Line; readonly code: string }> =>
  (["effect4", "effect3"] as const).flatMap((line) => tsBlocks(`${line}/README.md`).map((m) => ({ line, code: m[2]! })))

const checkLine = (line: Line, blocks: ReadonlyArray<string>): Array<string> => {
  const dir = `${root}${line}/test/.readme/`
  rmSync(dir, { recursive: true, force: true })
  if (blocks.length === 0) return []
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
      "effect-openrouter-byok": [`${line}/src/index.ts`],
      "effect-openrouter-byok/testing": [`${line}/src/testing.ts`]
    }
  })
  return ts.getPreEmitDiagnostics(program).map((d) =>
    `${line}/${d.file?.fileName.replace(dir, "") ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
  )
}

/** The compiler's complaints about the examples, one line each; empty when they all type-check. */
export const checkReadmeExamples = (): Array<string> => {
  const examples = [...readmeExamples(), ...packageReadmeExamples()]
  return (["effect4", "effect3"] as const).flatMap((line) =>
    checkLine(line, examples.filter((e) => e.line === line).map((e) => e.code))
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const problems = checkReadmeExamples()
  for (const problem of problems) console.error(problem)
  const examples = [...readmeExamples(), ...packageReadmeExamples()]
  const count = (line: Line) => examples.filter((e) => e.line === line).length
  console.log(
    `README examples (the repository's and each package's): ${count("effect4")} for Effect 4 and ${count("effect3")} for Effect 3 checked, ${problems.length} problem(s)`
  )
  process.exitCode = problems.length === 0 ? 0 : 1
}
