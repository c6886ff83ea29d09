/**
 * The BYOK client: a `Context.Tag` service whose operations are `Effect`s and `Stream`s with tagged
 * errors. Build it with `Byok.layer(options)` or `Byok.layerConfig()`; both need an
 * `HttpClient.HttpClient`, which the caller provides (`FetchHttpClient.layer`, a test fake, a proxy).
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { ByokKey, ByokKeyPage } from "./ByokKey.js"
import type * as ByokError from "./ByokError.js"
import type * as ByokInput from "./ByokInput.js"
import * as internal from "./internal/byokClient.js"

/**
 * The operations. Every input is validated before anything is sent; every failure is a tagged error
 * from `ByokError`, exactly the ones the contract declares for that operation plus the common ones.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 * import { FakeByokApi } from "effect-openrouter-byok/testing"
 *
 * // list: one page of OpenAI credentials in the default workspace
 * const firstPage = Effect.flatMap(Byok, (byok) => byok.list({ provider: "openai", limit: 10 }))
 *
 * const TestByok = FakeByokApi.layerByok({ fake: { seed: 9 } })
 * Effect.runPromise(Effect.provide(firstPage, TestByok)).then((page) => console.log(page.data.map((key) => key.label)))
 * // [ 'sk-...0001', 'sk-...0009' ]
 * ```
 *
 * @example
 * ```ts
 * import { Console, Effect, Stream } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 * import { FakeByokApi } from "effect-openrouter-byok/testing"
 *
 * // pages: progress as each page arrives
 * const progress = Effect.flatMap(Byok, (byok) =>
 *   Stream.runForEach(byok.pages({ pageSize: 100 }), (page) =>
 *     Console.log(`${page.offset + page.data.length} of ${page.totalCount}`)
 *   )
 * )
 *
 * const TestByok = FakeByokApi.layerByok({ fake: { seed: 250 } })
 * Effect.runPromise(Effect.provide(progress, TestByok))
 * // 100 of 250, 200 of 250, 250 of 250
 * ```
 *
 * @example
 * ```ts
 * import { Chunk, Effect, Stream } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 * import { FakeByokApi } from "effect-openrouter-byok/testing"
 *
 * // stream: every disabled credential, however many pages it takes
 * const disabled = Effect.flatMap(Byok, (byok) =>
 *   byok.stream().pipe(
 *     Stream.filter((key) => key.disabled),
 *     Stream.map((key) => key.id),
 *     Stream.runCollect
 *   )
 * )
 *
 * const TestByok = FakeByokApi.layerByok({ fake: { seed: 20 } })
 * Effect.runPromise(Effect.provide(disabled, TestByok)).then((ids) => console.log(Chunk.toReadonlyArray(ids)))
 * // [ '00000000-0000-4000-8000-000000000007', '00000000-0000-4000-8000-00000000000e' ]
 * ```
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 * import { FakeByokApi, fakeId } from "effect-openrouter-byok/testing"
 *
 * // get: a credential by id, or None when there is no such credential
 * const find = (id: string) =>
 *   Effect.flatMap(Byok, (byok) => byok.get(id)).pipe(
 *     Effect.map(Option.some),
 *     Effect.catchTag("NotFound", () => Effect.succeedNone)
 *   )
 *
 * const TestByok = FakeByokApi.layerByok({ fake: { seed: 1 } })
 * Effect.runPromise(Effect.provide(find(fakeId(2)), TestByok)).then((key) => console.log(Option.isNone(key)))
 * // true
 * ```
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 * import { FakeByokApi } from "effect-openrouter-byok/testing"
 *
 * // create: store a provider key; only its masked label ever comes back
 * const store = (key: Redacted.Redacted) =>
 *   Effect.flatMap(Byok, (byok) => byok.create({ provider: "openai", key, name: "Production" }))
 *
 * const TestByok = FakeByokApi.layerByok()
 * Effect.runPromise(Effect.provide(store(Redacted.make("sk-proj-example-7f3a")), TestByok)).then((created) =>
 *   console.log(created.label)
 * )
 * // sk-...7f3a
 * ```
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 * import { FakeByokApi, fakeId } from "effect-openrouter-byok/testing"
 *
 * // update: rotate a key in place; then disable the credential and clear its name
 * const rotate = (id: string, key: Redacted.Redacted) => Effect.flatMap(Byok, (byok) => byok.update(id, { key }))
 * const retire = (id: string) => Effect.flatMap(Byok, (byok) => byok.update(id, { disabled: true, name: null }))
 *
 * const program = Effect.zipRight(rotate(fakeId(1), Redacted.make("sk-rotated-0042")), retire(fakeId(1)))
 * const TestByok = FakeByokApi.layerByok({ fake: { seed: 1 } })
 * Effect.runPromise(Effect.provide(program, TestByok)).then((key) => console.log(key.label, key.disabled, key.name))
 * // sk-...0042 true null
 * ```
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 * import { FakeByokApi, fakeId } from "effect-openrouter-byok/testing"
 *
 * // delete: make sure a credential is gone, whether or not it was still there
 * const ensureDeleted = (id: string) =>
 *   Effect.flatMap(Byok, (byok) => byok.delete(id)).pipe(Effect.catchTag("NotFound", () => Effect.void))
 *
 * const TestByok = FakeByokApi.layerByok({ fake: { seed: 1 } })
 * Effect.runPromise(Effect.provide(Effect.zipRight(ensureDeleted(fakeId(1)), ensureDeleted(fakeId(1))), TestByok))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ByokService {
  /** One page of credentials, filtered by provider and workspace. */
  readonly list: (options?: ByokInput.ListByokKeys) => Effect.Effect<ByokKeyPage, ByokError.ListError>
  /** Every page, lazily: a page is fetched when the consumer pulls past the previous one. */
  readonly pages: (options?: ByokInput.StreamByokKeys) => Stream.Stream<ByokKeyPage, ByokError.ListError>
  /** Every credential, lazily, in the server's order. */
  readonly stream: (options?: ByokInput.StreamByokKeys) => Stream.Stream<ByokKey, ByokError.ListError>
  /**
   * One credential by id (a UUID), in the account's default workspace or the one `workspaceId`
   * names; global credentials are found from either.
   */
  readonly get: (id: string, options?: ByokInput.GetByokKey) => Effect.Effect<ByokKey, ByokError.GetError>
  /**
   * Stores a new provider key; it is never retried unless the server certainly did not act. With
   * `{ recover: true }`, a create whose outcome is unknown ends with exactly one credential or a
   * `CreateOutcomeUnknown` naming the candidates (see `CreateOptions`).
   */
  readonly create: {
    (input: ByokInput.CreateByokKey): Effect.Effect<ByokKey, ByokError.CreateError>
    (input: ByokInput.CreateByokKey, options: CreateOptions): Effect.Effect<ByokKey, ByokError.RecoveringCreateError>
  }
  /** Changes a credential; `key` rotates it in place, `null` clears a field, absent leaves it. */
  readonly update: (id: string, input: ByokInput.UpdateByokKey) => Effect.Effect<ByokKey, ByokError.UpdateError>
  /** Deletes a credential; succeeds only when the server confirms `{"deleted": true}`. */
  readonly delete: (id: string) => Effect.Effect<void, ByokError.DeleteError>
}

/**
 * Options of `Byok.create`.
 *
 * With `recover`, a create whose attempt ended ambiguously (sent, but no definite answer: a 500,
 * 502, 503 or 504, a timeout after sending, a reset, a body that broke off) is settled rather than
 * failed: the client waits a settle period (the server's `Retry-After` when it sent one no longer
 * than `maxRetryAfter`), lists the provider's credentials in the workspace, and keeps the one the
 * create could have made (same provider, workspace, name and settings sent, created no earlier
 * than the attempt's start less the clock-skew allowance, a `label` not certainly another key's).
 * None: it sends the create again, looks once more after the settle period, and deletes the first
 * attempt's credential if it appeared meanwhile. More than one, or one whose label cannot tell
 * (it shows neither end of a key): `CreateOutcomeUnknown`. It never guesses.
 *
 * @example
 * ```ts
 * import { Console, Effect, Redacted } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 *
 * // A provisioning job that must end with exactly one credential, and says how it got there
 * const provision = (key: Redacted.Redacted) =>
 *   Effect.flatMap(Byok, (byok) =>
 *     byok.create({ provider: "openai", key, name: "Production" }, {
 *       recover: {
 *         onRecovery: (recovery) => Console.error(`create ${recovery._tag}: ${recovery.key.id}`)
 *       }
 *     })
 *   )
 * ```
 *
 * @since 1.0.0
 * @category models
 */
export interface CreateOptions {
  /** Settle an ambiguous outcome (`true` for the defaults); off unless given. */
  readonly recover?: boolean | RecoverOptions | undefined
}

/**
 * How a create's unknown outcome is settled.
 *
 * @since 1.0.0
 * @category models
 */
export interface RecoverOptions {
  /** How long to let the server finish before looking; default 2 seconds. */
  readonly settle?: Duration.DurationInput | undefined
  /** How far behind the client's clock the server's `created_at` may be; default 5 minutes. */
  readonly clockSkew?: Duration.DurationInput | undefined
  /** Told how the outcome was settled, when it took recovery to settle it. */
  readonly onRecovery?: ((recovery: CreateRecovery) => Effect.Effect<void>) | undefined
}

/**
 * How recovery settled a create: the credential the first attempt stored was found; or none was,
 * and the create was sent again; or it was sent again and the first attempt's credential appeared
 * meanwhile, and was removed (`removed` is its id). `key` is the credential the create returns.
 *
 * @since 1.0.0
 * @category models
 */
export type CreateRecovery =
  | { readonly _tag: "Recovered"; readonly key: ByokKey }
  | { readonly _tag: "Retried"; readonly key: ByokKey }
  | { readonly _tag: "DuplicateRemoved"; readonly key: ByokKey; readonly removed: string }

/**
 * Options of `Byok.layer` and `Byok.make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ByokOptions {
  /** A management API key. Sent only as the bearer token; never printed. */
  readonly apiKey: Redacted.Redacted<string>
  /** Default `https://openrouter.ai/api/v1`. Plain `http://` is refused unless the host is loopback. */
  readonly baseUrl?: string | undefined
  /** Sent as `HTTP-Referer`: your app's URL. */
  readonly appUrl?: string | undefined
  /** Sent as `X-OpenRouter-Title`: your app's display name. */
  readonly appTitle?: string | undefined
  /** Sent as `X-OpenRouter-Categories`, comma-separated. */
  readonly appCategories?: string | ReadonlyArray<string> | undefined
  /**
   * The retry timing (default `RetryPolicy.defaultSchedule`), or `false` for none. Which failures
   * are retried stays `RetryPolicy.isRetryable`'s rule.
   */
  readonly retry?: Schedule.Schedule<unknown, ByokError.ByokError> | false | undefined
  /**
   * The longest `Retry-After` the client waits out before retrying; default 60 seconds. A server
   * that asks for longer gets no retry: the call fails at once with the error, `retryAfter` on it.
   */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /** Per attempt; default 30 seconds. A request past it fails with `TransportError` (`Timeout`). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Applied once to the injected HttpClient, e.g. to add a header or a proxy rule. */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  /** Attempts in flight at once through this client (default 32); more wait their turn. */
  readonly maxConcurrentRequests?: number | undefined
  /**
   * Keep `@effect/platform`'s own `http.client` span (and its trace-context headers) under each
   * `Byok.*` span. Off by default: the `Byok.*` span already carries method, path and status.
   */
  readonly httpClientSpans?: boolean | undefined
}

/** Builds the service from the `HttpClient` in context; `Byok.make` publishes it. */
const make = (options: ByokOptions): Effect.Effect<ByokService, ByokError.InvalidRequest, HttpClient.HttpClient> =>
  Effect.flatMap(
    Effect.zip(HttpClient.HttpClient, Effect.serviceOption(FetchHttpClient.RequestInit)),
    ([client, requestInit]) => internal.make(client, options, Option.getOrElse(requestInit, () => ({})))
  )

/**
 * The BYOK client service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Byok extends Context.Tag("effect-openrouter-byok/Byok")<Byok, ByokService>() {
  /**
   * Builds the service from the `HttpClient` in context, for callers who assemble their own layer.
   * A `FetchHttpClient.RequestInit` in the same context (a dispatcher, say) is kept for every
   * request, with `redirect: "manual"`: the API never redirects, and a 3XX becomes `ApiError`.
   * All per-client work (headers, the bearer token, decoders, retry schedules) happens here, once.
   *
   * @example
   * ```ts
   * import { FetchHttpClient } from "@effect/platform"
   * import { Config, Context, Effect, Layer } from "effect"
   * import { Byok, type ByokService } from "effect-openrouter-byok"
   *
   * // a second account's client beside the default one, under a tag of your own
   * class StagingByok extends Context.Tag("StagingByok")<StagingByok, ByokService>() {}
   *
   * const StagingByokLive = Layer.effect(
   *   StagingByok,
   *   Effect.flatMap(Config.redacted("STAGING_OPENROUTER_API_KEY"), (apiKey) => Byok.make({ apiKey }))
   * ).pipe(Layer.provide(FetchHttpClient.layer))
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static make(options: ByokOptions): Effect.Effect<ByokService, ByokError.InvalidRequest, HttpClient.HttpClient> {
    return make(options)
  }

  /**
   * A layer from explicit options. Fails with `InvalidRequest` if the options are unusable (an
   * `http://` base URL to a remote host, a header value with a line break).
   *
   * @example
   * ```ts
   * import { FetchHttpClient } from "@effect/platform"
   * import { Layer, Redacted, Schedule } from "effect"
   * import { Byok } from "effect-openrouter-byok"
   *
   * // explicit options, here a key from your own secret store and timings of your own
   * const makeByokLive = (apiKey: Redacted.Redacted) =>
   *   Byok.layer({
   *     apiKey,
   *     appTitle: "Key dashboard",
   *     timeout: "10 seconds",
   *     retry: Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(5)))
   *   }).pipe(Layer.provide(FetchHttpClient.layer))
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layer(options: ByokOptions): Layer.Layer<Byok, ByokError.InvalidRequest, HttpClient.HttpClient> {
    return Layer.effect(Byok, make(options))
  }

  /**
   * A layer from `Config`: `OPENROUTER_API_KEY` (required, redacted), `OPENROUTER_BASE_URL`,
   * `OPENROUTER_APP_URL`, `OPENROUTER_APP_TITLE`, `OPENROUTER_APP_CATEGORIES`, `OPENROUTER_TIMEOUT`
   * (a duration such as `10 seconds`). Each can be replaced by another `Config`; `retry` and
   * `transformClient` are passed as values.
   *
   * @example
   * ```ts
   * import { FetchHttpClient } from "@effect/platform"
   * import { Effect, Layer } from "effect"
   * import { Byok } from "effect-openrouter-byok"
   *
   * // the key from OPENROUTER_API_KEY (the other OPENROUTER_* variables are optional), over fetch
   * const ByokLive = Byok.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
   *
   * const firstPage = Effect.flatMap(Byok, (byok) => byok.list({ limit: 10 })).pipe(Effect.provide(ByokLive))
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layerConfig(
    options: LayerConfigOptions = {}
  ): Layer.Layer<Byok, ByokError.InvalidRequest | ConfigError.ConfigError, HttpClient.HttpClient> {
    return Layer.effect(
      Byok,
      Effect.flatMap(
        Config.all({
          apiKey: options.apiKey ?? Config.redacted("OPENROUTER_API_KEY"),
          baseUrl: options.baseUrl ?? Config.string("OPENROUTER_BASE_URL").pipe(Config.withDefault(internal.defaultBaseUrl)),
          appUrl: Config.option(options.appUrl ?? Config.string("OPENROUTER_APP_URL")),
          appTitle: Config.option(options.appTitle ?? Config.string("OPENROUTER_APP_TITLE")),
          appCategories: Config.option(options.appCategories ?? Config.string("OPENROUTER_APP_CATEGORIES")),
          timeout: Config.option(options.timeout ?? Config.duration("OPENROUTER_TIMEOUT"))
        }),
        (config) =>
          make({
            apiKey: config.apiKey,
            baseUrl: config.baseUrl,
            appUrl: Option.getOrUndefined(config.appUrl),
            appTitle: Option.getOrUndefined(config.appTitle),
            appCategories: Option.getOrUndefined(config.appCategories),
            timeout: Option.getOrUndefined(config.timeout),
            retry: options.retry,
            maxRetryAfter: options.maxRetryAfter,
            transformClient: options.transformClient,
            maxConcurrentRequests: options.maxConcurrentRequests,
            httpClientSpans: options.httpClientSpans
          })
      )
    )
  }
}

/**
 * Options of `Byok.layerConfig`: a `Config` for each setting read from the environment, and the
 * settings that are values rather than configuration.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerConfigOptions {
  readonly apiKey?: Config.Config<Redacted.Redacted<string>>
  readonly baseUrl?: Config.Config<string>
  readonly appUrl?: Config.Config<string>
  readonly appTitle?: Config.Config<string>
  readonly appCategories?: Config.Config<string>
  readonly timeout?: Config.Config<Duration.Duration>
  readonly retry?: ByokOptions["retry"]
  readonly maxRetryAfter?: ByokOptions["maxRetryAfter"]
  readonly transformClient?: ByokOptions["transformClient"]
  readonly maxConcurrentRequests?: ByokOptions["maxConcurrentRequests"]
  readonly httpClientSpans?: ByokOptions["httpClientSpans"]
}
