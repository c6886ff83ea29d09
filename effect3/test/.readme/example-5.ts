import { NodeSdk } from "@effect/opentelemetry"
import { NodeHttpClient } from "@effect/platform-node"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Stream } from "effect"
import { Byok } from "effect-openrouter-byok"

// Sends spans to an OTLP/HTTP collector: http://localhost:4318/v1/traces unless
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT says otherwise.
const TracingLive = NodeSdk.layer(() => ({
  resource: { serviceName: "key-dashboard", serviceVersion: "1.4.0" },
  spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter())
}))

const ByokLive = Byok.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))

// Your span: every Byok.* span below is its child, in the same trace.
const audit = Effect.gen(function*() {
  const byok = yield* Byok
  const keys = yield* Stream.runCollect(byok.stream({ provider: "openai" }))
  for (const key of keys) {
    if (!key.disabled && key.allowedModels === null) yield* byok.update(key.id, { allowedModels: ["openai/gpt-4o"] })
  }
}).pipe(Effect.withSpan("audit-openai-keys"))

// The tracing layer's scope flushes pending spans when the program ends.
audit.pipe(Effect.provide(ByokLive), Effect.provide(TracingLive), Effect.runPromise)

export {}
