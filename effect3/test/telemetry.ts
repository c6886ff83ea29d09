import { Effect, Layer, Logger, LogLevel, Tracer } from "effect"

/** Spans the code under test opened, with their attributes, recorded by wrapping the native tracer. */
export interface RecordedSpan {
  readonly name: string
  readonly kind: Tracer.SpanKind
  readonly attributes: ReadonlyMap<string, unknown>
  readonly parentName: string | undefined
}

/** A tracer that records every span (ours and the platform's HTTP client span) and a Debug-level logger that records every line. */
export const makeTelemetry = Effect.gen(function*() {
  const native = yield* Effect.tracer
  const spans: Array<Tracer.Span> = []
  const logs: Array<string> = []
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind, options) {
      const span = native.span(name, parent, context, links, startTime, kind, options)
      spans.push(span)
      return span
    },
    context: (f, fiber) => native.context(f, fiber)
  })
  const logger = Logger.make(({ annotations, cause, logLevel, message, spans: logSpans }) => {
    logs.push(JSON.stringify({ level: logLevel.label, message: String(message), cause: String(cause), annotations, spans: logSpans }))
  })
  const layer = Layer.mergeAll(
    Layer.setTracer(tracer),
    Logger.replace(Logger.defaultLogger, logger),
    Logger.minimumLogLevel(LogLevel.All)
  )
  const recorded = (): ReadonlyArray<RecordedSpan> =>
    spans.map((span) => ({
      name: span.name,
      kind: span.kind,
      attributes: span.attributes,
      parentName: span.parent._tag === "Some" && span.parent.value._tag === "Span" ? span.parent.value.name : undefined
    }))
  return { layer, spans: recorded, logs: () => logs.slice() }
})
