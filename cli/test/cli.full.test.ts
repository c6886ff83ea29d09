/**
 * The `byok` binary, full tier: every command and format, how keys are read, bulk selection
 * (refusal without --yes, unchanged, partial failure), each exit code, and the help of every
 * command. What needs a terminal (prompts, the progress line, table by default) is not covered here.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { CliOutput, Command, type HelpDoc } from "effect/cli"
import { defaultWorkspaceId, fakeId, Fault } from "../../effect4/src/testing.js"
import { byok, version } from "../src/commands.js"
import { demoWorkspaceId } from "../src/connection.js"
import { renderHelp } from "../src/help.js"
import {
  expectNoSecretsInAnyRun,
  fakeServer,
  jsonLines,
  managementKey,
  packageVersion,
  providerKey,
  runCli,
  secret,
  seed
} from "./support.js"

afterAll(expectNoSecretsInAnyRun)

const otherWorkspace = "3f2b8c4e-1d5a-4e7b-9c0d-2a6f8e1b7c35"

describe.concurrent("output formats", () => {
  it.live("csv: a header row, every field, RFC 4180 quoting, CRLF", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: seed(2) })
      yield* fake.insert({ provider: "openai", name: "Prod, \"eu\"\nwest", secret: providerKey("csv") })
      const result = yield* run(["list", "--format", "csv"])
      expect(result.code).toBe(0)
      const lines = result.stdout.split("\r\n")
      expect(lines[0]).toBe(
        "id,provider,workspaceId,label,name,disabled,isFallback,isRequired,isByokOnly,declaredZdr,allowedModels,allowedApiKeyHashes,allowedUserIds,sortOrder,createdAt"
      )
      expect(lines[1]).toBe(`${fakeId(1)},openai,${defaultWorkspaceId},sk-...${providerKey("seed-1").slice(-4)},Key 1,false,false,false,false,,,,,0,2025-08-24T10:30:00.000Z`)
      expect(lines[3]).toMatch(new RegExp(`^${fakeId(3)},openai,${defaultWorkspaceId},sk-\\.\\.\\.\\w{4},"Prod, ""eu""\nwest",false,`))
      expect(lines[4]).toBe("")
    }))

  it.live("table: aligned columns; a global credential's workspace reads 'global'", () =>
    Effect.gen(function*() {
      const { run } = yield* fakeServer({ seed: seed(3, (i) => ({ workspaceId: i === 2 ? null : defaultWorkspaceId, disabled: i === 1 })) })
      const result = yield* run(["list", "--format", "table"])
      expect(result.code).toBe(0)
      // Not a terminal, so nothing is cut: each column as wide as its widest cell.
      const widths = [36, 9, 36, 10, 5, 8]
      const line = (...cells: Array<string>) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()
      const label = (n: number) => `sk-...${providerKey(`seed-${n}`).slice(-4)}`
      expect(result.stdout).toBe([
        line("ID", "PROVIDER", "WORKSPACE", "LABEL", "NAME", "STATUS"),
        line(fakeId(1), "openai", defaultWorkspaceId, label(1), "Key 1", "enabled"),
        line(fakeId(2), "anthropic", defaultWorkspaceId, label(2), "Key 2", "disabled"),
        line(fakeId(3), "mistral", "global", label(3), "Key 3", "enabled"),
        ""
      ].join("\n"))
    }))

  it.live("jsonl with filters: the provider and workspace reach the server", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: seed(8, (i) => ({ workspaceId: i < 4 ? defaultWorkspaceId : otherWorkspace })) })
      const result = yield* run(["list", "--provider", "openai", "--workspace-id", otherWorkspace, "--format", "jsonl"])
      expect(result.code).toBe(0)
      expect(jsonLines(result.stdout).map((k) => [k.id, k.workspaceId])).toEqual([[fakeId(5), otherWorkspace]])
      const [request] = yield* fake.requests
      expect(request!.query).toMatchObject({ provider: "openai", workspace_id: otherWorkspace })
    }))

  it.live("get: one credential as a JSON object", () =>
    Effect.gen(function*() {
      const { run } = yield* fakeServer({ seed: seed(3) })
      const result = yield* run(["get", fakeId(2), "--format", "json"])
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({ id: fakeId(2), provider: "anthropic", name: "Key 2", createdAt: "2025-08-24T10:30:01.000Z" })
    }))

  it.live("export: every field of every workspace asked for, a global credential once", () =>
    Effect.gen(function*() {
      const { run } = yield* fakeServer({
        seed: seed(5, (i) => ({ workspaceId: i === 0 ? null : i < 3 ? defaultWorkspaceId : otherWorkspace }))
      })
      const result = yield* run(["export", "--workspace-id", defaultWorkspaceId, "--workspace-id", otherWorkspace])
      expect(result.code).toBe(0)
      const keys = JSON.parse(result.stdout)
      expect(keys.map((k: any) => k.id)).toEqual([1, 2, 3, 4, 5].map(fakeId))
      expect(Object.keys(keys[0])).toHaveLength(15)
    }))
})

describe.concurrent("provider keys: stdin, --key-env, never argv", () => {
  it.live("create with --key-env and every flag", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer()
      const key = providerKey("key-env")
      const result = yield* run(
        ["create", "--provider", "anthropic", "--name", "Fallback", "--workspace-id", otherWorkspace, "--disabled", "--fallback", "--key-env", "NEW_KEY", "--format", "jsonl"],
        { env: { NEW_KEY: key } }
      )
      expect(result.code).toBe(0)
      expect(jsonLines(result.stdout)[0]).toMatchObject({ provider: "anthropic", workspaceId: otherWorkspace, disabled: true, isFallback: true })
      const [request] = yield* fake.requests
      expect(request!.body).toEqual({
        provider: "anthropic",
        key: "<redacted>",
        name: "Fallback",
        workspace_id: otherWorkspace,
        disabled: true,
        is_fallback: true
      })
      const [stored] = yield* fake.credentials
      expect(Redacted.value(stored!.secret)).toBe(key)
    }))

  it.live("an empty key on stdin is a usage error and sends nothing", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer()
      const result = yield* run(["create", "--provider", "openai"], { input: "\n" })
      expect(result).toEqual({ code: 1, stdout: "", stderr: "UsageError: the provider key on stdin is empty; expected a key\n" })
      expect(yield* fake.requests).toEqual([])
    }))

  it.live("rotate sends the key from stdin as an update in place", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: seed(2) })
      const key = providerKey("rotated")
      const result = yield* run(["rotate", fakeId(2), "--format", "json"], { input: `${key}\r\n` })
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({ id: fakeId(2), label: `sk-...${key.slice(-4)}` })
      const requests = yield* fake.requests
      expect(requests.map((r) => [r.method, r.path, r.body])).toEqual([["PATCH", `/api/v1/byok/${fakeId(2)}`, { key: "<redacted>" }]])
      const [, stored] = yield* fake.credentials
      expect(Redacted.value(stored!.secret)).toBe(key)
    }))

  it.live("the management key can come from --api-key-file", () =>
    Effect.gen(function*() {
      const { baseUrl, fake } = yield* fakeServer({ seed: seed(1) })
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "byok-cli-"))
      const file = path.join(dir, "key")
      fs.writeFileSync(file, `${managementKey}\n`, { mode: 0o600 })
      const result = yield* runCli(["--api-key-file", file, "get", fakeId(1), "--format", "jsonl"], { env: { OPENROUTER_BASE_URL: baseUrl } })
      fs.rmSync(dir, { recursive: true })
      expect(result.code).toBe(0)
      expect((yield* fake.requests).map((r) => r.authorized)).toEqual([true])
    }))
})

describe.concurrent("bulk changes", () => {
  it.live("ids: an already-disabled key is unchanged and not sent; enable and delete by id", () =>
    Effect.gen(function*() {
      const { fake, run, writes } = yield* fakeServer({ seed: seed(4, (i) => ({ disabled: i === 1 })) })
      const disable = yield* run(["disable", fakeId(1), fakeId(2)])
      expect(disable.code).toBe(0)
      expect(disable.stdout).toContain(`unchanged ${fakeId(2)} (anthropic, Key 2): already disabled\n`)
      expect(disable.stdout).toContain(`disabled ${fakeId(1)} (openai, Key 1)\n`)
      expect(disable.stdout).toMatch(/disable: 1 changed, 1 unchanged, 0 failed\n$/)
      expect((yield* writes).map((r) => [r.method, r.path, r.body])).toEqual([["PATCH", `/api/v1/byok/${fakeId(1)}`, { disabled: true }]])

      const [enable, remove] = yield* Effect.all([run(["enable", fakeId(2)]), run(["delete", fakeId(3), fakeId(4), "--yes"])], { concurrency: 2 })
      expect(enable.code).toBe(0)
      expect(enable.stdout).toMatch(/enable: 1 changed, 0 unchanged, 0 failed\n$/)
      expect(remove.code).toBe(0)
      expect(remove.stdout).toMatch(/delete: 2 changed, 0 unchanged, 0 failed\n$/)
      const stored = yield* fake.credentials
      expect(stored.map((c) => [c.key.id, c.key.disabled])).toEqual([[fakeId(1), true], [fakeId(2), false]])
    }))

  it.live("a selection without --yes is refused when stdin is not a terminal, before any request", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: seed(4) })
      const result = yield* run(["delete", "--provider", "openai"], { input: "y\n" })
      expect(result.code).toBe(1)
      expect(result.stdout).toBe("")
      expect(result.stderr).toBe(
        "UsageError: delete: refusing to delete a selection without --yes when stdin is not a terminal (preview with --dry-run)\n"
      )
      expect(yield* fake.requests).toEqual([])
    }))

  it.live("--yes acts on every match of the filters over several pages; --workspace-id leaves global credentials alone", () =>
    Effect.gen(function*() {
      const { fake, run, writes } = yield* fakeServer({
        seed: seed(131, (i) => ({ workspaceId: i === 130 ? null : i % 2 === 0 ? otherWorkspace : defaultWorkspaceId }))
      })
      const result = yield* run(["disable", "--workspace-id", otherWorkspace, "--yes", "--concurrency", "8"])
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(
        /^skipped 1 global credential: not scoped to the workspace \(select with --provider alone\)\n(disabled .*\n){65}disable: 65 changed, 0 unchanged, 0 failed\n$/
      )
      expect((yield* writes).length).toBe(65)
      const stored = yield* fake.credentials
      expect(stored.filter((c) => c.key.disabled).map((c) => c.key.workspaceId)).toEqual(Array(65).fill(otherWorkspace))
    }))

  it.live("a partial failure: the others are done, the failed id is listed with its tag, exit 4", () =>
    Effect.gen(function*() {
      // The openai keys are 1, 5 (already disabled) and 9; every attempt to update 1 fails.
      const { fake, run } = yield* fakeServer({ seed: seed(12, (i) => ({ disabled: i === 4 })) })
      yield* fake.injectFault(Fault.status(500), { operation: "update", id: fakeId(1), times: 10 })
      const result = yield* run(["disable", "--provider", "openai", "--yes"])
      expect(result.code).toBe(4)
      expect(result.stdout).toContain(`unchanged ${fakeId(5)} (openai, Key 5): already disabled\n`)
      expect(result.stdout).toContain(`disabled ${fakeId(9)} (openai, Key 9)\n`)
      expect(result.stdout).toMatch(/disable: 1 changed, 1 unchanged, 1 failed\n$/)
      expect(result.stderr).toBe(
        `failed ${fakeId(1)}: InternalServer: Internal Server Error\nBulkFailed: 1 of 3 credentials failed\n`
      )
      // Retried as the library's policy says (4 attempts), then given up; the others were done.
      const updates = (yield* fake.requests).filter((r) => r.operation === "update")
      expect(updates.filter((r) => r.path.endsWith(fakeId(1)))).toHaveLength(4)
      expect((yield* fake.credentials).find((c) => c.key.id === fakeId(9))!.key.disabled).toBe(true)
    }))
})

describe.concurrent("exit codes", () => {
  it.live("3: a management key the server does not accept", () =>
    Effect.gen(function*() {
      const { run } = yield* fakeServer({ seed: seed(1) })
      const result = yield* run(["list"], { env: { OPENROUTER_API_KEY: secret("sk-or-v1-not-the-right-one-0c3e") } })
      expect(result).toEqual({ code: 3, stdout: "", stderr: "Unauthorized: Missing Authentication header\n" })
    }))

  it.live("1: a request the server rejects (BadRequest)", () =>
    Effect.gen(function*() {
      const { run } = yield* fakeServer({ seed: seed(1) })
      const result = yield* run(["list", "--provider", "no-such-provider"])
      expect(result).toEqual({ code: 1, stdout: "", stderr: "BadRequest: unknown provider: no-such-provider\n" })
    }))

  it.live("4: rate limited with a long Retry-After (not retried), with the request id", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: seed(1) })
      yield* fake.injectFault(Fault.status(429, { headers: { "retry-after": "600", "x-request-id": "req-42" } }), { operation: "get" })
      const result = yield* run(["get", fakeId(1)])
      expect(result.code).toBe(4)
      expect(result.stderr).toBe("RateLimited: Rate limit exceeded (retry after 10m) (request id: req-42)\n")
    }))

  it.live("1: the parser's own usage errors (unknown flag, missing argument), no management key, a bad --concurrency", () =>
    Effect.gen(function*() {
      const results = yield* Effect.all([
        runCli(["list", "--no-such-flag"]),
        runCli(["get"]),
        runCli(["list"]),
        runCli(["--fake", "enable", "--concurrency", "0", fakeId(1)])
      ], { concurrency: 2 })
      expect(results.map((r) => r.code)).toEqual([1, 1, 1, 1])
      expect(results[0]!.stderr).toContain("--no-such-flag")
      expect(results[1]!.stderr).toContain("Missing argument <id>")
      expect(results[2]!.stderr).toBe("UsageError: no management key: set OPENROUTER_API_KEY or pass --api-key-file (or use --fake)\n")
      expect(results[3]!.stderr).toBe("UsageError: --concurrency must be an integer from 1 to 32\n")
    }))
})

/** The help document `byok ...path --help` presents, taken in process from the parser. */
const helpDoc = (path: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const docs: Array<HelpDoc.HelpDoc> = []
    const capture = CliOutput.layerPresenter({
      present: (event) => Effect.sync(() => event._tag === "Help" && docs.push(event.helpDoc))
    })
    yield* Command.runWith(byok, { version })([...path, "--help"]).pipe(Effect.provide(capture))
    expect(docs, path.join(" ")).toHaveLength(1)
    return docs[0]!
  }).pipe(Effect.provide(NodeServices.layer))

const commandNames = byok.subcommands.flatMap((group) => group.commands).map((command) => command.name)

describe.concurrent("help, version and the demo data", () => {
  it.effect("every command's help has an example", () =>
    Effect.gen(function*() {
      expect([...commandNames].sort()).toEqual(["apply", "create", "delete", "disable", "enable", "export", "get", "list", "plan", "rotate"])
      for (const name of commandNames) {
        const text = renderHelp(yield* helpDoc([name]), false)
        expect(text, name).toMatch(new RegExp(`Example:\\n {2}\\$ .*byok ${name}`))
      }
      expect(renderHelp(yield* helpDoc([]), false)).toContain("Example:\n  $ ")
    }))

  it.effect("no option takes a key's value on the command line", () =>
    Effect.gen(function*() {
      const docs = yield* Effect.forEach([[], ...commandNames.map((name) => [name])], helpDoc)
      const text = docs.map((doc) => renderHelp(doc, false)).join("\n")
      expect(text).toContain("--key-env name")
      expect(text).not.toMatch(/--(api-)?key(?!-env|-file)/)
      expect(text).not.toMatch(/--(secret|token)/)
    }))

  it("the version is the package's", () => {
    expect(version).toBe(packageVersion)
  })

  it.live("--fake gives the demo data of both workspaces", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["--fake", "list", "--workspace-id", demoWorkspaceId, "--format", "jsonl"])
      expect(result.code).toBe(0)
      expect(jsonLines(result.stdout).map((k) => k.provider)).toEqual(["groq", "openai", "mistral", "deepseek"])
    }))
})
