/**
 * This library over a given transport: one `ManagedRuntime` over `Byok.layer` with default options
 * (no `maxConcurrentRequests`), the `Byok` service fetched once.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { Byok } from "../../src/index.js"
import { apiKey, type BenchClient, type ClientName } from "../clients.js"

export const makeOver = async (
  name: ClientName,
  transport: Layer.Layer<HttpClient.HttpClient>,
  baseUrl: string
): Promise<BenchClient> => {
  const runtime = ManagedRuntime.make(Byok.layer({ apiKey: Redacted.make(apiKey), baseUrl }).pipe(Layer.provide(transport)))
  const byok = await runtime.runPromise(Byok)
  return {
    name,
    get: (id) => runtime.runPromise(Effect.map(byok.get(id), (key) => key.id)),
    getAll: (ids, signal) =>
      runtime.runPromise(
        Effect.map(Effect.forEach(ids, byok.get, { concurrency: "unbounded" }), (keys) => keys.map((key) => key.id)),
        { signal }
      ),
    countAll: ({ concurrency, pageSize, signal }) =>
      runtime.runPromise(Stream.runCount(byok.stream({ pageSize, concurrency })), { signal }),
    dispose: () => runtime.dispose()
  }
}
