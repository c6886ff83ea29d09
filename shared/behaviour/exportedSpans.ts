/**
 * What an OpenTelemetry exporter receives for a span, as plain data. Both lines' drivers hand their
 * in-memory exporter's spans here, so the shape a suite sees, and what the leak search reads, is
 * decided once. The OpenTelemetry types are described by their structure: each line brings its own
 * copy of the SDK.
 */
import type { ExportedSpan } from "./driver.js"

/** The parts of an SDK `ReadableSpan` an exporter sends. */
export interface ReadableSpanLike {
  readonly name: string
  readonly kind: number
  spanContext(): { readonly traceId: string; readonly spanId: string }
  readonly parentSpanContext?: { readonly spanId: string } | undefined
  readonly attributes: Readonly<Record<string, unknown>>
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes?: Readonly<Record<string, unknown>> | undefined; readonly time: unknown }>
  readonly status: { readonly code: number; readonly message?: string | undefined }
  readonly links: ReadonlyArray<{ readonly context: unknown; readonly attributes?: Readonly<Record<string, unknown>> | undefined }>
  readonly resource: { readonly attributes: Readonly<Record<string, unknown>> }
  readonly instrumentationScope: unknown
}

/** OpenTelemetry's `SpanKind` and `SpanStatusCode`, by number. */
const kinds = ["INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"] as const
const statuses = ["UNSET", "OK", "ERROR"] as const

/** A span as plain data; `serialized` is everything the exporter sends, for the leak search. */
export const exportedSpan = (span: ReadableSpanLike): ExportedSpan => ({
  name: span.name,
  kind: kinds[span.kind] ?? String(span.kind),
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
  attributes: { ...span.attributes },
  events: span.events.map((e) => ({ name: e.name, attributes: { ...e.attributes } })),
  status: statuses[span.status.code] ?? String(span.status.code),
  serialized: JSON.stringify({
    name: span.name,
    kind: span.kind,
    context: span.spanContext(),
    parent: span.parentSpanContext,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, attributes: e.attributes, time: e.time })),
    status: span.status,
    links: span.links.map((l) => ({ context: l.context, attributes: l.attributes })),
    resource: span.resource.attributes,
    scope: span.instrumentationScope
  })
})
