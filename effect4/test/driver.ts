/**
 * The Effect 4 line's driver for the shared behaviour description (`shared/behaviour/`): sessions of
 * the real client over the shared fake, on `TestClock` or the live clock, in memory or over
 * 127.0.0.1, with every call's spans, Debug logs and renderings recorded as plain data.
 */
import {
  Cause,
  Clock,
  Config,
  ConfigProvider,
  Context,
  Duration,
  Effect,
  Equal,
  Exit,
  Fiber,
  Layer,
  Logger,
  ManagedRuntime,
  Option,
  Random,
  Redacted,
  References,
  Result,
  Schedule,
  Schema,
  Scope,
  Stream,
  Tracer
} from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { inspect } from "node:util"
import type {
  Call,
  ClientOptions,
  Driver,
  Exit as PlainExit,
  Outcome,
  PlainError,
  PlainKey,
  PlainPage,
  PlainRecovery,
  PlainSpan,
  Pulled,
  Running,

  Session,
  SessionOptions
} from "../../shared/behaviour/driver.js"
import { Secret } from "../../shared/behaviour/driver.js"
import { exportedSpan } from "../../shared/behaviour/exportedSpans.js"
import { turns } from "../../shared/behaviour/harness.js"
import { plainKey, plainPage, renderingsOf, safeJson, withSecrets } from "../../shared/behaviour/plain.js"
import type { FakeApi } from "../../shared/src/fake/fakeApi.js"
import {
  Byok,
  ByokError,
  ByokKey,
  ByokKeyFromWire,
  type ByokOptions,
  type ByokService,
  type CreateOptions
} from "../src/index.js"
import { makeFake } from "../src/internal/fake/fakeApi.js"
import { PermitPool } from "../src/internal/permitPool.js"
import { lineModel } from "./lineModel.js"
import { makeMemoryClient } from "../src/internal/fake/memoryClient.js"
import { listen } from "../src/internal/fake/nodeServer.js"
import { memoryBaseUrl } from "../src/testing.js"

// ---------------------------------------------------------------------------------------------
// Plain data.

/**
 * A real instance of the class: its prototype, its schema, and structural equality with a fresh one
 * holding the same field values (unvalidated, so its arrays are the same arrays: `Equal` compares
 * plain arrays by reference).
 */
const isModel = (key: unknown): boolean =>
  key instanceof ByokKey && Schema.is(ByokKey)(key) && Equal.equals(key, new ByokKey({ ...key }, { disableChecks: true }))

const plainError = (error: unknown): PlainError => {
  const fields: Record<string, unknown> = {}
  if (typeof error === "object" && error !== null) {
    for (const [name, value] of Object.entries(error)) {
      if (name === "retryAfter" && Duration.isDuration(value)) fields.retryAfterMillis = Duration.toMillis(value)
      else fields[name] = value
    }
  }
  return {
    ...fields,
    _tag: typeof fields._tag === "string" ? fields._tag : "UnknownError",
    message: error instanceof Error ? error.message : String(error),
    isError: error instanceof Error,
    isByokError: ByokError.isByokError(error)
  }
}

/** The caller's input with every `Secret` as a `Redacted`. */
const input = (value: unknown): any => withSecrets(value, Redacted.make)

const retrySchedule = (spec: ClientOptions["retry"]): ByokOptions["retry"] => {
  if (spec === undefined) return undefined
  if (spec === false) return false
  if ("spacedMillis" in spec) return Schedule.max([Schedule.spaced(Duration.millis(spec.spacedMillis)), Schedule.recurs(spec.recurs)])
  return Schedule.recurs(spec.recurs)
}

// ---------------------------------------------------------------------------------------------
// Recording: spans, Debug logs and every rendering of an exit.

class RecordingSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly name: string
  readonly spanId: string
  readonly traceId: string
  readonly parent: Option.Option<Tracer.AnySpan>
  readonly annotations: Context.Context<never>
  readonly sampled: boolean
  readonly kind: Tracer.SpanKind
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  readonly events: Array<{ name: string; attributes: Record<string, unknown> }> = []
  readonly links: Array<Tracer.SpanLink>
  constructor(private readonly sink: Array<PlainSpan>, options: Parameters<Tracer.Tracer["span"]>[0]) {
    this.name = options.name
    this.parent = options.parent
    this.annotations = options.annotations
    this.sampled = options.sampled
    this.kind = options.kind
    this.status = { _tag: "Started", startTime: options.startTime }
    this.links = [...options.links]
    this.traceId = Option.isSome(options.parent) ? options.parent.value.traceId : `trace-${sink.length}`
    this.spanId = `span-${sink.length}-${Math.random().toString(16).slice(2)}`
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
    const parent = Option.isSome(this.parent) && this.parent.value instanceof RecordingSpan ? this.parent.value.name : undefined
    this.sink.push({
      name: this.name,
      kind: this.kind,
      parent,
      attributes: Object.fromEntries(this.attributes),
      events: this.events,
      failed: Exit.isFailure(exit)
    })
  }
  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }
  event(name: string, _startTime: bigint, attributes?: Record<string, unknown>): void {
    this.events.push({ name, attributes: attributes ?? {} })
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
}

/** Every rendering of an exit a user or a logger could produce. */
/** A logger that keeps each line in logfmt and JSON. */
const recordingLogger = (texts: Array<string>) =>
  Logger.make((options) => {
    texts.push(Logger.formatLogFmt.log(options), Logger.formatJson.log(options))
  })

const renderExit = (exit: Exit.Exit<unknown, unknown>): Array<string> => {
  const out: Array<string> = [safeJson(exit)]
  if (Exit.isSuccess(exit)) {
    out.push(String(exit.value))
    return out
  }
  out.push(Cause.pretty(exit.cause), String(exit.cause))
  for (const reason of exit.cause.reasons) {
    const error = reason._tag === "Fail" ? reason.error : reason._tag === "Die" ? reason.defect : undefined
    if (error === undefined) continue
    out.push(String(error), safeJson(error), inspect(error, { depth: 6 }))
    if (error instanceof Error) out.push(error.message, error.stack ?? "", error.toString())
  }
  return out
}

const plainExit = (exit: Exit.Exit<unknown, unknown>, value: (a: any) => unknown): PlainExit => {
  if (Exit.isSuccess(exit)) return { _tag: "Success", value: value(exit.value) }
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isSome(failure)) {
    const reasons = exit.cause.reasons
    const only = reasons.length === 1
    return { _tag: "Failure", error: plainError(failure.value), only }
  }
  const defect = exit.cause.reasons.find((reason) => reason._tag === "Die")
  if (defect !== undefined) return { _tag: "Defect", message: String(defect.defect) }
  return { _tag: "Interrupted" }
}

/** The clock's time of each attempt of the current call, written at the HttpClient boundary. */
const AttemptLog = Context.Reference<Array<number> | undefined>("test/AttemptLog", { defaultValue: () => undefined })

/** What a call records as it goes, kept where a caller can still read it if the call is interrupted. */
interface Progress {
  readonly emitted: Array<PlainKey>
  readonly attemptTimes: Array<number>
}

/** Create options with an `onRecovery` that records what it is told, after the caller's own. */
const withRecoveryRecorded = (options: CreateOptions, recoveries: Array<PlainRecovery>): CreateOptions => {
  if (options.recover === undefined || options.recover === false) return options
  const given = options.recover === true ? {} : options.recover
  return {
    ...options,
    recover: {
      ...given,
      onRecovery: (recovery) =>
        Effect.andThen(given.onRecovery?.(recovery) ?? Effect.void, Effect.sync(() => {
          recoveries.push({
            _tag: recovery._tag,
            keyId: recovery.key.id,
            ...(recovery._tag === "DuplicateRemoved" ? { removed: recovery.removed } : {})
          })
        }))
    }
  }
}

/** Runs a call, recording its spans, Debug logs and renderings. */
const observe = (
  byok: ByokService,
  call: Call,
  record: boolean,
  progress: Progress = { emitted: [], attemptTimes: [] },
  /** Off when the session exports its spans through OpenTelemetry instead. */
  recordSpans = true
): Effect.Effect<Outcome> =>
  Effect.suspend(() => {
    const spans: Array<PlainSpan> = []
    const texts: Array<string> = []
    const { attemptTimes, emitted } = progress
    const recoveries: Array<PlainRecovery> = []
    let models = true
    const keep = <K>(key: K): K => {
      if (!isModel(key)) models = false
      return key
    }
    const operation = (call: Call): Effect.Effect<unknown, unknown> => {
      switch (call.op) {
        case "sequence":
          return Effect.withSpan(
            Effect.forEach(call.calls, (each) => Effect.map(Effect.exit(operation(each)), (exit) => plainExit(exit, (a) => a))),
            call.span
          )
        case "list":
          return Effect.map(byok.list(input(call.options)), (page) => plainPage({ ...page, data: page.data.map(keep) }))
        case "stream": {
          const stream = byok.stream(input(call.options))
          const onKey = call.onKey
          return Effect.as(
            Stream.runForEach(call.take === undefined ? stream : Stream.take(stream, call.take), (key) => {
              const plain = plainKey(keep(key))
              emitted.push(plain)
              return onKey === undefined ? Effect.void : Effect.promise(async () => onKey(plain))
            }),
            emitted
          )
        }
        case "pages": {
          const onPage = call.onPage
          const pages: Array<PlainPage> = []
          return Effect.as(
            Stream.runForEach(byok.pages(input(call.options)), (page) => {
              const plain = plainPage({ ...page, data: page.data.map(keep) })
              pages.push(plain)
              return onPage === undefined ? Effect.void : Effect.promise(async () => onPage(plain))
            }),
            pages
          )
        }
        case "get":
          return Effect.map(byok.get(input(call.id), input(call.options)), (key) => plainKey(keep(key)))
        case "create": {
          const created = call.options === undefined
            ? byok.create(input(call.input))
            : byok.create(input(call.input), withRecoveryRecorded(input(call.options), recoveries))
          return Effect.map(created, (key) => plainKey(keep(key)))
        }
        case "update":
          return Effect.map(byok.update(input(call.id), input(call.input)), (key) => plainKey(keep(key)))
        case "delete":
          return Effect.as(byok.delete(input(call.id)), null)
      }
    }
    const tracer = Tracer.make({ span: (options) => new RecordingSpan(spans, options) })
    const logger = recordingLogger(texts)
    const run = Effect.exit(operation(call)).pipe(
      Effect.tap((exit) =>
        Exit.isSuccess(exit) ? Effect.logDebug("byok operation succeeded", exit.value) : Effect.logDebug("byok operation failed", exit.cause)
      ),
      Effect.provideService(AttemptLog, attemptTimes)
    )
    const recorded = record
      ? (recordSpans ? Effect.withTracer(run, tracer) : run).pipe(
        Effect.provideService(References.CurrentLoggers, new Set([logger])),
        Effect.provideService(References.MinimumLogLevel, "All")
      )
      : run
    return Effect.map(recorded, (exit): Outcome => {
      if (record) {
        texts.push(...renderExit(exit))
        for (const span of spans) texts.push([span.name, safeJson(span.attributes), safeJson(span.events)].join("\n"))
      }
      return { exit: plainExit(exit, (a) => a), emitted, keysAreModels: models, attemptTimes, spans, texts, recoveries }
    })
  })

// ---------------------------------------------------------------------------------------------
// Sessions.

class LoopbackUrl extends Context.Service<LoopbackUrl, string>()("test/LoopbackUrl") {}

/** The transport's HttpClient, and the fake's base URL over it. */
const transportLayer = async (fake: FakeApi, transport: SessionOptions["transport"]) => {
  if (transport === undefined || transport === "memory") {
    return { httpClient: Layer.succeed(HttpClient.HttpClient, makeMemoryClient(fake)), server: Layer.succeed(LoopbackUrl, memoryBaseUrl) }
  }
  const server = Layer.effect(LoopbackUrl, listen(fake))
  if (transport === "fetch") return { httpClient: FetchHttpClient.layer, server }
  const NodeHttpClient = await import("@effect/platform-node/NodeHttpClient")
  return { httpClient: NodeHttpClient.layerUndici, server }
}

/** The options of `Byok.make`, from plain ones; the HttpClient tap records attempts and reports each response. */
const byokOptions = (fake: FakeApi, baseUrl: string, options: SessionOptions): ByokOptions => {
  const client = options.client ?? {}
  const { onResponse } = options
  return {
    apiKey: client.apiKey === undefined
      ? Redacted.make(fake.apiKey)
      : client.apiKey instanceof Secret
      ? Redacted.make(client.apiKey.value)
      : client.apiKey as unknown as Redacted.Redacted<string>,
    baseUrl: client.baseUrl ?? baseUrl,
    ...(client.appUrl !== undefined ? { appUrl: client.appUrl } : {}),
    ...(client.appTitle !== undefined ? { appTitle: client.appTitle } : {}),
    ...(client.appCategories !== undefined ? { appCategories: client.appCategories } : {}),
    ...(client.retry !== undefined ? { retry: retrySchedule(client.retry) } : {}),
    ...(client.timeoutMillis !== undefined ? { timeout: Duration.millis(client.timeoutMillis) } : {}),
    ...(client.maxRetryAfterMillis !== undefined ? { maxRetryAfter: Duration.millis(client.maxRetryAfterMillis) } : {}),
    ...(client.maxConcurrentRequests !== undefined ? { maxConcurrentRequests: client.maxConcurrentRequests } : {}),
    ...(client.httpClientSpans !== undefined ? { httpClientSpans: client.httpClientSpans } : {}),
    transformClient: (c) =>
      c.pipe(
        (client) =>
          options.client?.requestHeader === undefined
            ? client
            : HttpClient.mapRequest(client, HttpClientRequest.setHeader(...options.client.requestHeader)),
        HttpClient.tapRequest(() =>
          Effect.flatMap(Effect.service(AttemptLog), (log) =>
            Effect.clockWith((clock) =>
              Effect.sync(() => {
                log?.push(clock.currentTimeMillisUnsafe())
              })
            ))
        ),
        HttpClient.tap(() => Effect.sync(() => onResponse?.()))
      )
  }
}

/** A `Random` that gives `values` in turn, round and round. */
const fixedRandom = (values: ReadonlyArray<number>): Random.Random => {
  let i = 0
  const next = () => values[i++ % values.length]!
  return { nextDoubleUnsafe: next, nextIntUnsafe: () => Math.floor(next() * Number.MAX_SAFE_INTEGER) }
}

/** Lets the fibers a clock move woke run to their next suspension (turns of the event loop, not sleeps). */
const settle = () => turns(3)

/** `@effect/opentelemetry` exporting to memory. */
interface Telemetry {
  readonly exporter: InMemorySpanExporter
  readonly processor: SimpleSpanProcessor
  readonly layer: Layer.Layer<any>
}

const makeTelemetry = (): Telemetry => {
  const exporter = new InMemorySpanExporter()
  const processor = new SimpleSpanProcessor(exporter)
  return {
    exporter,
    processor,
    layer: NodeSdk.layer(() => ({ spanProcessor: processor, resource: { serviceName: "byok-test" } }))
  }
}

/** A session over a runtime that holds the transport (and the test clock, when there is one). */
const sessionOver = (
  runtime: ManagedRuntime.ManagedRuntime<any, any>,
  byok: ByokService,
  baseUrl: string,
  random: ReadonlyArray<number> | undefined,
  telemetry?: Telemetry
): Session => {
  const recordSpans = telemetry === undefined
  const withRandom = <A>(self: Effect.Effect<A>) =>
    random === undefined || random.length === 0 ? self : Effect.provideService(self, Random.Random, fixedRandom(random))

  const start = (call: Call): Running => {
    const progress: Progress = { emitted: [], attemptTimes: [] }
    const fiber = runtime.runFork(withRandom(observe(byok, call, true, progress, recordSpans)))
    const outcome = (exit: Exit.Exit<Outcome, unknown>): Outcome =>
      Exit.isSuccess(exit)
        ? exit.value
        : { exit: plainExit(exit, (a) => a), ...progress, keysAreModels: true, spans: [], texts: renderExit(exit), recoveries: [] }
    return {
      done: runtime.runPromise(Fiber.await(fiber)).then(outcome),
      ended: () => fiber.pollUnsafe() !== undefined,
      interrupt: () => runtime.runPromise(Effect.andThen(Fiber.interrupt(fiber), Fiber.await(fiber))).then(outcome),
      attemptTimes: () => progress.attemptTimes
    }
  }
  return {
    baseUrl,
    run: (call) => runtime.runPromise(withRandom(observe(byok, call, true, undefined, recordSpans))),
    start,
    runAll: (calls, { concurrency, record = true }) =>
      runtime.runPromise(withRandom(Effect.forEach(calls, (call) => observe(byok, call, record, undefined, recordSpans), { concurrency }))),
    advance: async (millis) => {
      await runtime.runPromise(TestClock.adjust(Duration.millis(millis)))
      await settle()
    },
    advanceTo: async (millis) => {
      await runtime.runPromise(TestClock.setTime(millis))
      await settle()
    },
    nowMillis: () => runtime.runPromise(Clock.currentTimeMillis),
    close: () => runtime.dispose(),
    exportedSpans: async () => {
      if (telemetry === undefined) throw new Error("this session does not export its spans: open it with telemetry")
      await telemetry.processor.forceFlush()
      return telemetry.exporter.getFinishedSpans().map(exportedSpan)
    },
    plantSpans: (values) =>
      runtime.runPromise(Effect.gen(function*() {
        if (telemetry === undefined) return yield* Effect.die(new Error("this session does not export its spans: open it with telemetry"))
        yield* Effect.withSpan(Effect.annotateCurrentSpan("leak", values.attribute), "in-attribute")
        yield* Effect.withSpan(
          Effect.flatMap(Effect.orDie(Effect.currentSpan), (span) => Effect.sync(() => span.event("leak", 0n, { value: values.event }))),
          "in-event"
        )
        yield* Effect.ignore(Effect.withSpan(Effect.fail(new Error(values.status)), "in-status"))
        const linked = yield* Effect.withSpan(Effect.orDie(Effect.currentSpan), "linked")
        yield* Effect.withSpan(Effect.void, "in-link", { links: [{ span: linked, attributes: { leak: values.link } }] })
      })),
    pull: async (options) => {
      const scope = await runtime.runPromise(Scope.make())
      const pull = await runtime.runPromise(Scope.provide(Stream.toPull(byok.stream(input(options))), scope))
      const pulled = (exit: Exit.Exit<ReadonlyArray<ByokKey>, unknown>): Pulled => {
        if (Exit.isSuccess(exit)) return { _tag: "Chunk", keys: exit.value.map(plainKey) }
        const reason = exit.cause.reasons[0]
        if (reason === undefined || reason._tag === "Interrupt") return { _tag: "Closed" }
        if (reason._tag === "Die") return { _tag: "Defect", message: String(reason.defect) }
        return Cause.isDone(reason.error) ? { _tag: "End" } : { _tag: "Failure", error: plainError(reason.error) }
      }
      return {
        next: () => runtime.runPromise(Effect.flatMap(Effect.forkIn(pull, scope), Fiber.await)).then(pulled),
        close: () => runtime.runPromise(Scope.close(scope, Exit.void))
      }
    }
  }
}

const open = async (options: SessionOptions): Promise<Session> => {
  const { httpClient, server } = await transportLayer(options.fake, options.transport)
  const clock = options.clock === "live" ? Layer.empty : TestClock.layer()
  const telemetry = options.telemetry === true ? makeTelemetry() : undefined
  const runtime = ManagedRuntime.make(Layer.mergeAll(httpClient, server, clock, telemetry?.layer ?? Layer.empty))
  const baseUrl = await runtime.runPromise(LoopbackUrl)
  if (options.clock !== "live" && options.startMillis !== undefined) await runtime.runPromise(TestClock.setTime(options.startMillis))
  const byok = await runtime.runPromise(Byok.make(byokOptions(options.fake, baseUrl, options)))
  return sessionOver(runtime, byok, baseUrl, options.random, telemetry)
}

/** The Effect 4 line. */
export const driver: Driver = {
  line: "effect4",
  makeFake,
  open,
  layerFailure: async ({ fake, ...client }) => {
    const texts: Array<string> = []
    const logger = recordingLogger(texts)
    const exit = await Effect.runPromise(
      Effect.exit(Byok.make(byokOptions(fake, memoryBaseUrl, { fake, client }))).pipe(
        Effect.tap((exit) => Exit.isSuccess(exit) ? Effect.void : Effect.logDebug("byok layer failed", exit.cause)),
        Effect.provideService(HttpClient.HttpClient, makeMemoryClient(fake)),
        Effect.provideService(References.CurrentLoggers, new Set([logger])),
        Effect.provideService(References.MinimumLogLevel, "All")
      )
    )
    if (Exit.isSuccess(exit)) return undefined
    texts.push(...renderExit(exit))
    return { error: plainError(Option.getOrUndefined(Cause.findErrorOption(exit.cause))), texts }
  },
  renderings: (value) => renderingsOf(input(value)),
  openFromConfig: async ({ env, fake }) => {
    const configured = Byok.layerConfig().pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, makeMemoryClient(fake))),
      Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))
    )
    const built = await Effect.runPromiseExit(Effect.scoped(Layer.build(configured)))
    if (Exit.isFailure(built)) {
      const error = Cause.squash(built.cause)
      return {
        failure: {
          _tag: ByokError.isByokError(error) ? error._tag : error instanceof Config.ConfigError ? "ConfigError" : "UnknownError",
          message: error instanceof Error ? error.message : String(error),
          texts: renderExit(built)
        }
      }
    }
    const runtime = ManagedRuntime.make(configured)
    return { session: sessionOver(runtime, await runtime.runPromise(Effect.service(Byok)), memoryBaseUrl, undefined) }
  },
  decodeWireKey: (wire) => {
    const decoded = Schema.decodeUnknownResult(ByokKeyFromWire)(wire)
    return Result.isSuccess(decoded)
      ? { ok: true, key: plainKey(decoded.success), encoded: Schema.encodeSync(ByokKeyFromWire)(decoded.success) }
      : { ok: false, message: decoded.failure.message }
  },
  permitPool: (size) => {
    const pool = new PermitPool(size)
    return {
      available: () => pool.available,
      waiting: () => pool.waiting,
      run: (work) => {
        const fiber = Effect.runFork(pool.withPermit(Effect.promise(work)))
        return {
          interrupt: () => {
            Effect.runFork(Fiber.interrupt(fiber))
          },
          done: Effect.runPromise(Fiber.await(fiber)).then((exit) =>
            Exit.isSuccess(exit) ? "done" : Exit.hasInterrupts(exit) ? "interrupted" : "failed"
          )
        }
      }
    }
  },
  lineModel,
  encodeKey: (key) =>
    Schema.encodeSync(ByokKeyFromWire)(new ByokKey({ ...key, name: key.name, createdAt: new Date(key.createdAt) })),

}
