import { Effect, Option } from "effect"
import { Byok } from "effect-openrouter-byok"

const findKey = (id: string) =>
  Effect.flatMap(Byok, (byok) => byok.get(id)).pipe(
    Effect.map(Option.some),
    Effect.catchTag("NotFound", () => Effect.succeed(Option.none()))
  )

export {}
