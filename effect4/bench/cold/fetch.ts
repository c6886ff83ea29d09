/**
 * Cold start of the Effect 4 line: import it and build the client layer over `FetchHttpClient`,
 * taken from `effect/http` as the library itself takes it.
 */
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { Byok } from "../../src/index.js"

const runtime = ManagedRuntime.make(
  Byok.layer({ apiKey: Redacted.make("sk-or-v1-cold-start"), baseUrl: "http://127.0.0.1:9/api/v1" }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )
)
await runtime.runPromise(Effect.service(Byok))
process.stdout.write(JSON.stringify({ ms: performance.now(), peakMiB: process.resourceUsage().maxRSS / 1024 }))
