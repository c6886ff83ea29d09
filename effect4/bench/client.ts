/**
 * The Effect 4 line over a given transport, as a bench client: one `ManagedRuntime` over
 * `Byok.layer` with default options (no `maxConcurrentRequests`), the `Byok` service fetched once.
 * Built into effect4/.bench-tmp/, whose `effect` and `@effect/platform-node` resolve from the root's
 * node_modules (the workspace's hoisted install); `checkLine` fails the process if they do not.
 */
// By module path, as the library imports them: the `effect` barrel would load modules the library does not.
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { HttpClient } from "effect/http"
import { apiKey, type BenchClient, checkLine, type LineClient } from "../../bench/clients.js"
import { Byok } from "../src/index.js"
import { ListResponse } from "../src/internal/endpoints.js"

/** As the request pipeline decodes a body. */
const decodePage = Schema.decodeUnknownResult(ListResponse)

export const makeOver = async (
  name: LineClient,
  transport: Layer.Layer<HttpClient.HttpClient>,
  baseUrl: string
): Promise<BenchClient> => {
  checkLine("effect4", import.meta.url)
  const runtime = ManagedRuntime.make(Byok.layer({ apiKey: Redacted.make(apiKey), baseUrl }).pipe(Layer.provide(transport)))
  const byok = await runtime.runPromise(Effect.service(Byok))
  return {
    name,
    get: (id) => runtime.runPromise(Effect.map(byok.get(id), (key) => key.id)),
    getAll: (ids, signal) =>
      runtime.runPromise(
        Effect.map(Effect.forEach(ids, (id) => byok.get(id), { concurrency: "unbounded" }), (keys) => keys.map((key) => key.id)),
        { signal }
      ),
    countAll: ({ concurrency, pageSize, signal }) =>
      runtime.runPromise(Stream.runCount(byok.stream({ pageSize, concurrency })), { signal }),
    decoder: async (text, pageSize) => {
      const json: unknown = JSON.parse(text)
      return () => {
        const page = decodePage(json)
        if (Result.isFailure(page) || page.success.data.length !== pageSize) throw new Error(`${name}: decode failed`)
        return page
      }
    },
    dispose: () => runtime.dispose()
  }
}
