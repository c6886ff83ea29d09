/**
 * Cold start of the Effect 3 line over undici: import it and build the client layer over
 * `NodeHttpClient.layerUndici`, from its own module path, not the `@effect/platform-node` barrel.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Layer, ManagedRuntime, Redacted } from "effect"
import { Byok } from "../../src/index.js"

const runtime = ManagedRuntime.make(
  Byok.layer({ apiKey: Redacted.make("sk-or-v1-cold-start"), baseUrl: "http://127.0.0.1:9/api/v1" }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
)
await runtime.runPromise(Byok)
process.stdout.write(JSON.stringify({ ms: performance.now(), peakMiB: process.resourceUsage().maxRSS / 1024 }))
