import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { fanOutGet } from "../examples/fanOutGet.js"
import { disableProvider, formatReport, KeyService } from "../examples/keyService.js"
import { formatTable, listWorkspace } from "../examples/listWorkspace.js"
import { rotateKey } from "../examples/rotateKey.js"
import { FakeByokApi, fakeId, Fault } from "../src/testing.js"
import { provideFresh, requestsOf } from "./support.js"

const otherWorkspace = "6f1c2b3a-9d8e-4f70-a1b2-c3d4e5f60718"

const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))

describe("examples/listWorkspace", () => {
  it.effect("reads every page of the workspace and nothing of another", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      yield* fake.insert({ provider: "openai", name: "Elsewhere", workspaceId: otherWorkspace })
      const keys = yield* listWorkspace()
      expect(keys.map((key) => key.id)).toEqual(Array.from({ length: 230 }, (_, i) => fakeId(i + 1)))
      // 230 keys at the default page size of 100
      expect((yield* requestsOf("list")).map((r) => r.query.offset)).toEqual(["0", "100", "200"])
      const elsewhere = yield* listWorkspace(otherWorkspace)
      expect(elsewhere.map((key) => key.name)).toEqual(["Elsewhere"])
    }).pipe(provideFresh({ fake: { seed: 230 } })))

  it.effect("prints aligned columns", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      yield* fake.insert({ provider: "amazon-bedrock", disabled: true, secret: "sk-bedrock-key-9999" })
      expect(formatTable(yield* listWorkspace())).toEqual([
        "ID                                    PROVIDER        LABEL       STATUS    CREATED     NAME",
        "00000000-0000-4000-8000-000000000001  openai          sk-...0001  enabled   2025-08-24  Seeded key 1",
        "00000000-0000-4000-8000-000000000002  anthropic       sk-...0002  enabled   2025-08-24  Seeded key 2",
        "00000000-0000-4000-8000-000000000003  amazon-bedrock  sk-...9999  disabled  1970-01-01"
      ])
    }).pipe(provideFresh({ fake: { seed: 2 } })))
})

describe("examples/rotateKey", () => {
  it.effect("rotates the key read from NEW_PROVIDER_KEY and returns the new label", () =>
    Effect.gen(function*() {
      const rotated = yield* rotateKey(fakeId(2)).pipe(withEnv({ NEW_PROVIDER_KEY: "sk-ant-rotated-key-4242" }))
      expect(rotated).toEqual({ id: fakeId(2), provider: "anthropic", label: "sk-...4242" })
      const stored = yield* FakeByokApi.use((fake) => fake.credentials)
      expect(Redacted.value(stored[1]!.secret)).toBe("sk-ant-rotated-key-4242")
    }).pipe(provideFresh({ fake: { seed: 3 } })))

  it.effect("without NEW_PROVIDER_KEY it fails naming the variable, and sends nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(rotateKey(fakeId(1)).pipe(withEnv({})))
      expect(error._tag).toBe("ConfigError")
      expect(String(error)).toContain("NEW_PROVIDER_KEY")
      expect(yield* requestsOf("update")).toEqual([])
    }).pipe(provideFresh({ fake: { seed: 1 } })))

  it.effect("an unknown id is NotFound", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(rotateKey(fakeId(9)).pipe(withEnv({ NEW_PROVIDER_KEY: "sk-new-0001" })))
      expect(error._tag).toBe("NotFound")
    }).pipe(provideFresh({ fake: { seed: 1 } })))
})

describe("examples/fanOutGet", () => {
  const known = Array.from({ length: 20 }, (_, i) => fakeId(i + 1))
  const unknown = [fakeId(101), fakeId(102), fakeId(103)]

  it.effect("sorts the ids into found and not found, in the order asked", () =>
    Effect.gen(function*() {
      const ids = [unknown[0]!, ...known.slice(0, 10), unknown[1]!, ...known.slice(10), unknown[2]!]
      const lookup = yield* fanOutGet(ids)
      expect(lookup.found.map((key) => key.id)).toEqual(known)
      expect(lookup.notFound).toEqual(unknown)
    }).pipe(provideFresh({ fake: { seed: 20 } })))

  it.effect("keeps at most 8 requests in flight", () =>
    Effect.gen(function*() {
      // Every answer takes a second on the TestClock, so each second lets exactly one batch through.
      yield* FakeByokApi.use((fake) => fake.injectFault(Fault.delay("1 second"), { operation: "get", times: 20 }))
      const sent = Effect.map(requestsOf("get"), (r) => r.length)
      const fiber = yield* Effect.forkChild(fanOutGet(known))
      yield* TestClock.adjust(0)
      expect(yield* sent).toBe(8)
      yield* TestClock.adjust("1 second")
      expect(yield* sent).toBe(16)
      yield* TestClock.adjust("1 second")
      expect(yield* sent).toBe(20)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).found).toHaveLength(20)
    }).pipe(provideFresh({ fake: { seed: 20 } })))

  it.effect("a failure other than NotFound fails the whole lookup", () =>
    Effect.gen(function*() {
      yield* FakeByokApi.use((fake) => fake.injectFault(Fault.status(401), { operation: "get", id: fakeId(5) }))
      const error = yield* Effect.flip(fanOutGet(known))
      expect(error._tag).toBe("Unauthorized")
    }).pipe(provideFresh({ fake: { seed: 20 } })))
})

describe("examples/keyService", () => {
  const seed = [
    { provider: "openai", name: "Production" },
    { provider: "anthropic", name: "Claude" },
    { provider: "openai", name: "Staging" },
    { provider: "openai", name: "Retired", disabled: true },
    { provider: "openai", name: "Batch jobs" }
  ]
  // The service over the real client over a fresh fake; a single 500 is final, so one fault is one failed update.
  const TestLayer = KeyService.layer.pipe(Layer.provideMerge(FakeByokApi.layerByok({ fake: { seed }, client: { retry: false } })))
  const disabledNames = FakeByokApi.use((fake) =>
    Effect.map(fake.credentials, (stored) => stored.filter((c) => c.key.disabled).map((c) => c.key.name)))

  it.effect("disables every enabled credential of the provider and reports what changed", () =>
    Effect.gen(function*() {
      const report = yield* disableProvider("openai")
      expect(report.disabled.map((key) => [key.name, key.disabled])).toEqual([
        ["Production", true],
        ["Staging", true],
        ["Batch jobs", true]
      ])
      expect(report.alreadyDisabled.map((key) => key.name)).toEqual(["Retired"])
      expect(report.failed).toEqual([])
      expect(yield* disabledNames).toEqual(["Production", "Staging", "Retired", "Batch jobs"])
      // the credential already disabled was not sent an update
      expect((yield* requestsOf("update")).map((r) => r.path)).not.toContain(`/api/v1/byok/${fakeId(4)}`)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("an update that fails with 500 is reported, and the others still change", () =>
    Effect.gen(function*() {
      const fake = yield* FakeByokApi
      yield* fake.injectFault(Fault.status(500), { operation: "update", id: fakeId(3) })
      const report = yield* disableProvider("openai")
      expect(report.disabled.map((key) => key.name)).toEqual(["Production", "Batch jobs"])
      expect(report.failed.map(({ error, key }) => [key.name, error._tag])).toEqual([["Staging", "InternalServer"]])
      expect(yield* disabledNames).toEqual(["Production", "Retired", "Batch jobs"])
      expect(formatReport(report)).toEqual([
        "openai: 2 disabled now, 1 already disabled, 1 failed",
        `  disabled  ${fakeId(1)}  sk-...0001  Production`,
        `  disabled  ${fakeId(5)}  sk-...0005  Batch jobs`,
        `  FAILED    ${fakeId(3)}  InternalServer: ${report.failed[0]!.error.message}`
      ])
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a provider with no credentials changes nothing", () =>
    Effect.gen(function*() {
      const report = yield* disableProvider("mistral")
      expect(report).toEqual({ provider: "mistral", disabled: [], alreadyDisabled: [], failed: [] })
      expect(yield* requestsOf("update")).toEqual([])
    }).pipe(Effect.provide(TestLayer)))
})
