/**
 * `byok plan` / `byok apply`, fast tier: the plan computation in process (every kind of action,
 * the refusals that avoid guessing, `--rotate`), the file's checks (every kind of bad input, one
 * line each, never quoting a key), and one round trip of the built binary against a loopback fake:
 * plan, apply, plan again with nothing to do. The rest is in `plan.full.test.ts`.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Result } from "effect"
import { ByokKey } from "../../effect4/src/index.js"
import { defaultWorkspaceId, fakeId } from "../../effect4/src/testing.js"
import { label } from "../../shared/src/fake/fakeApi.js"
import { decodeDesired, type DesiredEntry } from "../src/desiredState.js"
import { computePlan, type PlannedEntry, renderPlan, resolveRotate, scopeOfEntries } from "../src/plan.js"
import { expectNoSecrets, expectNoSecretsInAnyRun, fakeServer, providerKey, secret } from "./support.js"

afterAll(expectNoSecretsInAnyRun)

const other = "3f2b8c4e-1d5a-4e7b-9c0d-2a6f8e1b7c35"

/** A live credential as the API returns it; its label is the fake's mask of `secret`. */
const live = (n: number, fields: Partial<ConstructorParameters<typeof ByokKey>[0]> & { readonly secret?: string }): ByokKey => {
  const { secret: key = providerKey(`live-${n}`), ...rest } = fields
  return new ByokKey({
    id: fakeId(n),
    provider: "openai",
    workspaceId: defaultWorkspaceId,
    label: label(key),
    name: `Key ${n}`,
    disabled: false,
    isFallback: false,
    isRequired: false,
    isByokOnly: false,
    declaredZdr: null,
    allowedModels: null,
    allowedApiKeyHashes: null,
    allowedUserIds: null,
    sortOrder: 0,
    createdAt: new Date("2025-08-24T10:30:00Z"),
    ...rest
  })
}

const entry = (fields: Partial<DesiredEntry>): DesiredEntry => ({
  provider: "openai",
  workspaceId: defaultWorkspaceId,
  name: "Key",
  key: { env: "UNUSED" },
  ...fields
})

const planned = (entries: ReadonlyArray<readonly [DesiredEntry, string]>): Array<PlannedEntry> =>
  entries.map(([entry, key], index) => ({ index, entry, key: Redacted.make(key) }))

describe("the plan computation", () => {
  it("every kind of action, in the file's order, then what the file does not name", () => {
    const entries = planned([
      [entry({ name: "Key 1" }), providerKey("live-1")], // same key, same settings: unchanged
      [entry({ name: "Key 2", disabled: true, allowedModels: ["b/m", "a/m"] }), providerKey("live-2")], // update
      [entry({ name: "Key 3" }), providerKey("new-3")], // the label is another key's: rotate
      [entry({ name: "Key 4", workspaceId: other }), providerKey("live-4")], // moved workspace: replace
      [entry({ name: "Key 9" }), providerKey("new-9")] // create
    ])
    const result = computePlan({
      entries,
      live: [
        live(1, {}),
        live(2, { allowedModels: ["a/m", "b/m"] }),
        live(3, {}),
        live(4, {}),
        live(5, { provider: "openai" }),
        live(6, { name: null })
      ],
      prune: true,
      rotate: new Set()
    })
    const actions = Result.getOrThrow(result)
    expect(actions.map((a) => [a.action, "id" in a ? a.id : undefined])).toEqual([
      ["unchanged", fakeId(1)],
      ["update", fakeId(2)],
      ["rotate", fakeId(3)],
      ["replace", undefined],
      ["create", undefined],
      ["delete", fakeId(5)],
      ["delete", fakeId(6)]
    ])
    // An allowlist is a set: written in another order it is no change.
    expect(actions[1]).toMatchObject({ changes: [{ field: "disabled", from: false, to: true }], keyCheck: "consistent" })
    expect(actions[2]).toMatchObject({ reason: "label", keyCheck: "different", changes: [] })
    expect(actions[3]).toMatchObject({
      replaces: { id: fakeId(4) },
      changes: [{ field: "workspaceId", from: defaultWorkspaceId, to: other }]
    })
    // Without --prune, kept.
    const kept = Result.getOrThrow(computePlan({ entries, live: [live(5, {})], prune: false, rotate: new Set() }))
    expect(kept.at(-1)).toMatchObject({ action: "keep", id: fakeId(5) })
  })

  it("several live credentials with one identity, and a global one to create, are problems; nothing is guessed", () => {
    const result = computePlan({
      entries: planned([[entry({ name: "Twin" }), providerKey("a")], [entry({ name: "New", workspaceId: null }), providerKey("b")]]),
      live: [live(1, { name: "Twin" }), live(2, { name: "Twin" })],
      prune: true,
      rotate: new Set()
    })
    expect(Result.isFailure(result) && result.failure.map((p) => p.entry)).toEqual([0, 1])
    expect(Result.isFailure(result) && result.failure[0]!.message).toContain(`2 live credentials have this identity (${fakeId(1)}, ${fakeId(2)})`)
  })

  it("a replacement needs exactly one candidate; two entries claiming one credential both create", () => {
    const result = computePlan({
      entries: planned([
        [entry({ name: "Moved", provider: "anthropic" }), providerKey("a")],
        [entry({ name: "Moved", provider: "mistral" }), providerKey("b")]
      ]),
      live: [live(1, { name: "Moved" })],
      prune: false,
      rotate: new Set()
    })
    expect(Result.getOrThrow(result).map((a) => a.action)).toEqual(["create", "create", "keep"])
  })

  it("a label that cannot tell is unchanged and says how to send the key; --rotate sends it", () => {
    const shortKey = secret("short1")
    const entries = planned([[entry({ name: "Shared fallback", workspaceId: null, provider: "groq" }), providerKey("any")]])
    const liveKeys = [live(1, { name: "Shared fallback", workspaceId: null, provider: "groq", secret: shortKey })]
    const unchanged = Result.getOrThrow(computePlan({ entries, live: liveKeys, prune: false, rotate: new Set() }))
    expect(unchanged[0]).toMatchObject({ action: "unchanged", keyCheck: "cannot tell" })
    const text = renderPlan(unchanged, scopeOfEntries(entries.map((p) => p.entry)), () => "Shared fallback")
    expect(text).toEqual([
      "global",
      `  =   unchanged groq "Shared fallback" (${fakeId(1)})`,
      "        key: cannot tell from the label whether it is this key (--rotate \"Shared fallback\" sends it)",
      "",
      "No changes: 1 unchanged."
    ])
    const forced = Result.getOrThrow(computePlan({ entries, live: liveKeys, prune: false, rotate: new Set([0]) }))
    expect(forced[0]).toMatchObject({ action: "rotate", reason: "forced", keyCheck: "cannot tell" })
  })

  it("--rotate: a name, PROVIDER/NAME when the name is shared, WORKSPACE/PROVIDER/NAME when that is too", () => {
    const entries = [
      entry({ name: "Production" }),
      entry({ name: "Production", provider: "anthropic" }),
      entry({ name: "Production", provider: "anthropic", workspaceId: other }),
      entry({ name: "Staging" })
    ]
    expect(resolveRotate(["Staging", "openai/Production", `${other}/anthropic/Production`], entries)).toEqual(Result.succeed(new Set([3, 0, 2])))
    const refused = resolveRotate(["Production", "Nope"], entries)
    expect(Result.isFailure(refused) && refused.failure).toEqual([
      `--rotate "Production" names 3 entries; name one as "openai/Production" or "${defaultWorkspaceId}/anthropic/Production" or "${other}/anthropic/Production"`,
      "--rotate \"Nope\" names no entry of the file"
    ])
  })
})

describe("the file's checks", () => {
  const literal = secret("sk-live-LITERAL-in-the-file-0b7d")
  const problems = (raw: unknown) => {
    const result = decodeDesired(raw, "byok.yaml")
    return Result.isFailure(result) ? result.failure : []
  }
  const valid = { provider: "openai", workspaceId: defaultWorkspaceId, name: "Production", key: { env: "OPENAI_KEY" } }

  it("a valid file decodes; left-out settings stay left out; a workspace in capitals is the same workspace", () => {
    expect(Result.getOrThrow(decodeDesired({ version: 1, credentials: [valid] }, "byok.yaml")).credentials).toEqual([valid])
    const capitals = { ...valid, workspaceId: defaultWorkspaceId.toUpperCase() }
    expect(Result.getOrThrow(decodeDesired({ credentials: [capitals] }, "byok.yaml")).credentials).toEqual([valid])
  })

  it("one line per problem, naming the entry by index and identity and the field; a literal key never quoted", () => {
    const lines = problems({
      credentials: [
        { ...valid, key: literal, colour: "blue" },
        { ...valid, name: "Other", workspaceId: "not-a-uuid", allowedApiKeyHashes: ["abc"] },
        { ...valid, name: "Both", isFallback: true, isByokOnly: true },
        { ...valid },
        { ...valid, name: "Cmd", key: { command: [] } }
      ]
    })
    const who = `(openai "Production" in ${defaultWorkspaceId})`
    expect(lines).toEqual([
      `byok.yaml: credentials[0] ${who}: colour: unknown field`,
      `byok.yaml: credentials[0] ${who}: key: a literal key is not accepted; give a reference: { env: NAME }, { file: PATH } or { command: [PROGRAM, ARGS...] }`,
      "byok.yaml: credentials[1] (openai \"Other\" in not-a-uuid): workspaceId: expected a UUID",
      "byok.yaml: credentials[1] (openai \"Other\" in not-a-uuid): allowedApiKeyHashes[0]: an API key hash is 64 lowercase hex characters",
      `byok.yaml: credentials[4] (openai "Cmd" in ${defaultWorkspaceId}): key.command: a command reference needs at least the program`
    ])
    expectNoSecrets(lines.join("\n"), "the problems")
    // The rules across fields and the duplicates are checked once every field is of its type.
    expect(problems({ credentials: [{ ...valid, isFallback: true, isByokOnly: true }, valid] })).toEqual([
      `byok.yaml: credentials[0] ${who}: isByokOnly: isFallback and isByokOnly cannot both be true`,
      `byok.yaml: credentials[1] ${who}: the same provider, workspace and name as credentials[0]`
    ])
  })

  it("workspaceId is required (null for a global credential), and so is a reference", () => {
    const { key: _, workspaceId: __, ...bare } = valid
    expect(problems({ credentials: [bare], extra: 1 })).toEqual([
      "byok.yaml: extra: unknown field",
      "byok.yaml: credentials[0]: workspaceId: required",
      "byok.yaml: credentials[0]: key: required: { env: NAME }, { file: PATH } or { command: [PROGRAM, ARGS...] }"
    ])
  })
})

describe("the binary", () => {
  it.live("plan shows the changes (exit 2), apply --yes makes them, the next plan has none (exit 0); without --yes off a terminal, refused", () =>
    Effect.gen(function*() {
      const { fake, run, writes } = yield* fakeServer({
        seed: [{ provider: "openai", name: "Production", secret: providerKey("plan-prod") }, { provider: "mistral", name: "Old", secret: providerKey("plan-old") }]
      })
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "byok-plan-"))
      const file = path.join(dir, "byok.json")
      fs.writeFileSync(file, JSON.stringify({
        version: 1,
        credentials: [
          { provider: "openai", workspaceId: defaultWorkspaceId, name: "Production", disabled: true, key: { env: "OPENAI_KEY" } },
          { provider: "mistral", workspaceId: defaultWorkspaceId, name: "New", key: { file: "mistral.txt" } }
        ]
      }))
      fs.writeFileSync(path.join(dir, "mistral.txt"), `${providerKey("plan-new")}\n`)
      const env = { OPENAI_KEY: providerKey("plan-prod") }

      const refused = yield* run(["apply", "-f", file], { env })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toBe("UsageError: apply: refusing to apply without --yes when stdin is not a terminal (review with byok plan)\n")
      expect(yield* fake.requests).toEqual([])

      const before = yield* run(["plan", "-f", file, "--prune"], { env })
      expect(before.code).toBe(2)
      expect(before.stderr).toBe("")
      expect(before.stdout).toBe([
        `workspace ${defaultWorkspaceId}`,
        `  ~   update    openai "Production" (${fakeId(1)})`,
        "        disabled: false → true",
        "  +   create    mistral \"New\"",
        `  -   delete    mistral "Old" (${fakeId(2)})`,
        "",
        "Plan: 1 to create, 1 to update, 0 to rotate, 0 to replace, 1 to delete, 0 unchanged.",
        ""
      ].join("\n"))

      const applied = yield* run(["apply", "-f", file, "--prune", "--yes"], { env })
      expect(applied.code).toBe(0)
      expect(applied.stdout).toContain(`updated ${fakeId(1)} (openai, Production)\ncreated ${fakeId(3)} (mistral, New)\ndeleted ${fakeId(2)} (mistral, Old)\n`)
      expect(applied.stdout).toMatch(/apply: 1 created, 1 updated, 0 rotated, 0 replaced, 1 deleted, 0 unchanged, 0 failed\n$/)
      // The update and the create go together; the delete only after them.
      const sent = (yield* writes).map((r) => r.method)
      expect([...sent.slice(0, 2)].sort()).toEqual(["PATCH", "POST"])
      expect(sent.slice(2)).toEqual(["DELETE"])

      const after = yield* run(["plan", "-f", file, "--prune"], { env })
      fs.rmSync(dir, { recursive: true })
      expect(after.code).toBe(0)
      expect(after.stdout).toMatch(/\nNo changes: 2 unchanged\.\n$/)
    }))
})
