import { Effect, Layer } from "effect"
import type { ByokOptions } from "../src/index.js"
import { FakeByokApi, type FakeByokApiOptions } from "../src/testing.js"

/** A fresh in-memory fake and the real client over it, for one test. */
export const fakeClient = (options: { readonly client?: Partial<ByokOptions>; readonly fake?: FakeByokApiOptions } = {}) =>
  FakeByokApi.layerByok(options)

/** The requests the fake received for one operation. */
export const requestsOf = (operation: string) =>
  FakeByokApi.use((fake) => fake.requests).pipe(
    Effect.map((requests) => requests.filter((r) => r.operation === operation))
  )

/** How many requests the fake received in all. */
export const requestCount = FakeByokApi.use((fake) => Effect.map(fake.requests, (r) => r.length))

/** Provides a fake and client built for this effect alone, never shared through a memo map. */
export const provideFresh = (options?: Parameters<typeof fakeClient>[0]) =>
  <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, Layer.fresh(fakeClient(options)))
