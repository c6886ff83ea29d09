/**
 * Help as a pipe, a file or a `NO_COLOR` terminal gets it: plain text, no escape sequence; and every
 * flag explained in its own words, switches included.
 */
import { execFileSync } from "node:child_process"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { binPath, type RunResult, runCli } from "./support.js"

const commands = ["list", "get", "create", "rotate", "enable", "disable", "delete", "export", "plan", "apply"]

/** What each switch (a flag without a value) says of itself, wherever it appears. */
const switches: Record<string, string> = {
  "--fake": "Run against a fresh in-memory fake seeded with demo credentials; needs no key.",
  "--disabled": "Store it disabled.",
  "--fallback": "Use it only as a fallback.",
  "--dry-run": "Show what would change and send no change.",
  "--yes, -y": "Do not ask for confirmation.",
  "--prune": "Delete the credentials in scope that the file does not name.",
  "--help, -h": "Show help information",
  "--version, -v": "Show version information"
}

/** The flag lines of a help text: the names, then the description after a run of spaces. */
const flagLines = (text: string) =>
  text.split("\n").flatMap((line) => {
    const match = /^ {2}(--\S+(?:, -{1,2}\S+)?(?: \S+)?) {3,}(.*)$/.exec(line)
    return match ? [{ names: match[1]!, description: match[2]! }] : []
  })

/** Runs the binary in a pseudo-terminal, as `script` gives one, and returns what it printed. */
const onTerminal = (args: string, env: Record<string, string>) =>
  execFileSync("script", ["-qec", `'${process.execPath}' '${binPath}' ${args}`, "/dev/null"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8"
  })

/** `byok --help` and `byok <command> --help` for every command, stdout a pipe (as `| cat` makes it). */
let piped: ReadonlyArray<RunResult> = []
beforeAll(async () => {
  piped = await Effect.runPromise(
    Effect.forEach([[], ...commands.map((c) => [c])], (path) => runCli([...path, "--help"]), { concurrency: 2 })
  )
})

describe.concurrent("help", () => {
  it("piped (byok --help | cat), every command's help is plain text", () => {
    expect(piped).toHaveLength(commands.length + 1)
    for (const result of piped) {
      expect(result.code).toBe(0)
      expect(result.stderr).toBe("")
      expect(result.stdout).toContain("Usage:\n  byok")
      expect(result.stdout).not.toContain("\x1b")
    }
  })

  it.live("NO_COLOR=1 wins over FORCE_COLOR; FORCE_COLOR alone colours a pipe, so the switch is real", () =>
    Effect.gen(function*() {
      const [noColor, forced] = yield* Effect.all([
        runCli(["--help"], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } }),
        runCli(["--help"], { env: { FORCE_COLOR: "1" } })
      ], { concurrency: 2 })
      expect(noColor.stdout).toContain("Usage:")
      expect(noColor.stdout).not.toContain("\x1b")
      expect(forced.stdout).toContain("\x1b[1mUsage:\x1b[0m")
    }))

  it("on a terminal: coloured, unless NO_COLOR=1 or TERM=dumb", () => {
    expect(onTerminal("list --help", { TERM: "xterm" })).toContain("\x1b[1mUsage:\x1b[0m")
    for (const env of [{ TERM: "xterm", NO_COLOR: "1" }, { TERM: "dumb" }]) {
      const text = onTerminal("list --help", env)
      expect(text, JSON.stringify(env)).toContain("Usage:")
      expect(text, JSON.stringify(env)).not.toContain("\x1b")
    }
  })

  it("every flag line has its own description; each switch says what it does", () => {
    const seen = new Set<string>()
    for (const [i, result] of piped.entries()) {
      const lines = flagLines(result.stdout)
      expect(lines.length, `help ${i}`).toBeGreaterThan(0)
      const descriptions = lines.map((line) => line.description)
      // Two flags of one command never share a text, and no text is a type's stock phrase.
      expect(new Set(descriptions).size, result.stdout).toBe(descriptions.length)
      for (const { names, description } of lines) {
        expect(description, names).not.toBe("")
        expect(description, names).not.toMatch(/true or false|a user-defined piece of text/i)
        if (names in switches) {
          expect(description, names).toBe(switches[names])
          seen.add(names)
        }
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(switches).sort())
  })
})
