/**
 * Shared pieces of the reliability suite: canary secrets and the leak search, a recorder of
 * everything an operation produces (its exit, Debug logs, spans), loopback servers and clients,
 * and the per-file tally behind the README's "Reliability" figures.
 */
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import {
  Cause,
  Chunk,
  Context,
  Effect,
  Exit,
  FastCheck,
  FiberRef,
  HashSet,
  Layer,
  Logger,
  LogLevel,
  Option,
  Redacted,
  Tracer
} from "effect"
import * as http from "node:http"
import * as net from "node:net"
import { inspect } from "node:util"
import { afterAll, expect } from "vitest"
import { Byok, type ByokError, type ByokOptions, type ByokService } from "../../src/index.js"
import { FakeByokApi, type FakeByokApiOptions, FakeByokServer } from "../../src/testing.js"

// ---------------------------------------------------------------------------------------------
// Canary secrets: distinctive strings that must never show up in anything the client produces.
// ---------------------------------------------------------------------------------------------

/** The management key every fake in this suite accepts. */
export const API_KEY_TEXT = "sk-or-v1-CANARYmgmt7e1f0c2a9b8d4e6f00112233445566778899aabbccddeeff01"
export const apiKey = Redacted.make(API_KEY_TEXT)

/** A distinct provider key per scenario, so a duplicate or a leak points at its scenario. */
export const providerKeyText = (n: number | string) => `sk-proj-CANARYprov-${n}-5f4dcc3b5aa765d61d8327deb882cf99`

/** The fake's options with the canary management key. */
export const fakeOptions = (options: FakeByokApiOptions = {}): FakeByokApiOptions => ({ apiKey: API_KEY_TEXT, ...options })

/** Every secret the fake holds (the management key and each stored provider key). */
export const fakeSecrets = Effect.map(FakeByokApi, (fake) => fake.credentials).pipe(
  Effect.flatten,
  Effect.map((stored) => [API_KEY_TEXT, ...stored.map((c) => Redacted.value(c.secret))])
)

// ---------------------------------------------------------------------------------------------
// The tally behind the README figures, and the property tests' seed.
// ---------------------------------------------------------------------------------------------

/**
 * The seed of every generated scenario in this run. Fixed by default, so `npm test` is the same
 * run everywhere (CI included); `RELIABILITY_SEED=<n>` replays another, `RELIABILITY_SEED=random`
 * draws a fresh one. It is printed with each file's tally so any run can be replayed.
 */
const seedSetting = process.env.RELIABILITY_SEED ?? ""
export const seed: number = seedSetting === ""
  ? 42
  : seedSetting === "random"
  ? Math.floor(Math.random() * 2_147_483_647)
  : Number(seedSetting)
FastCheck.configureGlobal({ seed })

/** Whether this run is the full tier (`npm run test:full`), which runs the generated scenarios at full size. */
export const fullTier = process.env.BYOK_TEST_TIER === "full"

export interface Tally {
  /** Scenarios run: matrix cells, table rows, generated property cases. */
  scenarios: number
  /** Faults the client met (a faulty answer or a broken transport) and handled as specified. */
  faults: number
  /** Hostile inputs rejected with `InvalidRequest` before anything was sent. */
  hostile: number
  /** Credentials stored more than once by a create. */
  duplicates: number
  /** Secret occurrences found in anything an operation produced. */
  leaks: number
}

/** One tally per test file, printed when the file is done. */
export const makeTally = (file: string): Tally => {
  const tally: Tally = { scenarios: 0, faults: 0, hostile: 0, duplicates: 0, leaks: 0 }
  afterAll(() => {
    console.log(
      `[reliability] ${file}: scenarios=${tally.scenarios} faults=${tally.faults} hostile=${tally.hostile} ` +
        `duplicates=${tally.duplicates} leaks=${tally.leaks} (RELIABILITY_SEED=${seed})`
    )
  })
  return tally
}

// ---------------------------------------------------------------------------------------------
// Recording logs (Debug level) and spans, and searching everything for secrets.
// ---------------------------------------------------------------------------------------------

export interface RecordedSpan {
  readonly name: string
  readonly attributes: Record<string, unknown>
  readonly events: ReadonlyArray<readonly [string, Record<string, unknown>]>
  readonly exit: Exit.Exit<unknown, unknown> | undefined
}

class RecordingSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId: string
  readonly traceId: string
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  readonly events: Array<readonly [string, Record<string, unknown>]> = []
  readonly links: Array<Tracer.SpanLink>
  constructor(
    private readonly sink: Array<RecordedSpan>,
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind
  ) {
    this.status = { _tag: "Started", startTime }
    this.links = [...links]
    this.traceId = Option.isSome(parent) ? parent.value.traceId : `trace-${sink.length}`
    this.spanId = `span-${sink.length}-${Math.random().toString(16).slice(2)}`
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
    this.sink.push({ name: this.name, attributes: Object.fromEntries(this.attributes), events: this.events, exit })
  }
  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }
  event(name: string, _startTime: bigint, attributes?: Record<string, unknown>): void {
    this.events.push([name, attributes ?? {}])
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
}

/** JSON.stringify that survives bigints, cycles and functions. */
export const safeJson = (value: unknown): string => {
  const seen = new WeakSet<object>()
  try {
    return JSON.stringify(value, (_key, v) => {
      if (typeof v === "bigint") return v.toString()
      if (typeof v === "function") return `[function ${v.name}]`
      if (typeof v === "object" && v !== null) {
        if (seen.has(v)) return "[Circular]"
        seen.add(v)
      }
      return v
    }) ?? "undefined"
  } catch (error) {
    return `[unserializable: ${String(error)}]`
  }
}

/** Every rendering of an exit a user or a logger could produce. */
export const renderExit = (exit: Exit.Exit<unknown, unknown>): Array<string> => {
  const out: Array<string> = [safeJson(exit)]
  if (Exit.isSuccess(exit)) {
    out.push(String(exit.value))
    return out
  }
  out.push(Cause.pretty(exit.cause), String(exit.cause))
  const errors: Array<unknown> = [...Cause.failures(exit.cause), ...Cause.defects(exit.cause)]
  for (const error of errors) {
    out.push(String(error), safeJson(error), inspect(error, { depth: 6 }))
    if (error instanceof Error) out.push(error.message, error.stack ?? "", error.toString())
  }
  return out
}

/** Records Debug-level log lines and every span an effect produced; then searches them for secrets. */
export class Recorder {
  readonly logs: Array<string> = []
  readonly spans: Array<RecordedSpan> = []
  readonly outputs: Array<string> = []

  readonly tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) =>
      new RecordingSpan(this.spans, name, parent, context, links, startTime, kind),
    context: (f) => f()
  })

  readonly logger = Logger.make((options) => {
    this.logs.push(Logger.logfmtLogger.log(options), Logger.jsonLogger.log(options))
  })

  /**
   * Runs `self` with the recording tracer and, as its only logger, the recording one at level
   * `All`; logs its outcome at Debug (the value, or the cause as the log's cause), and keeps every
   * rendering of the exit.
   */
  observe<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Exit.Exit<A, E>, never, R> {
    return Effect.exit(self).pipe(
      Effect.tap((exit) =>
        Exit.isSuccess(exit)
          ? Effect.logDebug("byok operation succeeded", exit.value)
          : Effect.logDebug("byok operation failed", exit.cause)
      ),
      Effect.tap((exit) => Effect.sync(() => this.outputs.push(...renderExit(exit)))),
      Effect.withTracer(this.tracer),
      Effect.locallyWith(FiberRef.currentLoggers, () => HashSet.make(this.logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
  }

  /** Everything recorded, as text. */
  texts(): Array<string> {
    return [
      ...this.outputs,
      ...this.logs,
      ...this.spans.map((span) =>
        [
          span.name,
          safeJson(span.attributes),
          safeJson(span.events),
          span.exit !== undefined && Exit.isFailure(span.exit) ? Cause.pretty(span.exit.cause) : ""
        ].join("\n")
      )
    ]
  }

  /** Where each secret occurs in what was recorded. */
  leaks(secrets: ReadonlyArray<string>): Array<string> {
    const found: Array<string> = []
    const texts = this.texts()
    for (const secret of new Set(secrets)) {
      if (secret.length === 0) continue
      for (const text of texts) {
        if (text.includes(secret)) found.push(`${secret.slice(0, 14)}… in: ${text.slice(0, 300)}`)
      }
    }
    return found
  }

  /** Asserts no secret occurs anywhere and that something was actually recorded; counts leaks into `tally`. */
  expectNoLeaks(secrets: ReadonlyArray<string>, tally: Tally): void {
    expect(this.outputs.length).toBeGreaterThan(0)
    expect(this.logs.length).toBeGreaterThan(0)
    const found = this.leaks(secrets)
    tally.leaks += found.length
    expect(found).toEqual([])
  }
}

// ---------------------------------------------------------------------------------------------
// Exits.
// ---------------------------------------------------------------------------------------------

/** The single tagged error an exit failed with; fails the test on success, a defect or an interruption. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got success: ${safeJson(exit.value).slice(0, 500)}`)
  expect(Cause.defects(exit.cause).length, Cause.pretty(exit.cause)).toBe(0)
  expect(Cause.isInterrupted(exit.cause), Cause.pretty(exit.cause)).toBe(false)
  const failures = Chunk.toReadonlyArray(Cause.failures(exit.cause))
  expect(failures.length).toBe(1)
  return failures[0]!
}

/** The value of a successful exit; fails the test with the pretty cause otherwise. */
export const valueOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success, got:\n${Cause.pretty(exit.cause)}`)
  return exit.value
}

/** Every tag a BYOK operation may fail with. */
export const byokTags = [
  "BadRequest",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "InternalServer",
  "RateLimited",
  "ApiError",
  "TransportError",
  "DecodeError",
  "InvalidRequest"
] as const
export type ByokTag = typeof byokTags[number]

/** Asserts the error is a `Schema.TaggedError` of a known tag: yieldable, an `Error`, with a message. */
export const expectTaggedError = (error: unknown): ByokError.ByokError => {
  expect(error).toBeInstanceOf(Error)
  const tag = (error as { _tag?: unknown })._tag
  expect(byokTags as ReadonlyArray<unknown>).toContain(tag)
  expect(typeof (error as Error).message).toBe("string")
  return error as ByokError.ByokError
}

// ---------------------------------------------------------------------------------------------
// Clients.
// ---------------------------------------------------------------------------------------------

export interface CountedClient {
  readonly byok: ByokService
  /** How many requests the client handed to its HttpClient (every attempt, including ones that never connected). */
  readonly attempts: () => number
}

/** The real client over `httpClient`, counting attempts at the HttpClient boundary. */
export const countedClient = (
  options: Partial<ByokOptions> & { readonly baseUrl: string },
  httpClient: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer
): Effect.Effect<CountedClient, ByokError.InvalidRequest> =>
  Effect.suspend(() => {
    let attempts = 0
    const user = options.transformClient
    return Byok.make({
      apiKey,
      ...options,
      transformClient: (client) =>
        HttpClient.tapRequest(user ? user(client) : client, () => Effect.sync(() => attempts++))
    }).pipe(
      Effect.provide(httpClient),
      Effect.map((byok) => ({ byok, attempts: () => attempts }))
    )
  })

/** An HttpClient that answers every request with `answer(request)` and never touches a socket. */
export const stubHttpClient = (
  answer: (request: HttpClientRequest.HttpClientRequest, url: URL) => Response
): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request, url) => Effect.sync(() => HttpClientResponse.fromWeb(request, answer(request, url))))
  )

/** The fake on 127.0.0.1 with the canary management key. */
export const loopbackFake = (options: FakeByokApiOptions = {}) =>
  FakeByokApi.layerServer().pipe(Layer.provideMerge(FakeByokApi.layer(fakeOptions(options))))

export { FakeByokServer }

// ---------------------------------------------------------------------------------------------
// Raw loopback servers, a connection-counting proxy and a closed port.
// ---------------------------------------------------------------------------------------------

/** Counters with waiters: `bump("x")` and `when("x", n)` resolve when `x` has been bumped `n` times. */
export class Signals {
  private readonly counts = new Map<string, number>()
  private readonly waiters: Array<{ name: string; n: number; resolve: () => void }> = []
  count(name: string): number {
    return this.counts.get(name) ?? 0
  }
  bump(name: string): void {
    this.counts.set(name, this.count(name) + 1)
    for (const waiter of this.waiters.slice()) {
      if (waiter.name === name && this.count(name) >= waiter.n) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }
  /** Resolves once `name` has reached `n`; fails the test after `withinMillis` of real time. */
  when(name: string, n = 1, withinMillis = 5_000): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (this.count(name) >= n) return resume(Effect.void)
      const waiter = { name, n, resolve: () => resume(Effect.void) }
      this.waiters.push(waiter)
      return Effect.sync(() => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
      })
    }).pipe(
      Effect.timeoutFail({
        duration: withinMillis,
        onTimeout: () => new Error(`"${name}" did not reach ${n} within ${withinMillis} ms (at ${this.count(name)})`)
      }),
      Effect.orDie
    )
  }
}

export interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export interface RawServer {
  readonly origin: string
  readonly port: number
  readonly seen: Array<SeenRequest>
  /** `connection`, `request`, `request-closed` (the client went away before the answer ended), `socket-closed`. */
  readonly signals: Signals
}

/**
 * A plain node:http server on 127.0.0.1 for what the fake cannot show: the connection closing,
 * what another origin receives. `handler` gets the request with its full body.
 */
export const rawServer = (
  handler: (request: SeenRequest, response: http.ServerResponse, server: RawServer) => void
): Effect.Effect<RawServer, never, import("effect").Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ raw: RawServer; server: http.Server }>((resume) => {
      const signals = new Signals()
      const seen: Array<SeenRequest> = []
      let raw: RawServer | undefined
      const server = http.createServer((req, res) => {
        signals.bump("request")
        let body = ""
        req.setEncoding("utf8")
        req.on("data", (chunk: string) => (body += chunk))
        res.on("close", () => {
          if (!res.writableFinished) signals.bump("request-closed")
        })
        req.on("end", () => {
          const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body }
          seen.push(entry)
          handler(entry, res, raw!)
        })
      })
      server.on("connection", (socket) => {
        signals.bump("connection")
        socket.on("close", () => signals.bump("socket-closed"))
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        raw = { origin: `http://127.0.0.1:${port}`, port, seen, signals }
        resume(Effect.succeed({ raw, server }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ raw }) => raw))

/** A TCP proxy on 127.0.0.1 in front of `targetPort` that counts the connections clients open. */
export const countingProxy = (
  targetPort: number
): Effect.Effect<{ readonly port: number; readonly connections: () => number }, never, import("effect").Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ port: number; connections: () => number; server: net.Server; sockets: Set<net.Socket> }>((resume) => {
      let connections = 0
      const sockets = new Set<net.Socket>()
      const server = net.createServer((client) => {
        connections++
        const upstream = net.connect(targetPort, "127.0.0.1")
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on("close", () => sockets.delete(s))
          s.on("error", () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream)
        upstream.pipe(client)
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          port: (server.address() as net.AddressInfo).port,
          connections: () => connections,
          server,
          sockets
        })))
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const s of sockets) s.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ connections, port }) => ({ port, connections })))

/** A port on 127.0.0.1 that nothing listens on: a connection there is refused. */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Counts of the resource kinds that keep a Node process alive (sockets, timers). */
export const liveResources = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

// ---------------------------------------------------------------------------------------------
// Wire bodies.
// ---------------------------------------------------------------------------------------------

/** A valid wire credential (snake_case), as the API sends it. */
export const wireKey = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: "00000000-0000-4000-8000-0000000000aa",
  provider: "openai",
  workspace_id: null,
  label: "sk-...abcd",
  name: "A key",
  disabled: false,
  is_fallback: false,
  is_required: false,
  is_byok_only: false,
  declared_zdr: null,
  allowed_models: null,
  allowed_api_key_hashes: null,
  allowed_user_ids: null,
  sort_order: 0,
  created_at: "2025-08-24T10:30:00.000Z",
  ...overrides
})

/** Applies `f` to each credential of a wire body (`data` as an object or an array); other bodies are unchanged. */
export const mapWireKeys = (wire: any, f: (key: Record<string, unknown>) => Record<string, unknown>): unknown => {
  if (typeof wire !== "object" || wire === null || !("data" in wire)) return wire
  return { ...wire, data: Array.isArray(wire.data) ? wire.data.map(f) : f(wire.data) }
}
