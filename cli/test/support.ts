/**
 * Running the built `byok` binary as a user would, against a loopback fake server started in the
 * test process, with every secret the tests use collected in one place and searched for in every
 * byte the binary prints.
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { expect } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { FakeByokApi, type FakeByokApiOptions, FakeByokServer, type SeedCredential } from "../../effect4/src/testing.js"
import { demoCredentials } from "../src/connection.js"

/** The CLI package's folder. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
/** The repository's root, whose README holds the command-line transcript. */
export const repo = path.resolve(root, "..")
const packageJson = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))
/** The executable as npm installs it: the package's `bin` entry, the bundle. */
export const binPath = path.join(root, packageJson.bin.byok)
export const packageVersion: string = packageJson.version

// ---------------------------------------------------------------------------------------------
// Secrets: every key a test hands the binary or the fake, searched for in all output.

/** The management key every fake server in these tests accepts. */
export const managementKey = "sk-or-v1-cli-test-MANAGEMENT-6b0d2f91"

const secrets = new Set<string>([managementKey, ...demoCredentials.map((c) => c.secret!)])

/** Registers a secret a test hands the binary or the fake, so every run's output is searched for it. */
export const secret = (value: string): string => {
  secrets.add(value)
  return value
}

/** A provider key for a test, registered as a secret; the same name gives the same key. */
export const providerKey = (name: string): string =>
  secret(`sk-cli-test-${name}-PROVIDER-${createHash("sha1").update(name).digest("hex").slice(0, 10)}`)

/** Seed credentials with registered secrets: `count` of them over a few providers, in the default workspace. */
export const seed = (count: number, overrides: (i: number) => Partial<SeedCredential> = () => ({})): Array<SeedCredential> =>
  Array.from({ length: count }, (_, i) => ({
    provider: ["openai", "anthropic", "mistral", "groq"][i % 4]!,
    name: `Key ${i + 1}`,
    secret: providerKey(`seed-${i + 1}`),
    ...overrides(i)
  }))

/** Everything every run printed, for the search at the end of a file. */
export const transcripts: Array<{ readonly args: ReadonlyArray<string>; readonly text: string }> = []

/** Asserts no secret appears in `text`. */
export const expectNoSecrets = (text: string, what: string) => {
  for (const secret of secrets) {
    expect(text.includes(secret), `${what} contains a secret`).toBe(false)
  }
}

/** The search over every run of the file: call in `afterAll`. */
export const expectNoSecretsInAnyRun = () => {
  expect(transcripts.length).toBeGreaterThan(0)
  for (const { args, text } of transcripts) expectNoSecrets(text, `byok ${args.join(" ")}`)
}

// ---------------------------------------------------------------------------------------------
// Running the binary.

export interface RunResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Written to stdin, which is then closed; stdin is a pipe (not a terminal) either way. */
  readonly input?: string
  /** The whole environment besides PATH: the tester's own OPENROUTER_* variables never leak in. */
  readonly env?: Record<string, string>
}

/** Runs `node <bin> ...args` and collects its output; searches it for secrets before returning. */
export const runCli = (args: ReadonlyArray<string>, options: RunOptions = {}): Effect.Effect<RunResult> =>
  Effect.callback<RunResult>((resume) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk))
    child.stdin.end(options.input ?? "")
    child.on("close", (code) => {
      transcripts.push({ args, text: stdout + stderr })
      resume(Effect.succeed({ code, stdout, stderr }))
    })
    return Effect.sync(() => child.kill())
  }).pipe(Effect.tap((result) => Effect.sync(() => expectNoSecrets(result.stdout + result.stderr, `byok ${args.join(" ")}`))))

/**
 * A fresh fake on 127.0.0.1 for one test, and a `run` that points the binary at it through the
 * environment, as an operator would. The server stops when the test's scope closes.
 */
export const fakeServer = (options: FakeByokApiOptions = {}) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      FakeByokApi.layerServer().pipe(Layer.provideMerge(FakeByokApi.layer({ apiKey: managementKey, ...options })))
    )
    const fake = Context.get(context, FakeByokApi)
    const { baseUrl } = Context.get(context, FakeByokServer)
    const env = { OPENROUTER_BASE_URL: baseUrl, OPENROUTER_API_KEY: Redacted.value(fake.apiKey) }
    const run = (args: ReadonlyArray<string>, runOptions: RunOptions = {}) =>
      runCli(args, { ...runOptions, env: { ...env, ...runOptions.env } })
    /** The requests that changed something: what `--dry-run` and a refusal must never send. */
    const writes = Effect.map(fake.requests, (requests) => requests.filter((r) => r.method !== "GET"))
    return { fake, baseUrl, env, run, writes }
  })

/** Parses JSON Lines. */
export const jsonLines = (text: string): Array<any> => text.split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line))
