/**
 * `byok plan` / `byok apply`, full tier, the built binary against a loopback fake: every kind of
 * action as text and JSON, apply and its idempotence, a partial failure, the refusals (bad input of
 * every kind, unreadable keys, identities that would need a guess, a stale saved plan), the exit
 * codes, the scope flags, `export --format yaml` adopting an account, and no key in any output or
 * saved plan.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { defaultWorkspaceId, fakeId, Fault } from "../../effect4/src/testing.js"
import { expectNoSecrets, expectNoSecretsInAnyRun, fakeServer, providerKey, secret } from "./support.js"

afterAll(expectNoSecretsInAnyRun)

const other = "3f2b8c4e-1d5a-4e7b-9c0d-2a6f8e1b7c35"
const folders: Array<string> = []
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })))

/** A fresh folder holding `files` (name → content; an object is written as JSON); returns its path. */
const folder = (files: Record<string, unknown>): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "byok-plan-full-"))
  folders.push(dir)
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), typeof content === "string" ? content : JSON.stringify(content, null, 2))
  }
  return dir
}

const entry = (provider: string, workspaceId: string | null, name: string, key: unknown, settings: Record<string, unknown> = {}) => ({
  provider,
  workspaceId,
  name,
  key,
  ...settings
})

/** The keys of the scenario most tests share, each registered as a secret. */
const keys = {
  prod: providerKey("full-openai-prod"),
  claude: providerKey("full-anthropic-prod"),
  claudeNew: providerKey("full-anthropic-new"),
  research: providerKey("full-deepseek-research"),
  staging: providerKey("full-openai-staging"),
  old: providerKey("full-mistral-old"),
  fresh: providerKey("full-mistral-new"),
  // Eight characters or fewer: the fake's label is `***`, which cannot tell.
  shared: secret("sk-sh0rt")
}

/**
 * Live: openai Production (1), anthropic Production (2), mistral Old (3), groq Shared fallback,
 * global (4), in the default workspace; deepseek Research (5) and openai Staging (6) in another.
 */
const scenarioSeed = [
  { provider: "openai", name: "Production", secret: keys.prod },
  { provider: "anthropic", name: "Production", secret: keys.claude },
  { provider: "mistral", name: "Old", secret: keys.old },
  { provider: "groq", name: "Shared fallback", workspaceId: null, secret: keys.shared },
  { provider: "deepseek", name: "Research", workspaceId: other, secret: keys.research },
  { provider: "openai", name: "Staging", workspaceId: other, secret: keys.staging }
]

/**
 * The file: an update (1), a rotation (2: its key is new), Old left out (3: kept, or deleted with
 * --prune), a label that cannot tell (4), a move from the other workspace (5: replaced), unchanged
 * (6), and a create (mistral New).
 */
const scenarioFile = {
  version: 1,
  credentials: [
    entry("openai", defaultWorkspaceId, "Production", { env: "OPENAI_KEY" }, { allowedModels: ["openai/gpt-4o"], declaredZdr: true }),
    entry("anthropic", defaultWorkspaceId, "Production", { file: "keys/anthropic.txt" }),
    entry("groq", null, "Shared fallback", { env: "GROQ_KEY" }),
    entry("deepseek", defaultWorkspaceId, "Research", { command: ["cat", "keys/deepseek.txt"] }),
    entry("openai", other, "Staging", { command: [process.execPath, "-e", "process.stdout.write(process.env.STAGING_KEY + '\\nignored\\n')"] }),
    entry("mistral", defaultWorkspaceId, "New", { env: "MISTRAL_KEY" }, { isFallback: true })
  ]
}

const scenarioEnv = { OPENAI_KEY: keys.prod, GROQ_KEY: providerKey("full-groq-any"), STAGING_KEY: keys.staging, MISTRAL_KEY: keys.fresh }

/** The scenario's folder: the file, and the key files it refers to (relative to its folder). */
const scenario = () => {
  const dir = folder({ "byok.json": scenarioFile })
  fs.mkdirSync(path.join(dir, "keys"))
  fs.writeFileSync(path.join(dir, "keys/anthropic.txt"), `${keys.claudeNew}\n`)
  fs.writeFileSync(path.join(dir, "keys/deepseek.txt"), `${keys.research}\n`)
  return { dir, file: path.join(dir, "byok.json") }
}

const scenarioPlanText = [
  `workspace ${defaultWorkspaceId}`,
  `  ~   update    openai "Production" (${fakeId(1)})`,
  "        declaredZdr: null → true",
  "        allowedModels: null → [\"openai/gpt-4o\"]",
  `  ~   rotate    anthropic "Production" (${fakeId(2)})`,
  `        key: the label sk-...${keys.claude.slice(-4)} is not this key's`,
  "  -/+ replace   deepseek \"Research\"",
  `        workspaceId: "${other}" → "${defaultWorkspaceId}"`,
  `        replaces ${fakeId(5)}: deleted once the new one is created`,
  "  +   create    mistral \"New\"",
  `  -   delete    mistral "Old" (${fakeId(3)})`,
  "global",
  `  =   unchanged groq "Shared fallback" (${fakeId(4)})`,
  "        key: cannot tell from the label whether it is this key (--rotate \"Shared fallback\" sends it)",
  `workspace ${other}`,
  `  =   unchanged openai "Staging" (${fakeId(6)})`,
  "",
  "Plan: 1 to create, 1 to update, 1 to rotate, 1 to replace, 1 to delete, 2 unchanged.",
  ""
].join("\n")

describe.concurrent("plan", () => {
  it.live("every kind of action, as a diff and as JSON; exit 2 with changes; only reads", () =>
    Effect.gen(function*() {
      const { run, writes } = yield* fakeServer({ seed: scenarioSeed })
      const { file } = scenario()
      const text = yield* run(["plan", "-f", file, "--prune"], { env: scenarioEnv })
      expect(text.stderr).toBe("")
      expect(text.stdout).toBe(scenarioPlanText)
      expect(text.code).toBe(2)

      const kept = yield* run(["plan", "-f", file], { env: scenarioEnv })
      expect(kept.code).toBe(2)
      expect(kept.stdout).toContain(`      kept      mistral "Old" (${fakeId(3)})\n        not in the file (kept; --prune deletes)\n`)
      expect(kept.stdout).toContain("0 to delete, 2 unchanged, 1 not in the file (kept).\n")

      const json = yield* run(["plan", "-f", file, "--prune", "--format", "json"], { env: scenarioEnv })
      expect(json.code).toBe(2)
      const plan = JSON.parse(json.stdout)
      expect(plan.scope).toEqual({ workspaceIds: [defaultWorkspaceId, null, other], providers: ["openai", "anthropic", "groq", "deepseek", "mistral"] })
      expect(plan.liveDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(plan.changes).toBe(true)
      expect(plan.summary).toEqual({ create: 1, update: 1, rotate: 1, replace: 1, delete: 1, unchanged: 2, keep: 0 })
      expect(plan.actions.map((a: any) => [a.action, a.entry, a.id])).toEqual([
        ["update", 0, fakeId(1)],
        ["rotate", 1, fakeId(2)],
        ["unchanged", 2, fakeId(4)],
        ["replace", 3, undefined],
        ["unchanged", 4, fakeId(6)],
        ["create", 5, undefined],
        ["delete", undefined, fakeId(3)]
      ])
      expect(plan.actions[0]).toEqual({
        action: "update",
        id: fakeId(1),
        entry: 0,
        provider: "openai",
        workspaceId: defaultWorkspaceId,
        name: "Production",
        changes: [{ field: "declaredZdr", from: null, to: true }, { field: "allowedModels", from: null, to: ["openai/gpt-4o"] }],
        keyCheck: "consistent"
      })
      expect(plan.actions[3].replaces).toEqual({ id: fakeId(5), provider: "deepseek", workspaceId: other, name: "Research" })
      expect(yield* writes).toEqual([])
    }))

  it.live("--rotate sends a key whatever the label says; --provider and --workspace-id narrow the scope, even with --prune", () =>
    Effect.gen(function*() {
      const { fake, run, writes } = yield* fakeServer({ seed: scenarioSeed })
      const { file } = scenario()
      const result = yield* run(["plan", "-f", file, "--prune", "--provider", "groq", "--provider", "openai", "--workspace-id", "global", "--rotate", "Shared fallback", "--rotate", "openai/Staging"], { env: scenarioEnv })
      expect(result.code).toBe(2)
      expect(result.stdout).toBe([
        "5 entries of " + file + " outside --provider/--workspace-id, not planned",
        "",
        "global",
        `  ~   rotate    groq "Shared fallback" (${fakeId(4)})`,
        "        key: sent, as --rotate asks",
        "",
        "Plan: 0 to create, 0 to update, 1 to rotate, 0 to replace, 0 to delete, 0 unchanged.",
        ""
      ].join("\n"))
      const applied = yield* run(["apply", "-f", file, "--provider", "groq", "--workspace-id", "global", "--rotate", "Shared fallback", "--yes"], { env: scenarioEnv })
      expect(applied.code).toBe(0)
      expect((yield* writes).map((r) => [r.method, r.path, r.body])).toEqual([["PATCH", `/api/v1/byok/${fakeId(4)}`, { key: "<redacted>" }]])
      const groq = (yield* fake.credentials).find((c) => c.key.id === fakeId(4))!
      expect(Redacted.value(groq.secret)).toBe(scenarioEnv.GROQ_KEY)
    }))

  it.live("a YAML file; a name shared by several entries must be qualified for --rotate", () =>
    Effect.gen(function*() {
      const { run } = yield* fakeServer({ seed: scenarioSeed })
      const dir = folder({
        "byok.yaml": [
          "# reviewed in pull requests",
          "credentials:",
          "  - { provider: openai, workspaceId: " + defaultWorkspaceId + ", name: Production, key: { env: OPENAI_KEY } }",
          "  - provider: anthropic",
          "    workspaceId: " + defaultWorkspaceId,
          "    name: Production",
          "    key:",
          "      env: OPENAI_KEY",
          ""
        ].join("\n")
      })
      const ambiguous = yield* run(["plan", "-f", path.join(dir, "byok.yaml"), "--rotate", "Production"], { env: scenarioEnv })
      expect(ambiguous).toEqual({
        code: 1,
        stdout: "",
        stderr: "UsageError: --rotate \"Production\" names 2 entries; name one as \"openai/Production\" or \"anthropic/Production\"\n"
      })
      const result = yield* run(["plan", "-f", path.join(dir, "byok.yaml"), "--rotate", "openai/Production"], { env: scenarioEnv })
      expect(result.code).toBe(2)
      expect(result.stdout).toContain(`  ~   rotate    openai "Production" (${fakeId(1)})\n        key: sent, as --rotate asks\n`)
      expect(result.stdout).toContain(`  ~   rotate    anthropic "Production" (${fakeId(2)})\n        key: the label sk-...`)
    }))
})

describe.concurrent("apply", () => {
  it.live("carries the plan out, creates before deletes; the second run has nothing to do and sends nothing", () =>
    Effect.gen(function*() {
      const { fake, run, writes } = yield* fakeServer({ seed: scenarioSeed })
      const { file } = scenario()
      const applied = yield* run(["apply", "-f", file, "--prune", "--yes", "--concurrency", "2"], { env: scenarioEnv })
      expect(applied.stderr).toBe("")
      expect(applied.code).toBe(0)
      expect(applied.stdout.startsWith(scenarioPlanText)).toBe(true)
      const lines = applied.stdout.slice(scenarioPlanText.length).split("\n")
      const created = (yield* fake.credentials).filter((c) => c.key.id === fakeId(7) || c.key.id === fakeId(8))
      const research = created.find((c) => c.key.provider === "deepseek")!
      const mistral = created.find((c) => c.key.provider === "mistral")!
      expect(lines).toEqual([
        "",
        `updated ${fakeId(1)} (openai, Production)`,
        `rotated ${fakeId(2)} (anthropic, Production)`,
        `created ${mistral.key.id} (mistral, New)`,
        `replaced ${fakeId(5)} (deepseek, Research) by ${research.key.id} (deepseek, Research)`,
        `deleted ${fakeId(3)} (mistral, Old)`,
        "apply: 1 created, 1 updated, 1 rotated, 1 replaced, 1 deleted, 2 unchanged, 0 failed",
        ""
      ])
      // Every create before any delete; the replaced credential deleted after its replacement.
      const sent = (yield* writes).map((r) => r.method)
      expect(sent.lastIndexOf("POST")).toBeLessThan(sent.indexOf("DELETE"))
      expect(mistral.key).toMatchObject({ workspaceId: defaultWorkspaceId, isFallback: true })
      expect(Redacted.value(mistral.secret)).toBe(keys.fresh)
      expect(Redacted.value(research.secret)).toBe(keys.research)
      const stored = yield* fake.credentials
      expect(stored.map((c) => c.key.id).sort()).toEqual([1, 2, 4, 6, 7, 8].map(fakeId))
      expect(Redacted.value(stored.find((c) => c.key.id === fakeId(2))!.secret)).toBe(keys.claudeNew)
      expect(stored.find((c) => c.key.id === fakeId(1))!.key).toMatchObject({ allowedModels: ["openai/gpt-4o"], declaredZdr: true })

      yield* fake.clearRequests
      const again = yield* run(["apply", "-f", file, "--prune"], { env: scenarioEnv, input: "" })
      // Off a terminal without --yes it is refused, before anything is read.
      expect(again.code).toBe(1)
      const second = yield* run(["apply", "-f", file, "--prune", "--yes"], { env: scenarioEnv })
      expect(second.code).toBe(0)
      expect(second.stdout).toMatch(/\nNo changes: 6 unchanged\.\napply: 0 created, 0 updated, 0 rotated, 0 replaced, 0 deleted, 6 unchanged, 0 failed\n$/)
      const plan = yield* run(["plan", "-f", file, "--prune"], { env: scenarioEnv })
      expect(plan.code).toBe(0)
      expect(yield* writes).toEqual([])
    }))

  it.live("a partial failure finishes the rest, lists each failure on its own line, exits with the worst code", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: scenarioSeed })
      const { file } = scenario()
      // Every attempt the library's retry policy makes at the update fails (exit 4); the delete is
      // unauthorized (exit 3, not retried). The worse of the two is the exit code.
      yield* fake.injectFault(Fault.status(500), { operation: "update", id: fakeId(1), times: 10 })
      yield* fake.injectFault(Fault.status(401), { operation: "delete", id: fakeId(3) })
      const result = yield* run(["apply", "-f", file, "--prune", "--yes"], { env: scenarioEnv })
      expect(result.code).toBe(4)
      expect(result.stderr).toBe([
        `failed update ${fakeId(1)} (openai, Production): InternalServer: Internal Server Error`,
        `failed delete ${fakeId(3)} (mistral, Old): Unauthorized: Missing Authentication header`,
        "ApplyFailed: 2 of 5 changes failed",
        ""
      ].join("\n"))
      expect(result.stdout).toMatch(/\napply: 1 created, 0 updated, 1 rotated, 1 replaced, 0 deleted, 2 unchanged, 2 failed\n$/)
      const stored = yield* fake.credentials
      expect(stored.map((c) => c.key.id)).toContain(fakeId(3))
      expect(stored.map((c) => c.key.id)).not.toContain(fakeId(5))

      // What is left is what the next plan shows.
      yield* fake.clearFaults
      const next = yield* run(["plan", "-f", file, "--prune"], { env: scenarioEnv })
      expect(next.code).toBe(2)
      expect(next.stdout).toMatch(/\nPlan: 0 to create, 1 to update, 0 to rotate, 0 to replace, 1 to delete, 5 unchanged\.\n$/)
    }))

  it.live("a create whose answer is lost is settled by the library's recovery, and said so on stderr", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer()
      const dir = folder({ "byok.json": { credentials: [entry("openai", defaultWorkspaceId, "Recovered", { env: "K" })] } })
      // Retry-After: 0 sets the settle period, so the test does not wait the default 2 s.
      yield* fake.injectFault(Fault.status(500, { afterHandling: true, headers: { "retry-after": "0" } }), { operation: "create" })
      const result = yield* run(["apply", "-f", path.join(dir, "byok.json"), "--yes"], { env: { K: providerKey("recovered") } })
      expect(result.code).toBe(0)
      expect(result.stderr).toBe(`create: the answer was lost; found the credential it stored (${fakeId(1)})\n`)
      expect(result.stdout).toMatch(/apply: 1 created, 0 updated, 0 rotated, 0 replaced, 0 deleted, 0 unchanged, 0 failed\n$/)
      expect((yield* fake.credentials).length).toBe(1)
    }))

  it.live("a replacement whose create fails keeps the old credential", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: scenarioSeed })
      const dir = folder({ "byok.json": { credentials: [entry("deepseek", defaultWorkspaceId, "Research", { env: "K" })] } })
      yield* fake.injectFault(Fault.status(403), { operation: "create" })
      // The old one's workspace is in scope only when named.
      const result = yield* run(["apply", "-f", path.join(dir, "byok.json"), "--workspace-id", defaultWorkspaceId, "--workspace-id", other, "--yes"], {
        env: { K: keys.research }
      })
      expect(result.code).toBe(3)
      expect(result.stderr).toBe(
        "failed replace (deepseek, Research): Forbidden: Only management keys can perform this operation\nApplyFailed: 1 of 1 change failed\n"
      )
      expect((yield* fake.credentials).map((c) => c.key.id)).toContain(fakeId(5))
      expect((yield* fake.requests).filter((r) => r.method === "DELETE")).toEqual([])
    }))
})

describe.concurrent("refusals: nothing is sent", () => {
  it.live("bad input: one line per problem naming the entry and the field, exit 1, no request; a literal key is never shown", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: scenarioSeed })
      const literal = secret("sk-live-PASTED-BY-MISTAKE-77aa")
      const dir = folder({
        "byok.json": {
          version: 1,
          credentials: [
            entry("openai", defaultWorkspaceId, "Production", literal),
            entry("openai", "550e8400", "Typo", { env: "K" }, { colour: "blue" }),
            entry("anthropic", defaultWorkspaceId, "Hashes", { env: "K" }, { allowedApiKeyHashes: ["ABC"] })
          ]
        },
        "cross.json": {
          credentials: [
            entry("openai", defaultWorkspaceId, "Both", { env: "K" }, { isFallback: true, isByokOnly: true }),
            entry("openai", defaultWorkspaceId, "Twice", { env: "K" }),
            entry("openai", defaultWorkspaceId, "Twice", { env: "K" })
          ]
        },
        "broken.json": `{"credentials": [{"key": ${literal}}]}`,
        "broken.yaml": `credentials:\n  - provider: openai\n    key: ${literal}: x\n   name: y\n`,
        "header.yaml": `credentials:\n  - provider: openai\n    key: |${literal}\n      x\n`
      })
      const results = yield* Effect.forEach(["byok.json", "cross.json", "broken.json", "broken.yaml", "header.yaml"], (name) =>
        run(["plan", "-f", path.join(dir, name)]), { concurrency: 2 })
      for (const result of results) {
        expect(result.code).toBe(1)
        expect(result.stdout).toBe("")
      }
      const at = (name: string) => path.join(dir, name)
      expect(results[0]!.stderr).toBe([
        `${at("byok.json")}: credentials[0] (openai "Production" in ${defaultWorkspaceId}): key: a literal key is not accepted; give a reference: { env: NAME }, { file: PATH } or { command: [PROGRAM, ARGS...] }`,
        `${at("byok.json")}: credentials[1] (openai "Typo" in 550e8400): colour: unknown field`,
        `${at("byok.json")}: credentials[1] (openai "Typo" in 550e8400): workspaceId: expected a UUID`,
        `${at("byok.json")}: credentials[2] (anthropic "Hashes" in ${defaultWorkspaceId}): allowedApiKeyHashes[0]: an API key hash is 64 lowercase hex characters`,
        `DesiredStateInvalid: 4 problems in ${at("byok.json")}; nothing was sent`,
        ""
      ].join("\n"))
      expect(results[1]!.stderr).toBe([
        `${at("cross.json")}: credentials[0] (openai "Both" in ${defaultWorkspaceId}): isByokOnly: isFallback and isByokOnly cannot both be true`,
        `${at("cross.json")}: credentials[2] (openai "Twice" in ${defaultWorkspaceId}): the same provider, workspace and name as credentials[1]`,
        `DesiredStateInvalid: 2 problems in ${at("cross.json")}; nothing was sent`,
        ""
      ].join("\n"))
      // The parser's message would quote the text around the error (here, the key): only the position, when it gives one.
      expect(results[2]!.stderr).toBe(`${at("broken.json")}: not valid JSON\nDesiredStateInvalid: ${at("broken.json")} cannot be parsed; nothing was sent\n`)
      expect(results[3]!.stderr).toMatch(/^.*broken\.yaml:3:10: not valid YAML: .*\n/)
      // The parser's message would end in the text after `|`: only what is wrong is kept.
      expect(results[4]!.stderr).toContain("header.yaml:3:11: not valid YAML: Block scalar header includes extra characters\n")
      expect(yield* fake.requests).toEqual([])
    }))

  it.live("unreadable keys: a variable unset or empty, a missing file, a failing command, one that prints nothing", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: scenarioSeed })
      const dir = folder({
        "byok.json": {
          credentials: [
            entry("openai", defaultWorkspaceId, "Unset", { env: "NOT_SET" }),
            entry("openai", defaultWorkspaceId, "Empty", { env: "EMPTY" }),
            entry("openai", defaultWorkspaceId, "Missing", { file: "keys/missing.txt" }),
            entry("openai", defaultWorkspaceId, "Failing", { command: [process.execPath, "-e", "process.exit(3)"] }),
            entry("openai", defaultWorkspaceId, "Silent", { command: [process.execPath, "-e", ""] }),
            entry("openai", defaultWorkspaceId, "Lines", { file: "two-lines.txt" }),
            entry("openai", defaultWorkspaceId, "Fine", { env: "FINE" })
          ]
        },
        "two-lines.txt": `${providerKey("two-1")}\n${providerKey("two-2")}\n`
      })
      const file = path.join(dir, "byok.json")
      const result = yield* run(["apply", "-f", file, "--yes"], { env: { EMPTY: "  ", FINE: providerKey("fine") } })
      const who = (name: string) => `${file}: credentials[${["Unset", "Empty", "Missing", "Failing", "Silent", "Lines"].indexOf(name)}] (openai "${name}" in ${defaultWorkspaceId}): key:`
      expect(result).toEqual({
        code: 1,
        stdout: "",
        stderr: [
          `${who("Unset")} environment variable NOT_SET is not set`,
          `${who("Empty")} environment variable EMPTY is empty`,
          `${who("Missing")} file keys/missing.txt cannot be read (NotFound)`,
          `${who("Failing")} command ${process.execPath} failed (exit 3)`,
          `${who("Silent")} command ${process.execPath} printed no key on its first line`,
          `${who("Lines")} file two-lines.txt holds more than one line; expected only the key`,
          "DesiredStateInvalid: 6 keys could not be read; nothing was sent",
          ""
        ].join("\n")
      })
      expect(yield* fake.requests).toEqual([])
    }))

  it.live("several live credentials with one identity: reported, exit 1, nothing sent", () =>
    Effect.gen(function*() {
      const { fake, run, writes } = yield* fakeServer({ seed: scenarioSeed })
      yield* fake.insert({ provider: "openai", name: "Production", secret: providerKey("twin") })
      const { file } = scenario()
      const [planned, applied] = yield* Effect.all([
        run(["plan", "-f", file], { env: scenarioEnv }),
        run(["apply", "-f", file, "--yes"], { env: scenarioEnv })
      ], { concurrency: 2 })
      for (const result of [planned, applied]) {
        expect(result).toEqual({
          code: 1,
          stdout: "",
          stderr: `${file}: credentials[0] (openai "Production" in ${defaultWorkspaceId}): 2 live credentials have this identity ` +
            `(${fakeId(1)}, ${fakeId(7)}); plan does not guess which one the entry is: rename or delete all but one\n` +
            "PlanConflict: 1 entry cannot be planned without guessing; nothing was sent\n"
        })
      }
      expect(yield* writes).toEqual([])
    }))

  it.live("a global credential the API would have to create", () =>
    Effect.gen(function*() {
      const { run } = yield* fakeServer({ seed: scenarioSeed })
      const dir = folder({ "byok.json": { credentials: [entry("together", null, "Everywhere", { env: "K" })] } })
      const result = yield* run(["plan", "-f", path.join(dir, "byok.json")], { env: { K: providerKey("global") } })
      expect(result.code).toBe(1)
      expect(result.stderr).toContain("workspaceId: no live global credential has this identity, and the API cannot create a global credential")
    }))
})

describe.concurrent("saved plans", () => {
  it.live("--out saves no key; apply --plan-file carries it out while nothing moved", () =>
    Effect.gen(function*() {
      const { run, writes } = yield* fakeServer({ seed: scenarioSeed })
      const { dir, file } = scenario()
      const saved = path.join(dir, "byok.plan")
      const plan = yield* run(["plan", "-f", file, "--prune", "--out", saved], { env: scenarioEnv })
      expect(plan.code).toBe(2)
      const text = fs.readFileSync(saved, "utf8")
      expectNoSecrets(text, "the saved plan")
      const json = JSON.parse(text)
      expect(Object.keys(json)).toEqual(["byokPlan", "source", "baseDir", "desired", "prune", "rotate", "scope", "liveDigest", "actions"])
      expect(json.desired.credentials[1].key).toEqual({ file: "keys/anthropic.txt" })
      expect(json.actions).toEqual(JSON.parse((yield* run(["plan", "-f", file, "--prune", "--format", "json"], { env: scenarioEnv })).stdout).actions)

      const flags = yield* run(["apply", "--plan-file", saved, "--prune", "--yes"], { env: scenarioEnv })
      expect(flags.stderr).toBe("UsageError: apply: --prune, --rotate, --provider and --workspace-id come from the saved plan; give them to byok plan\n")
      const applied = yield* run(["apply", "--plan-file", saved, "--yes"], { env: scenarioEnv })
      expect(applied.code).toBe(0)
      expect(applied.stdout).toMatch(/apply: 1 created, 1 updated, 1 rotated, 1 replaced, 1 deleted, 2 unchanged, 0 failed\n$/)
      expect((yield* writes).length).toBe(6)
    }))

  it.live("refused when the live state moved since the plan, or the plan would now differ", () =>
    Effect.gen(function*() {
      const { fake, run, writes } = yield* fakeServer({ seed: scenarioSeed })
      const { dir, file } = scenario()
      const saved = path.join(dir, "byok.plan")
      expect((yield* run(["plan", "-f", file, "--out", saved], { env: scenarioEnv })).code).toBe(2)

      // Someone disables a credential in scope meanwhile.
      expect((yield* run(["disable", fakeId(6), "--workspace-id", other])).code).toBe(0)
      yield* fake.clearRequests
      const moved = yield* run(["apply", "--plan-file", saved, "--yes"], { env: scenarioEnv })
      expect(moved).toEqual({
        code: 1,
        stdout: "",
        stderr: "PlanStale: the live credentials changed since the plan was saved; run byok plan again (nothing was sent)\n"
      })

      // A fresh plan, then the key behind a reference changes: the same live state, another plan.
      expect((yield* run(["plan", "-f", file, "--out", saved], { env: scenarioEnv })).code).toBe(2)
      const rekeyed = yield* run(["apply", "--plan-file", saved, "--yes"], { env: { ...scenarioEnv, OPENAI_KEY: providerKey("rekeyed") } })
      expect(rekeyed.code).toBe(1)
      expect(rekeyed.stderr).toBe(
        "PlanStale: the plan's actions differ from the saved ones (a key or the file changed); run byok plan again (nothing was sent)\n"
      )
      expect(yield* writes).toEqual([])
    }))
})

describe.concurrent("exit codes and adoption", () => {
  it.live("0 no changes, 2 changes, 3 unauthorized, 4 unavailable", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: scenarioSeed })
      const dir = folder({ "byok.json": { credentials: [entry("openai", other, "Staging", { env: "K" })] } })
      const file = path.join(dir, "byok.json")
      expect((yield* run(["plan", "-f", file], { env: { K: keys.staging } })).code).toBe(0)
      expect((yield* run(["plan", "-f", file], { env: { K: providerKey("other") } })).code).toBe(2)
      const unauthorized = yield* run(["plan", "-f", file], { env: { K: keys.staging, OPENROUTER_API_KEY: secret("sk-or-v1-wrong-plan-key-1f2e") } })
      expect(unauthorized).toEqual({ code: 3, stdout: "", stderr: "Unauthorized: Missing Authentication header\n" })
      yield* fake.injectFault(Fault.status(429, { headers: { "retry-after": "600" } }), { operation: "list" })
      const limited = yield* run(["plan", "-f", file], { env: { K: keys.staging } })
      expect(limited.code).toBe(4)
      expect(limited.stderr).toBe("RateLimited: Rate limit exceeded (retry after 10m)\n")
    }))

  it.live("export --format yaml writes a file that adopts the account: filled in, its plan has no changes", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: scenarioSeed })
      // One without a name, and a second openai Staging (in the default workspace): its variable gets a number.
      yield* fake.insert({ provider: "openai", name: null, secret: providerKey("unnamed") })
      yield* fake.insert({ provider: "openai", name: "Staging", secret: providerKey("staging-default") })
      expect((yield* run(["disable", fakeId(3)])).code).toBe(0)
      const exported = yield* run(["export", "--format", "yaml", "--workspace-id", defaultWorkspaceId, "--workspace-id", other])
      expect(exported.code).toBe(0)
      expect(exported.stderr).toBe(`export: left out ${fakeId(7)} (openai): a credential without a name cannot be matched by plan\n`)
      expect(exported.stdout).toContain([
        "version: 1",
        "credentials:",
        "  - provider: openai",
        `    workspaceId: ${defaultWorkspaceId}`,
        "    name: Production",
        "    key: { env: OPENAI_PRODUCTION_KEY }"
      ].join("\n"))
      expect(exported.stdout).toContain("    name: Old\n    key: { env: MISTRAL_OLD_KEY }\n    disabled: true\n")
      expect(exported.stdout).toContain("    workspaceId: null\n    name: Shared fallback\n")
      const names = [...exported.stdout.matchAll(/key: \{ env: (\w+) \}/g)].map((m) => m[1])
      expect(names).toEqual([
        "OPENAI_PRODUCTION_KEY",
        "ANTHROPIC_PRODUCTION_KEY",
        "MISTRAL_OLD_KEY",
        "GROQ_SHARED_FALLBACK_KEY",
        "OPENAI_STAGING_KEY",
        "DEEPSEEK_RESEARCH_KEY",
        "OPENAI_STAGING_KEY_2"
      ])
      const dir = folder({ "byok.yaml": exported.stdout })
      const env = {
        OPENAI_PRODUCTION_KEY: keys.prod,
        ANTHROPIC_PRODUCTION_KEY: keys.claude,
        MISTRAL_OLD_KEY: keys.old,
        GROQ_SHARED_FALLBACK_KEY: keys.shared,
        OPENAI_STAGING_KEY: providerKey("staging-default"),
        DEEPSEEK_RESEARCH_KEY: keys.research,
        OPENAI_STAGING_KEY_2: keys.staging
      }
      const plan = yield* run(["plan", "-f", path.join(dir, "byok.yaml")], { env })
      expect(plan.code).toBe(0)
      // The unnamed credential is in scope and not in the file: kept, and said so; --prune would delete it.
      expect(plan.stdout).toMatch(/\nNo changes: 7 unchanged, 1 not in the file \(kept\)\.\n$/)
      const pruning = yield* run(["plan", "-f", path.join(dir, "byok.yaml"), "--prune"], { env })
      expect(pruning.code).toBe(2)
      expect(pruning.stdout).toContain(`  -   delete    openai (no name) (${fakeId(7)})\n`)
    }))
})
