/**
 * The `byok` binary, smoke tier: one run of each main path (the built-in fake, a multi-page listing,
 * a create reading its key from stdin and one recovered, a get in a workspace, a not-found exit code,
 * a dry run, a delete refused without --yes, help). The rest of the
 * behaviour is in `cli.full.test.ts`.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { defaultWorkspaceId, fakeId, Fault } from "../../effect4/src/testing.js"
import { expectNoSecretsInAnyRun, fakeServer, jsonLines, providerKey, runCli, seed } from "./support.js"

afterAll(expectNoSecretsInAnyRun)

describe.concurrent("byok (smoke)", () => {
  it.live("--fake lists the demo credentials as JSON, with no key and no server", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["--fake", "list", "--format", "json"])
      expect(result.code).toBe(0)
      const keys = JSON.parse(result.stdout)
      // The default workspace's four, and the global one.
      expect(keys.map((k: any) => k.provider)).toEqual(["openai", "anthropic", "google-vertex", "amazon-bedrock", "groq"])
      expect(keys[0]).toEqual({
        id: fakeId(1),
        provider: "openai",
        workspaceId: defaultWorkspaceId,
        label: "sk-...7f3a",
        name: "Production",
        disabled: false,
        isFallback: false,
        isRequired: false,
        isByokOnly: false,
        declaredZdr: null,
        allowedModels: null,
        allowedApiKeyHashes: null,
        allowedUserIds: null,
        sortOrder: 0,
        createdAt: "2025-08-24T10:30:00.000Z"
      })
      expect(keys[4].workspaceId).toBeNull()
    }))

  it.live("list reads every page and, piped, prints JSON Lines", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: seed(250) })
      const result = yield* run(["list"])
      expect(result.code).toBe(0)
      expect(result.stderr).toBe("")
      expect(jsonLines(result.stdout).map((k) => k.id)).toEqual(Array.from({ length: 250 }, (_, i) => fakeId(i + 1)))
      const requests = yield* fake.requests
      expect(requests.map((r) => r.query.offset)).toEqual(["0", "100", "200"])
      expect(requests.every((r) => r.authorized && r.headers["x-openrouter-title"] === "byok CLI")).toBe(true)
    }))

  it.live("create reads the provider key from stdin", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer()
      const key = providerKey("smoke-create")
      const result = yield* run(["create", "--provider", "openai", "--name", "Prod", "--format", "json"], { input: `${key}\n` })
      expect(result.code).toBe(0)
      const created = JSON.parse(result.stdout)
      expect(created).toMatchObject({ provider: "openai", name: "Prod", label: `sk-...${key.slice(-4)}` })
      const [stored] = yield* fake.credentials
      expect(Redacted.value(stored!.secret)).toBe(key)
    }))

  it.live("a missing credential exits 2 with one line on stderr", () =>
    Effect.gen(function*() {
      const { run } = yield* fakeServer()
      const result = yield* run(["get", fakeId(99)])
      expect(result).toEqual({ code: 2, stdout: "", stderr: "NotFound: Resource not found\n" })
    }))

  it.live("a bulk --dry-run reads the selection and sends no change", () =>
    Effect.gen(function*() {
      const { run, writes } = yield* fakeServer({ seed: seed(8, (i) => ({ disabled: i === 4 })) })
      const result = yield* run(["disable", "--provider", "openai", "--dry-run"])
      expect(result.code).toBe(0)
      expect(result.stdout.split("\n")).toEqual([
        `unchanged ${fakeId(5)} (openai, Key 5): already disabled`,
        `would disable ${fakeId(1)} (openai, Key 1)`,
        "disable (dry run, nothing sent): 1 would change, 1 unchanged, 0 failed",
        ""
      ])
      expect(yield* writes).toEqual([])
    }))

  it.live("delete by id without --yes and without a terminal sends nothing and exits 1", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer({ seed: seed(2) })
      const result = yield* run(["delete", fakeId(1)], { input: "y\n" })
      expect(result).toEqual({
        code: 1,
        stdout: "",
        stderr: "UsageError: delete: refusing to delete credentials without --yes when stdin is not a terminal (preview with --dry-run)\n"
      })
      expect(yield* fake.requests).toEqual([])
      expect((yield* fake.credentials).length).toBe(2)
    }))

  it.live("get looks a credential up in the workspace --workspace-id names; elsewhere it is not found", () =>
    Effect.gen(function*() {
      const other = "3f2b8c4e-1d5a-4e7b-9c0d-2a6f8e1b7c35"
      const { fake, run } = yield* fakeServer({ seed: seed(1, () => ({ workspaceId: other })) })
      const found = yield* run(["get", fakeId(1), "--workspace-id", other, "--format", "json"])
      expect(found.code).toBe(0)
      expect(JSON.parse(found.stdout)).toMatchObject({ id: fakeId(1), workspaceId: other })
      const elsewhere = yield* run(["get", fakeId(1)])
      expect(elsewhere).toEqual({ code: 2, stdout: "", stderr: "NotFound: Resource not found\n" })
      expect((yield* fake.requests).map((r) => r.query.workspace_id)).toEqual([other, undefined])
    }))

  it.live("a bulk change by id looks the ids up in --workspace-id; without it, one outside the default workspace is not found", () =>
    Effect.gen(function*() {
      const other = "3f2b8c4e-1d5a-4e7b-9c0d-2a6f8e1b7c35"
      const { fake, run, writes } = yield* fakeServer({ seed: seed(1, () => ({ workspaceId: other })) })
      const missed = yield* run(["disable", fakeId(1)])
      expect(missed.code).toBe(2)
      expect(missed.stderr).toBe(`failed ${fakeId(1)}: NotFound: Resource not found\nBulkFailed: 1 of 1 credential failed\n`)
      expect(yield* writes).toEqual([])
      const done = yield* run(["disable", fakeId(1), "--workspace-id", other])
      expect(done.code).toBe(0)
      expect(done.stdout).toMatch(/disable: 1 changed, 0 unchanged, 0 failed\n$/)
      expect((yield* fake.credentials).map((c) => c.key.disabled)).toEqual([true])
    }))

  it.live("a create whose answer is lost after it was stored ends with one credential, and says so on stderr", () =>
    Effect.gen(function*() {
      const { fake, run } = yield* fakeServer()
      // Retry-After: 0 sets the settle period, so the test does not wait the default 2 s.
      yield* fake.injectFault(Fault.status(500, { afterHandling: true, headers: { "retry-after": "0" } }), { operation: "create", times: 1 })
      const key = providerKey("smoke-recover")
      const result = yield* run(["create", "--provider", "openai", "--name", "Recovered", "--format", "json"], { input: `${key}\n` })
      expect(result.code).toBe(0)
      const stored = yield* fake.credentials
      expect(stored.length).toBe(1)
      expect(JSON.parse(result.stdout).id).toBe(stored[0]!.key.id)
      expect(result.stderr).toBe(`create: the answer was lost; found the credential it stored (${stored[0]!.key.id})\n`)
      expect((yield* fake.requests).map((r) => r.operation)).toEqual(["create", "list"])
    }))

  it.live("--help shows an example", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["list", "--help"])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("Example:\n  $ byok list")
    }))
})
