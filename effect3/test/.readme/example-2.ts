import { FetchHttpClient } from "@effect/platform"
import { Config, Effect, Layer, Schedule } from "effect"
import { Byok } from "effect-openrouter-byok"

// Your own timing (the rule of which failures may be retried stays the library's):
const ByokLive = Byok.layerConfig({
  appTitle: Config.succeed("My dashboard"),
  retry: Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(5))),
  maxRetryAfter: "2 minutes"
}).pipe(Layer.provide(FetchHttpClient.layer))

const count = Effect.flatMap(Byok, (byok) => byok.list({ limit: 1 })).pipe(
  Effect.map((page) => page.totalCount),
  Effect.provide(ByokLive)
)

export {}
