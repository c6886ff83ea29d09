/**
 * A fake of the BYOK API with the real semantics (offset/limit/total_count, provider and workspace
 * filters, 404s, validation 400s, `{"deleted":true}`), for your tests and ours. It serves in memory
 * as an `HttpClient` layer (no socket), or over real HTTP on 127.0.0.1. It can inject faults per
 * route, and exposes the stored credentials and a log of the requests it received.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Byok, type ByokOptions } from "./Byok.js"
import type * as ByokError from "./ByokError.js"
import type { Operation } from "../../shared/src/endpoints.js"
import type * as internal from "../../shared/src/fake/fakeApi.js"
import * as Shared from "../../shared/src/fake/fakeApi.js"
import * as SharedFaults from "../../shared/src/fake/faults.js"
import { credentialsOf, makeFake, type StoredCredential } from "./internal/fake/fakeApi.js"
import { makeMemoryClient } from "./internal/fake/memoryClient.js"

export type {
  /**
   * Which requests a fault applies to: an operation, a credential id, how many times.
   *
   * @since 0.1.0
   * @category models
   */
  FaultOptions,
  /**
   * One request the fake received.
   *
   * @since 0.1.0
   * @category models
   */
  LoggedRequest,
  /**
   * A credential to seed the fake with.
   *
   * @since 0.1.0
   * @category models
   */
  SeedCredential
} from "../../shared/src/fake/fakeApi.js"

export type {
  /**
   * A stored credential and its raw key.
   *
   * @since 0.1.0
   * @category models
   */
  StoredCredential
} from "./internal/fake/fakeApi.js"

/**
 * A fault the fake acts out instead of (or after) answering normally. Build one with `Fault.*`.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = SharedFaults.Fault

export type {
  /**
   * The operation a fault or a logged request belongs to.
   *
   * @since 0.1.0
   * @category models
   */
  Operation
}

/**
 * Constructors of faults.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 * import { FakeByokApi, Fault } from "effect-openrouter-byok/testing"
 *
 * // The next create is stored, then answered 500: the client must not retry it, or it would store two
 * const test = Effect.gen(function*() {
 *   const byok = yield* Byok
 *   const fake = yield* FakeByokApi
 *   yield* fake.injectFault(Fault.status(500, { afterHandling: true }), { operation: "create" })
 *   const error = yield* Effect.flip(byok.create({ provider: "openai", key: Redacted.make("sk-test-key-0001") }))
 *   const stored = yield* fake.credentials
 *   console.log(error._tag, stored.length) // InternalServer 1
 * })
 *
 * Effect.runPromise(test.pipe(Effect.provide(FakeByokApi.layerByok())))
 * ```
 *
 * @since 0.1.0
 * @category faults
 */
export const Fault = {
  ...SharedFaults.faults,
  /** Wait, then answer normally. The wait uses the Clock, so `TestClock` drives it. */
  delay: (delay: Duration.DurationInput): Fault => SharedFaults.faults.delayMillis(Duration.toMillis(Duration.decode(delay))),
  /**
   * Never answer, and act on the request `after` it arrived, on the Clock (a create is stored
   * then), whether or not the client is still waiting: a server still working on a request its
   * client gave up on.
   */
  actLater: (after: Duration.DurationInput): Fault => SharedFaults.faults.actLaterMillis(Duration.toMillis(Duration.decode(after)))
} as const

/**
 * The fake's controls and state, as Effects.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Byok } from "effect-openrouter-byok"
 * import { FakeByokApi } from "effect-openrouter-byok/testing"
 *
 * // What did the client send? The fake logs every request it received
 * const test = Effect.gen(function*() {
 *   const byok = yield* Byok
 *   const fake = yield* FakeByokApi
 *   yield* byok.list({ provider: "groq", limit: 5 })
 *   const [request] = yield* fake.requests
 *   console.log(request?.operation, request?.query, request?.authorized) // list { limit: '5', provider: 'groq' } true
 * })
 *
 * Effect.runPromise(test.pipe(Effect.provide(FakeByokApi.layerByok())))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeByokApiService {
  /** The management key the fake accepts. */
  readonly apiKey: Redacted.Redacted<string>
  /** Stored credentials in store order, with their raw keys. */
  readonly credentials: Effect.Effect<ReadonlyArray<StoredCredential>>
  /** The requests received, oldest first (the latest 50,000 to 100,000 in a very long run). */
  readonly requests: Effect.Effect<ReadonlyArray<internal.LoggedRequest>>
  /** Forgets the request log. */
  readonly clearRequests: Effect.Effect<void>
  /** Applies `fault` to the next `times` (default 1) requests of `operation` (default: any), for credential `id` if given. */
  readonly injectFault: (fault: Fault, options?: internal.FaultOptions) => Effect.Effect<void>
  /** Drops faults not yet used. */
  readonly clearFaults: Effect.Effect<void>
  /** Stores a credential directly; returns its id. */
  readonly insert: (credential: internal.SeedCredential) => Effect.Effect<string>
  /** Deletes a credential directly, as another client would. */
  readonly remove: (id: string) => Effect.Effect<boolean>
  /** The underlying fake, for transports. */
  readonly unsafeFake: internal.FakeApi
}

/**
 * Options of the fake: how many generated credentials to start with (or the exact ones), and the
 * management key it accepts.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeByokApiOptions extends internal.FakeApiOptions {}

/**
 * The base URL the in-memory fake answers on. Nothing listens there: only the in-memory client reaches it.
 *
 * @since 0.1.0
 * @category constants
 */
export const memoryBaseUrl: string = Shared.memoryBaseUrl

/**
 * The fake's default workspace id: lists and creates without `workspaceId` use it.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultWorkspaceId: string = Shared.defaultWorkspaceId

/**
 * The id the fake gives its n-th credential (1-based), so tests can name ids in advance.
 *
 * @since 0.1.0
 * @category constants
 */
export const fakeId: (n: number) => string = Shared.fakeId

/**
 * The base URL of a running loopback fake server.
 *
 * @since 0.1.0
 * @category tags
 */
export class FakeByokServer extends Context.Tag("effect-openrouter-byok/testing/FakeByokServer")<
  FakeByokServer,
  { readonly baseUrl: string }
>() {}

const makeService = (options: FakeByokApiOptions = {}) =>
  Effect.sync((): FakeByokApiService => {
    const fake = makeFake(options)
    return {
      apiKey: Redacted.make(fake.apiKey),
      credentials: Effect.sync(() => credentialsOf(fake)),
      requests: Effect.sync(() => fake.requests()),
      clearRequests: Effect.sync(() => fake.clearRequests()),
      injectFault: (fault, opts) => Effect.sync(() => fake.injectFault(fault, opts)),
      clearFaults: Effect.sync(() => fake.clearFaults()),
      insert: (credential) =>
        Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) =>
          Effect.sync(() =>
            fake.insert({
              provider: credential.provider,
              name: credential.name ?? null,
              workspaceId: credential.workspaceId === undefined ? Shared.defaultWorkspaceId : credential.workspaceId,
              disabled: credential.disabled ?? false,
              secret: credential.secret ?? `sk-inserted-${now}`,
              createdAt: now
            })
          )),
      remove: (id) => Effect.sync(() => fake.remove(id)),
      unsafeFake: fake
    }
  })

/**
 * The fake API service.
 *
 * @since 0.1.0
 * @category tags
 */
export class FakeByokApi extends Context.Tag("effect-openrouter-byok/testing/FakeByokApi")<FakeByokApi, FakeByokApiService>() {
  /**
   * A fresh fake, seeded as `options` says. With `layerHttpClient`, your application's own `Byok`
   * layer is answered by it.
   *
   * @example
   * ```ts
   * import { ConfigProvider, Effect, Layer } from "effect"
   * import { Byok } from "effect-openrouter-byok"
   * import { FakeByokApi, memoryBaseUrl } from "effect-openrouter-byok/testing"
   *
   * // your app's own Byok.layerConfig, answered by the fake
   * const env = ConfigProvider.fromMap(
   *   new Map([
   *     ["OPENROUTER_API_KEY", "test-management-key"],
   *     ["OPENROUTER_BASE_URL", memoryBaseUrl]
   *   ])
   * )
   * const TestLayer = Byok.layerConfig().pipe(
   *   Layer.provide(FakeByokApi.layerHttpClient),
   *   Layer.provideMerge(FakeByokApi.layer({ seed: 2, apiKey: "test-management-key" })),
   *   Layer.provide(Layer.setConfigProvider(env))
   * )
   *
   * const count = Effect.flatMap(Byok, (byok) => byok.list()).pipe(Effect.map((page) => page.totalCount))
   * Effect.runPromise(count.pipe(Effect.provide(TestLayer))).then(console.log) // 2
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layer(options?: FakeByokApiOptions): Layer.Layer<FakeByokApi> {
    return Layer.effect(FakeByokApi, makeService(options))
  }

  /**
   * An `HttpClient` answered by the fake in memory.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerHttpClient: Layer.Layer<HttpClient.HttpClient, never, FakeByokApi> = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(FakeByokApi, (fake) => makeMemoryClient(fake.unsafeFake))
  )

  /**
   * The fake over real HTTP on 127.0.0.1 until the layer's scope closes; `port` 0 (default) picks a free one.
   *
   * @example
   * ```ts
   * import { FetchHttpClient } from "@effect/platform"
   * import { Effect, Layer } from "effect"
   * import { Byok } from "effect-openrouter-byok"
   * import { FakeByokApi, FakeByokServer } from "effect-openrouter-byok/testing"
   *
   * // the fake over real HTTP on 127.0.0.1 (a free port) until the layer's scope closes
   * const OverLoopback = Layer.unwrapEffect(
   *   Effect.gen(function*() {
   *     const fake = yield* FakeByokApi
   *     const server = yield* FakeByokServer
   *     return Byok.layer({ apiKey: fake.apiKey, baseUrl: server.baseUrl })
   *   })
   * ).pipe(
   *   Layer.provide(FetchHttpClient.layer),
   *   Layer.provideMerge(FakeByokApi.layerServer()),
   *   Layer.provideMerge(FakeByokApi.layer({ seed: 100 }))
   * )
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layerServer(
    options: { readonly port?: number } = {}
  ): Layer.Layer<FakeByokServer, HttpServerError.ServeError, FakeByokApi> {
    return Layer.scoped(
      FakeByokServer,
      Effect.gen(function*() {
        const fake = yield* FakeByokApi
        // Loaded here, not at the top: importing @effect/platform-node installs npm undici as the
        // process's global fetch dispatcher, which users of the in-memory fake never asked for.
        const { listen } = yield* Effect.promise(() => import("./internal/fake/nodeServer.js"))
        return { baseUrl: yield* listen(fake.unsafeFake, options.port) }
      })
    )
  }

  /**
   * The real `Byok` client over a fresh in-memory fake: what most tests want. `options` tune the
   * client (say `retry: false` or a `timeout`); `fake` seeds the fake.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Byok } from "effect-openrouter-byok"
   * import { FakeByokApi, fakeId } from "effect-openrouter-byok/testing"
   *
   * // the real client over a fresh in-memory fake, here with 3 seeded credentials
   * const TestLayer = FakeByokApi.layerByok({ fake: { seed: 3 }, client: { retry: false } })
   *
   * const test = Effect.gen(function*() {
   *   const byok = yield* Byok
   *   const fake = yield* FakeByokApi
   *   yield* byok.delete(fakeId(1))
   *   const left = yield* fake.credentials
   *   console.log(left.map((stored) => stored.key.provider)) // [ 'anthropic', 'google-vertex' ]
   * })
   *
   * Effect.runPromise(test.pipe(Effect.provide(TestLayer)))
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  static layerByok(
    options: { readonly client?: Partial<ByokOptions>; readonly fake?: FakeByokApiOptions } = {}
  ): Layer.Layer<Byok | FakeByokApi, ByokError.InvalidRequest> {
    return Layer.unwrapEffect(Effect.map(FakeByokApi, (fake) =>
      Byok.layer({ apiKey: fake.apiKey, baseUrl: memoryBaseUrl, ...options.client }).pipe(
        Layer.provide(FakeByokApi.layerHttpClient)
      ))).pipe(Layer.provideMerge(FakeByokApi.layer(options.fake)))
  }
}
