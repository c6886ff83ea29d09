/**
 * The repository README's command-line transcript is what a real run prints: each `$ byok …` line is run with
 * the built binary in a 100-column pseudo-terminal (so tables are laid out as on a terminal), and
 * its output compared line by line with the README's.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, expect, it } from "@effect/vitest"
import { binPath, expectNoSecrets, repo, secret } from "./support.js"

const work = fs.mkdtempSync(path.join(os.tmpdir(), "byok-readme-"))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8")
const block = /```console\n([\s\S]*?)```/.exec(readme)
const transcript = block?.[1] ?? ""

it("the README shows byok at work in a `console` block", () => {
  expect(block).not.toBeNull()
})

/** The transcript as commands, each with the lines the README says it prints. */
const steps = (transcript.trimEnd() === "" ? [] : transcript.trimEnd().split("\n")).reduce<Array<{ command: string; output: Array<string> }>>((acc, line) => {
  if (line.startsWith("$ ")) acc.push({ command: line.slice(2), output: [] })
  else acc.at(-1)!.output.push(line)
  return acc
}, [])

it("the transcript has the runs the README promises: list, rotate from a file, a dry run, the real change", () => {
  expect(steps.map((s) => s.command.split(" ").slice(0, 3).join(" "))).toEqual([
    "byok --fake list",
    "byok --fake rotate",
    "byok --fake disable",
    "byok --fake disable",
    "byok --fake get"
  ])
})

for (const { command, output } of steps) {
  it(`$ ${command}`, () => {
    // The rotated key's file: its last four characters are the label the transcript shows.
    fs.writeFileSync(path.join(work, "new-openai-key.txt"), `${secret("sk-readme-rotated-openai-9c1d")}\n`)
    const shell = command.replace(/^byok /, `'${process.execPath}' '${binPath}' `)
    const printed = execFileSync("script", ["-qec", `stty cols 100 rows 40; ${shell}`, "/dev/null"], {
      cwd: work,
      env: { PATH: process.env.PATH ?? "", TERM: "dumb" },
      encoding: "utf8"
    })
    const lines = printed.replace(/\r/g, "").trimEnd().split("\n")
    expectNoSecrets(printed, command)
    expect(lines).toEqual(output)
  })
}
