import { Effect, Layer } from "effect"
import type { ByokOptions } from "../src/index.js"
import { FakeByokApi, type FakeByokApiOptions } from "../src/testing.js"

/** The requests the fake received for one operation. */
export const requestsOf = (operation: string) =>
  Effect.map(FakeByokApi, (fake) => fake.requests).pipe(
    Effect.flatten,
    Effect.map((requests) => requests.filter((r) => r.operation === operation))
  )

/** Provides a fresh in-memory fake and the real client over it, built for this effect alone, never shared through a memo map. */
export const provideFresh = (options: { readonly client?: Partial<ByokOptions>; readonly fake?: FakeByokApiOptions } = {}) =>
  <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, Layer.fresh(FakeByokApi.layerByok(options)))
