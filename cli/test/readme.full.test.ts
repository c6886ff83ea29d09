/**
 * The repository README's command-line transcripts are what real runs print: each `$ byok …` line
 * is run with the built binary in a 100-column pseudo-terminal (so tables are laid out as on a
 * terminal), and its output compared line by line with the README's.
 *
 * The first transcript (```console) runs each command with `--fake`. The second (```console plan,
 * plan → apply → plan) runs its commands one after the other against one loopback fake seeded with
 * the demo credentials, with the desired-state file the README shows just before it.
 */
import { execFile, execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { demoCredentials } from "../src/connection.js"
import { binPath, expectNoSecrets, fakeServer, repo, secret } from "./support.js"

const work = fs.mkdtempSync(path.join(os.tmpdir(), "byok-readme-"))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8")
const block = /```console\n([\s\S]*?)```/.exec(readme)
const transcript = block?.[1] ?? ""

it("the README shows byok at work in a `console` block", () => {
  expect(block).not.toBeNull()
})

/** A transcript as commands, each with the lines the README says it prints. */
const stepsOf = (transcript: string) =>
  (transcript.trimEnd() === "" ? [] : transcript.trimEnd().split("\n")).reduce<Array<{ command: string; output: Array<string> }>>((acc, line) => {
    if (line.startsWith("$ ")) acc.push({ command: line.slice(2), output: [] })
    else acc.at(-1)!.output.push(line)
    return acc
  }, [])

const steps = stepsOf(transcript)

/** Runs `command` (a line of a transcript, `byok` standing for the built binary) in a 100-column pseudo-terminal. */
const terminalArgs = (command: string) => ["-qec", `stty cols 100 rows 40; ${command.replace(/^byok /, `'${process.execPath}' '${binPath}' `)}`, "/dev/null"]

const printedLines = (printed: string) => printed.replace(/\r/g, "").trimEnd().split("\n")

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
    const printed = execFileSync("script", terminalArgs(command), {
      cwd: work,
      env: { PATH: process.env.PATH ?? "", TERM: "dumb" },
      encoding: "utf8"
    })
    expectNoSecrets(printed, command)
    expect(printedLines(printed)).toEqual(output)
  })
}

// ---------------------------------------------------------------------------------------------
// The second transcript: credentials as a reviewed file.

const planBlockAt = readme.indexOf("```console plan\n")
const planTranscript = planBlockAt < 0 ? "" : readme.slice(planBlockAt + "```console plan\n".length, readme.indexOf("```", planBlockAt + 3))
/** The desired-state file: the last ```yaml block before the transcript, so the two cannot drift apart. */
const desiredYaml = [...readme.slice(0, Math.max(planBlockAt, 0)).matchAll(/```yaml\n([\s\S]*?)```/g)].at(-1)?.[1] ?? ""
const planSteps = stepsOf(planTranscript)

const demoKey = (provider: string, name: string) => demoCredentials.find((c) => c.provider === provider && c.name === name)!.secret!

/**
 * The keys behind the file's environment references: the account's own key for the credentials
 * the transcript keeps, a new one for the credential it rotates. Every file reference gets a new key.
 */
const keysByVariable: Record<string, string> = {
  OPENAI_PRODUCTION_KEY: demoKey("openai", "Production"),
  GROQ_SHARED_FALLBACK_KEY: demoKey("groq", "Shared fallback"),
  OPENAI_STAGING_KEY: demoKey("openai", "Staging"),
  ANTHROPIC_PRODUCTION_KEY: secret("sk-readme-anthropic-rotated-5e0b")
}

describe("the README's plan → apply → plan transcript", () => {
  const scope = Effect.runSync(Scope.make())
  let env: Record<string, string> = {}
  beforeAll(async () => {
    const server = await Effect.runPromise(Scope.provide(fakeServer({ seed: demoCredentials }), scope))
    env = { PATH: process.env.PATH ?? "", TERM: "dumb", ...server.env, ...keysByVariable }
    const file = /-f (\S+)/.exec(planSteps[0]?.command ?? "")?.[1] ?? "byok.yaml"
    fs.writeFileSync(path.join(work, file), desiredYaml)
    for (const [, reference] of desiredYaml.matchAll(/\{ file: (\S+) \}/g)) {
      fs.mkdirSync(path.dirname(path.join(work, reference!)), { recursive: true })
      fs.writeFileSync(path.join(work, reference!), `${secret(`sk-readme-${path.basename(reference!, ".txt")}-1c07`)}\n`)
    }
  })
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

  it("the README shows the file, then plan, apply and a plan with nothing left to do", () => {
    expect(desiredYaml).toContain("credentials:")
    expect(planSteps.map((s) => s.command.split(" ").slice(0, 2).join(" "))).toEqual(["byok plan", "byok apply", "byok plan"])
    expect(planSteps.at(-1)!.output.slice(-2)).toEqual([expect.stringMatching(/^No changes: /), "0"])
    // Every variable the file names has a key here: a renamed one must be added above.
    for (const [, name] of desiredYaml.matchAll(/\{ env: (\w+) \}/g)) expect(Object.keys(keysByVariable)).toContain(name)
  })

  // One after the other, against the same fake: each step sees what the previous one did. The
  // fake answers from this process, so the binary runs without blocking it.
  for (const { command, output } of planSteps) {
    it(`$ ${command}`, async () => {
      const { stdout } = await promisify(execFile)("script", terminalArgs(command), { cwd: work, env, encoding: "utf8" })
      expectNoSecrets(stdout, command)
      expect(printedLines(stdout)).toEqual(output)
    })
  }
})
