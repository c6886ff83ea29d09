/**
 * Cold start of the Effect 3 line: import it and build the client layer over `FetchHttpClient`. The
 * transport comes from its own module path, not the `@effect/platform` barrel, so the figure shows
 * what this package adds rather than what the barrel does.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Layer, ManagedRuntime, Redacted } from "effect"
import { Byok } from "../../src/index.js"

const runtime = ManagedRuntime.make(
  Byok.layer({ apiKey: Redacted.make("sk-or-v1-cold-start"), baseUrl: "http://127.0.0.1:9/api/v1" }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )
)
await runtime.runPromise(Byok)
process.stdout.write(JSON.stringify({ ms: performance.now(), peakMiB: process.resourceUsage().maxRSS / 1024 }))
