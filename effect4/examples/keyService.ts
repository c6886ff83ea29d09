/**
 * A service of your own built on `Byok`: disable every credential of a provider (say, after a
 * provider incident) and report what changed.
 *
 *   OPENROUTER_API_KEY=sk-or-... npx tsx examples/keyService.ts <provider>
 *
 * The service depends on `Byok` only through its layer, so its tests run it over the in-memory
 * fake (see test/examples.test.ts) and your application over the real API.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Context, Effect, Layer, Result, Stream } from "effect"
import { pathToFileURL } from "node:url"
import { Byok, type ByokError, type ByokKey } from "../src/index.js"

/** What `disableProvider` did, credential by credential, in the order the API lists them. */
export interface DisableReport {
  readonly provider: string
  /** Disabled now, as the API answered after the change. */
  readonly disabled: ReadonlyArray<ByokKey>
  /** Disabled before: left alone. */
  readonly alreadyDisabled: ReadonlyArray<ByokKey>
  /** Still enabled: the update failed, with the error it failed with. */
  readonly failed: ReadonlyArray<{ readonly key: ByokKey; readonly error: ByokError.UpdateError }>
}

/** Key management for operators, on top of `Byok`. */
export class KeyService extends Context.Service<KeyService, {
  /** Disables every credential of `provider`; a failed update is reported, not fatal, so the others still get disabled. */
  readonly disableProvider: (provider: string) => Effect.Effect<DisableReport, ByokError.ListError>
}>()("examples/KeyService") {
  /** The service over whichever `Byok` the application provides. */
  static readonly layer = Layer.effect(
    KeyService,
    Effect.map(Effect.service(Byok), (byok) =>
      KeyService.of({
        disableProvider: (provider) =>
          Effect.gen(function*() {
            const keys = yield* Stream.runCollect(byok.stream({ provider }))
            const enabled = keys.filter((key) => !key.disabled)
            const outcomes = yield* Effect.forEach(
              enabled,
              (key) => Effect.result(byok.update(key.id, { disabled: true })),
              { concurrency: 4 }
            )
            return {
              provider,
              disabled: outcomes.flatMap((outcome) => Result.isSuccess(outcome) ? [outcome.success] : []),
              alreadyDisabled: keys.filter((key) => key.disabled),
              failed: outcomes.flatMap((outcome, i) => Result.isFailure(outcome) ? [{ key: enabled[i]!, error: outcome.failure }] : [])
            }
          })
      }))
  )
}

/** The program: disable every credential of `provider` through `KeyService`. */
export const disableProvider = (provider: string): Effect.Effect<DisableReport, ByokError.ListError, KeyService> =>
  KeyService.use((service) => service.disableProvider(provider))

/** The report as lines for a terminal. */
export const formatReport = (report: DisableReport): ReadonlyArray<string> => [
  `${report.provider}: ${report.disabled.length} disabled now, ${report.alreadyDisabled.length} already disabled, ${report.failed.length} failed`,
  ...report.disabled.map((key) => `  disabled  ${key.id}  ${key.label}  ${key.name ?? ""}`.trimEnd()),
  ...report.failed.map(({ error, key }) => `  FAILED    ${key.id}  ${error._tag}: ${error.message}`)
]

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const provider = process.argv[2]
  if (provider === undefined) {
    console.error("usage: npx tsx examples/keyService.ts <provider>   (disables every credential of that provider)")
    process.exitCode = 2
  } else {
    disableProvider(provider).pipe(
      Effect.flatMap((report) => Console.log(formatReport(report).join("\n"))),
      Effect.provide(KeyService.layer),
      Effect.provide(Byok.layerConfig()),
      Effect.provide(NodeHttpClient.layerUndici),
      NodeRuntime.runMain
    )
  }
}
