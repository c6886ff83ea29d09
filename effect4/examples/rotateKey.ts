/**
 * Rotates one credential: the provider key is replaced in place, and the API answers with the
 * new masked label.
 *
 *   OPENROUTER_API_KEY=sk-or-... NEW_PROVIDER_KEY=sk-... npx tsx examples/rotateKey.ts <credential-id>
 *
 * The new key comes from the environment rather than the command line, where shell history and
 * process listings would keep it.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Config, Console, Effect, type Redacted } from "effect"
import { pathToFileURL } from "node:url"
import { Byok, type ByokError } from "../src/index.js"

/** What a rotation changed: the credential and the label of its new key. */
export interface Rotated {
  readonly id: string
  readonly provider: string
  readonly label: string
}

/** Replaces the provider key of credential `id` with `newKey` (by default `NEW_PROVIDER_KEY` from the environment). */
export const rotateKey = (
  id: string,
  newKey: Config.Config<Redacted.Redacted<string>> = Config.Redacted("NEW_PROVIDER_KEY")
): Effect.Effect<Rotated, ByokError.UpdateError | Config.ConfigError, Byok> =>
  Effect.gen(function*() {
    const key = yield* newKey
    const byok = yield* Byok
    const updated = yield* byok.update(id, { key })
    return { id: updated.id, provider: updated.provider, label: updated.label }
  })

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const id = process.argv[2]
  if (id === undefined) {
    console.error("usage: npx tsx examples/rotateKey.ts <credential-id>   (the new key in NEW_PROVIDER_KEY)")
    process.exitCode = 2
  } else {
    rotateKey(id).pipe(
      Effect.flatMap((rotated) => Console.log(`Rotated ${rotated.id} (${rotated.provider}): the key is now ${rotated.label}`)),
      Effect.provide(Byok.layerConfig()),
      Effect.provide(NodeHttpClient.layerUndici),
      NodeRuntime.runMain
    )
  }
}
