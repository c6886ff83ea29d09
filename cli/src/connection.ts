/**
 * The `Byok` layer a command runs against, from the connection options: the real API over undici
 * (management key from the environment or a file, base URL from a flag or the environment), or,
 * with `--fake`, a fresh in-memory fake seeded with demo credentials.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Byok, type ByokError } from "../../effect4/src/index.js"
import { FakeByokApi, type SeedCredential } from "../../effect4/src/testing.js"
import { UsageError } from "./errors.js"
import { readManagementKey } from "./secretInput.js"

/** The options every command shares, given before the command name. */
export interface ConnectionOptions {
  readonly fake: boolean
  readonly baseUrl: Option.Option<string>
  readonly apiKeyFile: Option.Option<string>
}

/** The `X-OpenRouter-Title` the CLI sends, so its requests are recognisable in OpenRouter's logs. */
export const appTitle = "byok CLI"

/** The second workspace of the demo data (the first is the fake's default workspace). */
export const demoWorkspaceId = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

/**
 * What `--fake` starts with: eight credentials over seven providers: four in the fake's default
 * workspace, three in a second one, and one global (listed with every workspace). The secrets
 * exist only inside the fake.
 */
export const demoCredentials: ReadonlyArray<SeedCredential> = [
  { provider: "openai", name: "Production", secret: "sk-demo-openai-prod-7f3a" },
  { provider: "anthropic", name: "Production", secret: "sk-demo-anthropic-prod-91c2" },
  { provider: "google-vertex", name: "Batch jobs", disabled: true, secret: "sk-demo-vertex-batch-0b5e" },
  { provider: "amazon-bedrock", name: "Legacy", disabled: true, secret: "sk-demo-bedrock-legacy-4d17" },
  { provider: "groq", name: "Shared fallback", workspaceId: null, secret: "sk-demo-groq-shared-e820" },
  { provider: "openai", name: "Staging", workspaceId: demoWorkspaceId, secret: "sk-demo-openai-staging-3a9c" },
  { provider: "mistral", name: "Staging", workspaceId: demoWorkspaceId, secret: "sk-demo-mistral-staging-66d1" },
  { provider: "deepseek", name: "Research", workspaceId: demoWorkspaceId, secret: "sk-demo-deepseek-research-c4f0" }
]

/** undici 8, the HTTP client for the real API, needs Node 22.19 or later; `--fake` runs on any Node. */
const undiciNeedsNode = [22, 19] as const

const checkNodeVersion = Effect.suspend(() => {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)
  return major > undiciNeedsNode[0] || (major === undiciNeedsNode[0] && minor >= undiciNeedsNode[1])
    ? Effect.void
    : Effect.fail(new UsageError({ message: `the real API needs Node ${undiciNeedsNode.join(".")} or later; this is Node ${process.versions.node} (--fake runs on it)` }))
})

/**
 * The `Byok` service for one run, as the connection options say. With `--fake` the management key,
 * `--base-url` and the environment are not read.
 */
export const byokLayer = (
  options: ConnectionOptions
): Layer.Layer<Byok, UsageError | ByokError.InvalidRequest, FileSystem.FileSystem> => {
  if (options.fake) {
    return FakeByokApi.layerByok({ fake: { seed: demoCredentials }, client: { appTitle } })
  }
  return Layer.unwrap(
    Effect.gen(function*() {
      yield* checkNodeVersion
      const apiKey = yield* readManagementKey(options.apiKeyFile)
      const baseUrl = Option.isSome(options.baseUrl)
        ? options.baseUrl
        : yield* Config.option(Config.String("OPENROUTER_BASE_URL")).pipe(
          Effect.mapError(() => new UsageError({ message: "OPENROUTER_BASE_URL cannot be read" }))
        )
      // Loaded only here: undici is much of the start-up time, and `--fake` and `--help` never need it.
      const NodeHttpClient = yield* Effect.promise(() => import("@effect/platform-node/NodeHttpClient"))
      return Byok.layer({ apiKey, baseUrl: Option.getOrUndefined(baseUrl), appTitle }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
    })
  )
}
