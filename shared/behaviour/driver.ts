/**
 * How the behaviour description reaches a line: each line implements `Driver` in its own test
 * suite (`effect3/test/driver.ts`, `effect4/test/driver.ts`), in its own Effect idiom, and the
 * shared suites (`shared/behaviour/suites/`) run against it. Everything that crosses this boundary
 * is plain data, so the suites need neither Effect nor vitest: they use `node:assert`.
 */
import type { FakeApi, FakeApiOptions } from "../src/fake/fakeApi.js"
import type { ContractModel } from "./libraryModel.js"

/** A secret the driver wraps in its line's `Redacted` before handing it to the library. */
export class Secret {
  constructor(readonly value: string) {}
}

/** Marks `value` as a secret: the driver passes it as a `Redacted`. */
export const secret = (value: string): Secret => new Secret(value)

/** One operation call. Inputs are passed as given (a `Secret` becomes a `Redacted`), so invalid ones can be tried too. */
export type Call =
  | { readonly op: "list"; readonly options?: unknown }
  /** Every key; `take` stops after that many; `onKey` runs as each key is emitted, before the next is pulled. */
  | {
    readonly op: "stream"
    readonly options?: unknown
    readonly take?: number
    readonly onKey?: (key: PlainKey) => void | Promise<void>
  }
  /** Every page; `onPage` runs as each page is emitted, before the next is pulled. */
  | { readonly op: "pages"; readonly options?: unknown; readonly onPage?: (page: PlainPage) => void | Promise<void> }
  | { readonly op: "get"; readonly id: unknown; readonly options?: unknown }
  /** `options` as `create` takes them; with `recover`, the driver adds an `onRecovery` that fills `Outcome.recoveries`. */
  | { readonly op: "create"; readonly input: unknown; readonly options?: unknown }
  | { readonly op: "update"; readonly id: unknown; readonly input: unknown }
  | { readonly op: "delete"; readonly id: unknown }
  /** Each call in turn, all inside one span named `span`; the value is each call's exit, in order. */
  | { readonly op: "sequence"; readonly span: string; readonly calls: ReadonlyArray<Call> }

/** The retry timing as data (left out: the library's default): none, or a schedule the driver builds. */
export type RetrySpec =
  | false
  | { readonly recurs: number }
  | { readonly spacedMillis: number; readonly recurs: number }

/** The client's options, as plain values. */
export interface ClientOptions {
  /** Default: the fake's management key. A plain string is passed unwrapped, to try that. */
  readonly apiKey?: Secret | string
  /** Default: the session fake's base URL. */
  readonly baseUrl?: string
  readonly appUrl?: string
  readonly appTitle?: string
  readonly appCategories?: string | ReadonlyArray<string>
  readonly retry?: RetrySpec
  readonly timeoutMillis?: number
  readonly maxRetryAfterMillis?: number
  readonly maxConcurrentRequests?: number
  readonly httpClientSpans?: boolean
  /** A header the caller's `transformClient` sets on every request, as a proxy rule might. */
  readonly requestHeader?: readonly [name: string, value: string]
}

/** Where the client's requests go. */
export type Transport =
  /** The fake's in-memory `HttpClient`: no socket. */
  | "memory"
  /** The platform's fetch client, to `baseUrl` (the fake on 127.0.0.1 unless the options say otherwise). */
  | "fetch"
  /** `@effect/platform-node`'s undici client, likewise. */
  | "undici"

/** A session: one fake, one client of the line, one clock. */
export interface SessionOptions {
  readonly fake: FakeApi
  /** Default `memory`. For `fetch` and `undici`, the fake is served on 127.0.0.1 for the session. */
  readonly transport?: Transport
  /** `test` (default): the line's `TestClock`, starting at 0 unless `startMillis`. `live`: real time. */
  readonly clock?: "test" | "live"
  readonly startMillis?: number
  readonly client?: ClientOptions
  /** The values `Random` gives, in turn, for the retry jitter; default the line's own random. */
  readonly random?: ReadonlyArray<number>
  /**
   * Export the session's spans through the line's OpenTelemetry bridge (`@effect/opentelemetry`'s
   * `NodeSdk`) to an in-memory exporter, instead of recording them on `Outcome.spans`.
   */
  readonly telemetry?: boolean
  /** Called as each response arrives. */
  readonly onResponse?: () => void
}

/** An error as plain data: its tag, every field (`retryAfter` as milliseconds), and what it is. */
export interface PlainError {
  readonly _tag: string
  readonly message: string
  /** An `Error`, and one of this library's error classes (`isByokError`). */
  readonly isError: boolean
  readonly isByokError: boolean
  readonly [field: string]: unknown
}

/** A credential as plain data: the CLI's JSON shape, `createdAt` as ISO 8601. */
export interface PlainKey {
  readonly id: string
  readonly provider: string
  readonly workspaceId: string | null
  readonly label: string
  readonly name: string | null
  readonly disabled: boolean
  readonly isFallback: boolean
  readonly isRequired: boolean
  readonly isByokOnly: boolean
  readonly declaredZdr: boolean | null
  readonly allowedModels: ReadonlyArray<string> | null
  readonly allowedApiKeyHashes: ReadonlyArray<string> | null
  readonly allowedUserIds: ReadonlyArray<string> | null
  readonly sortOrder: number
  readonly createdAt: string
}

/** A page as plain data. */
export interface PlainPage {
  readonly data: ReadonlyArray<PlainKey>
  readonly totalCount: number
  readonly offset: number
  readonly limit: number
}

/** A span the call produced, as plain data. */
export interface PlainSpan {
  readonly name: string
  readonly kind: string
  /** The name of the parent span, when it has one. */
  readonly parent: string | undefined
  readonly attributes: Readonly<Record<string, unknown>>
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }>
  /** Whether the span ended in failure. */
  readonly failed: boolean
}

/**
 * How a call ended. `value`: a `PlainKey` (get, create, update), a `PlainPage` (list), an array of
 * keys (stream) or pages (pages), `null` (delete).
 */
export type Exit =
  | { readonly _tag: "Success"; readonly value: unknown }
  | {
    readonly _tag: "Failure"
    readonly error: PlainError
    /** Whether `error` is the cause's only failure, with no defect and no interruption beside it. */
    readonly only: boolean
  }
  | { readonly _tag: "Defect"; readonly message: string }
  | { readonly _tag: "Interrupted" }

/** How a create's recovery settled it, as its `onRecovery` was told. */
export interface PlainRecovery {
  readonly _tag: "Recovered" | "Retried" | "DuplicateRemoved"
  readonly keyId: string
  readonly removed?: string
}

/** Everything a call produced. */
export interface Outcome {
  /** A create with recovery: what its `onRecovery` was told. */
  readonly recoveries: ReadonlyArray<PlainRecovery>
  readonly exit: Exit
  /** For a stream: the keys it emitted before it ended, however it ended. */
  readonly emitted: ReadonlyArray<PlainKey>
  /** Every key in the value is a real instance of the line's `ByokKey` (its class, its schema, `Equal`). */
  readonly keysAreModels: boolean
  /** The clock's time as each attempt was handed to the transport. */
  readonly attemptTimes: ReadonlyArray<number>
  /** In the order they ended. */
  readonly spans: ReadonlyArray<PlainSpan>
  /** Every rendering of the outcome a user or a logger could see, with Debug logs and spans: searched for secrets. */
  readonly texts: ReadonlyArray<string>
}

/** A call still running. */
export interface Running {
  readonly done: Promise<Outcome>
  /** Whether it has ended. */
  readonly ended: () => boolean
  /** Interrupts it, and gives how it ended (with the attempts made and, for a stream, the keys emitted). */
  readonly interrupt: () => Promise<Outcome>
  /** The clock's time of each attempt so far. */
  readonly attemptTimes: () => ReadonlyArray<number>
}

/**
 * What one pull of a stream gave: a chunk of keys, the end, a failure, nothing because its scope
 * closed first (an interruption), or a defect.
 */
export type Pulled =
  | { readonly _tag: "Chunk"; readonly keys: ReadonlyArray<PlainKey> }
  | { readonly _tag: "End" }
  | { readonly _tag: "Failure"; readonly error: PlainError }
  | { readonly _tag: "Closed" }
  | { readonly _tag: "Defect"; readonly message: string }

/** A stream turned into a pull (`Stream.toPull`) inside a scope the caller owns. */
export interface Pulling {
  /** Pulls once, in a fiber forked into the scope: closing the scope interrupts a pull still waiting. */
  next(): Promise<Pulled>
  /** Closes the scope, as a consumer that gives up does. */
  close(): Promise<void>
}

/** A span as an OpenTelemetry exporter receives it, as plain data. */
export interface ExportedSpan {
  readonly name: string
  /** `CLIENT`, `INTERNAL`, … */
  readonly kind: string
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly attributes: Readonly<Record<string, unknown>>
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }>
  /** `UNSET`, `OK` or `ERROR`. */
  readonly status: string
  /** Everything the exporter sends for the span (ids, attributes, events, status, links, resource, scope), serialized. */
  readonly serialized: string
}

/** One client against one fake, on one clock. */
export interface Session {
  /** The fake's base URL over this session's transport. */
  readonly baseUrl: string
  run(call: Call): Promise<Outcome>
  start(call: Call): Running
  /** Runs `calls` together, at most `concurrency` at once; `record: false` skips spans and texts. */
  runAll(calls: ReadonlyArray<Call>, options: { readonly concurrency: number | "unbounded"; readonly record?: boolean }): Promise<ReadonlyArray<Outcome>>
  /** Moves the test clock forward (or to an instant) and lets the fibers it woke run. */
  advance(millis: number): Promise<void>
  advanceTo(millis: number): Promise<void>
  nowMillis(): Promise<number>
  close(): Promise<void>
  /** With `telemetry`: every span exported so far, flushed. */
  exportedSpans(): Promise<ReadonlyArray<ExportedSpan>>
  /**
   * With `telemetry`: opens spans through the line's own tracing API, one after another, each
   * carrying one value where an exporter sends it: `in-attribute` (an attribute `leak`), `in-event`
   * (an event `leak` with attribute `value`), `in-status` (the span fails with an `Error` whose
   * message is `status`), and `in-link` (a link, with attribute `leak`, to a span `linked`).
   */
  plantSpans(values: { readonly attribute: string; readonly event: string; readonly status: string; readonly link: string }): Promise<void>
  /** `stream(options)` as a pull, in a fresh scope. */
  pull(options?: unknown): Promise<Pulling>
}

/** A failure before any call: the layer could not be built. */
export interface LayerFailure {
  readonly _tag: string
  readonly message: string
  readonly texts: ReadonlyArray<string>
}

/** The client's request limit, the line's own (`internal/permitPool.ts`), driven from outside. */
export interface PermitPoolHandle {
  readonly available: () => number
  readonly waiting: () => number
  /**
   * Runs `work` holding a permit, in a fiber of its own; `signal` aborts when that fiber is
   * interrupted while working. `interrupt` interrupts the fiber wherever it is: waiting, working
   * or done.
   */
  run(work: (signal: AbortSignal) => Promise<void>): {
    readonly interrupt: () => void
    readonly done: Promise<"done" | "interrupted" | "failed">
  }
}

/** What each line provides. */
export interface Driver {
  readonly line: "effect3" | "effect4"
  /** A fresh fake that checks bodies with this line's input schemas. */
  makeFake(options?: FakeApiOptions): FakeApi
  open(options: SessionOptions): Promise<Session>
  /**
   * Builds `Byok.layer` with these options: `undefined` when it builds; otherwise the error, and
   * every rendering of the failure with its Debug log (`texts`, as `Outcome.texts`), searched for
   * secrets.
   */
  layerFailure(
    options: ClientOptions & { readonly fake: FakeApi }
  ): Promise<{ readonly error: PlainError; readonly texts: ReadonlyArray<string> } | undefined>
  /**
   * Every rendering a caller could make of a value as this line holds it, each `Secret` as its
   * `Redacted`: `String`, `JSON.stringify` and `util.inspect` of the value and of each of its own fields.
   */
  renderings(value: unknown): ReadonlyArray<string>
  /**
   * A session whose client comes from `Byok.layerConfig()` reading `env` as its configuration, or
   * the layer's failure.
   */
  openFromConfig(options: {
    readonly fake: FakeApi
    readonly env: Readonly<Record<string, string>>
  }): Promise<{ readonly session: Session } | { readonly failure: LayerFailure }>
  /**
   * `ByokKeyFromWire` of this line on a wire object: the plain key, or the decode message. `encoded`:
   * the decoded `ByokKey` encoded back by `ByokKeyFromWire` (an absent `name` stays absent).
   */
  decodeWireKey(
    wire: unknown
  ): { readonly ok: true; readonly key: PlainKey; readonly encoded: unknown } | { readonly ok: false; readonly message: string }
  /** A plain key through this line's `ByokKey` and `ByokKeyFromWire`: encoded to wire JSON (without `name` when it is absent). */
  encodeKey(key: PlainKey): unknown
  /** A request limit of `size` permits, as the client makes one. */
  permitPool(size: number): PermitPoolHandle
  /** What this line models of the contract, read from its endpoint rows and schemas (their encoded sides). */
  lineModel(): ContractModel
}
