/** This library: one `ManagedRuntime` over `Byok.layer` and `FetchHttpClient.layer`, the `Byok` service fetched once. */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { Byok } from "../../src/index.js"
import { apiKey, type BenchClient } from "../clients.js"

export const make = async (baseUrl: string): Promise<BenchClient> => {
  const runtime = ManagedRuntime.make(
    Byok.layer({ apiKey: Redacted.make(apiKey), baseUrl }).pipe(Layer.provide(FetchHttpClient.layer))
  )
  const byok = await runtime.runPromise(Byok)
  return {
    name: "ours",
    get: (id) => runtime.runPromise(Effect.map(byok.get(id), (key) => key.id)),
    countAll: ({ concurrency, pageSize }) => runtime.runPromise(Stream.runCount(byok.stream({ pageSize, concurrency }))),
    dispose: () => runtime.dispose()
  }
}
