/**
 * Looks up many credentials at once, a bounded number in flight, and sorts them into found and
 * not found.
 *
 *   OPENROUTER_API_KEY=sk-or-... npx tsx examples/fanOutGet.ts <credential-id>...
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Option } from "effect"
import { pathToFileURL } from "node:url"
import { Byok, type ByokError, type ByokKey } from "../src/index.js"

/** The credentials that exist, and the ids that do not, each in the order asked. */
export interface Lookup {
  readonly found: ReadonlyArray<ByokKey>
  readonly notFound: ReadonlyArray<string>
}

/**
 * Gets every id, at most `concurrency` (default 8) at once. A missing id is an answer; any other
 * failure (a bad key, an outage that outlasted the retries) fails the whole lookup and stops the
 * requests still in flight, since it says nothing about one id in particular.
 */
export const fanOutGet = (
  ids: ReadonlyArray<string>,
  options: { readonly concurrency?: number } = {}
): Effect.Effect<Lookup, ByokError.GetError, Byok> =>
  Effect.gen(function*() {
    const byok = yield* Byok
    const answers = yield* Effect.forEach(
      ids,
      (id) => byok.get(id).pipe(Effect.asSome, Effect.catchTag("NotFound", () => Effect.succeedNone)),
      { concurrency: options.concurrency ?? 8 }
    )
    return {
      found: answers.flatMap(Option.toArray),
      notFound: ids.filter((_, i) => Option.isNone(answers[i]!))
    }
  })

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  fanOutGet(process.argv.slice(2)).pipe(
    Effect.flatMap(({ found, notFound }) =>
      Console.log([
        `found ${found.length}:`,
        ...found.map((key) => `  ${key.id}  ${key.provider}  ${key.label}  ${key.name ?? ""}`),
        `not found ${notFound.length}:`,
        ...notFound.map((id) => `  ${id}`)
      ].join("\n"))
    ),
    Effect.provide(Byok.layerConfig()),
    Effect.provide(NodeHttpClient.layerUndici),
    NodeRuntime.runMain
  )
}
