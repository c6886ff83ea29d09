/**
 * Where a `get` of the Effect 3 line spends its time, one step of the request path at a time:
 * `npx tsx effect3/bench/ablation.ts`.
 *
 * Each variant adds one step to the one before, all over the same transport, against the fake on
 * 127.0.0.1 in this process, in one warm process, alternating variants round by round. The steps are
 * the pipeline's own exported functions, so the figures are of the code the client runs. Pass
 * `--fetch` to measure over `FetchHttpClient` instead of undici (then the SDK runs too, since the
 * process has not loaded npm undici).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Duration, Effect, Either, Layer, ManagedRuntime, Redacted } from "effect"
import { Byok } from "../src/index.js"
import * as Endpoints from "../src/internal/endpoints.js"
import { PermitPool } from "../src/internal/permitPool.js"
import { attemptOnce, buildRequest, type PreparedClient, readBody, sendOnce } from "../src/internal/requestPipeline.js"
import { decodeResponse } from "../src/internal/responseDecoding.js"
import { FakeByokApi, FakeByokServer, fakeId } from "../src/testing.js"

const overFetch = process.argv.includes("--fetch")
const rounds = 6
const gets = 2_000
const id = fakeId(1)

const transport: Layer.Layer<HttpClient.HttpClient> = overFetch
  ? FetchHttpClient.layer
  : Layer.unwrapEffect(Effect.promise(() => import("@effect/platform-node/NodeHttpClient")).pipe(Effect.map((m) => m.layerUndici)))
const fake = FakeByokApi.layerServer().pipe(Layer.provideMerge(FakeByokApi.layer({ seed: 10 })))
const runtime = ManagedRuntime.make(Layer.merge(fake, transport))

const { apiKey, baseUrl, httpClient } = await runtime.runPromise(Effect.all({
  apiKey: Effect.map(FakeByokApi, (f) => f.apiKey),
  baseUrl: Effect.map(FakeByokServer, (s) => s.baseUrl),
  httpClient: HttpClient.HttpClient
}))
const byok = await runtime.runPromise(Effect.provide(Byok.make({ apiKey, baseUrl }), Layer.succeed(HttpClient.HttpClient, httpClient)))

// The client as `Byok.make` prepares it (the platform's span off, fetch told not to follow redirects).
const prepared: PreparedClient = {
  httpClient: HttpClient.withTracerDisabledWhen(
    HttpClient.transformResponse(httpClient, Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" })),
    () => true
  ),
  baseUrl,
  headers: Headers.fromInput({ accept: "application/json" }),
  apiKey,
  timeout: Duration.seconds(30),
  retry: undefined,
  permits: new PermitPool(32)
}
const wire = Either.getOrThrow(Endpoints.get.encodeInput({ id, options: {} }))
const secrets = [Redacted.value(apiKey)]
const decoded = Effect.suspend(() =>
  Effect.flatMap(prepared.httpClient.execute(buildRequest(prepared, Endpoints.get, wire)), (response) =>
    Effect.map(readBody(response), (body) =>
      decodeResponse(Endpoints.get, { status: response.status, headers: response.headers, body }, {
        path: wire.path,
        secrets,
        nowMillis: 0
      })))
)

const variants: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
  [
    "the platform's client alone: execute, text, JSON.parse",
    () => runtime.runPromise(Effect.flatMap(
      httpClient.execute(HttpClientRequest.get(`${baseUrl}${wire.path}`).pipe(HttpClientRequest.bearerToken(apiKey))),
      (response) => Effect.map(response.text, JSON.parse)
    ))
  ],
  ["+ the request built, the body read within its limit, decoded", () => runtime.runPromise(decoded)],
  ["+ a permit", () => runtime.runPromise(prepared.permits.withPermit(decoded))],
  ["+ the deadline (sendOnce)", () => runtime.runPromise(Effect.suspend(() => sendOnce(prepared, Endpoints.get, buildRequest(prepared, Endpoints.get, wire), wire.path)))],
  ["+ the outcome recorded (attemptOnce)", () =>
    runtime.runPromise(Effect.suspend(() =>
      attemptOnce(prepared, Endpoints.get, buildRequest(prepared, Endpoints.get, wire), wire, secrets, {
        attempts: 1,
        status: undefined,
        requestId: undefined
      })
    ))],
  ["+ input validation, retry and span: byok.get", () => runtime.runPromise(byok.get(id))],
  ...(overFetch ? [await sdkVariant()] : [])
]

async function sdkVariant(): Promise<readonly [string, () => Promise<unknown>]> {
  const { OpenRouter } = await import("@openrouter/sdk")
  const sdk = new OpenRouter({ apiKey: Redacted.value(apiKey), serverURL: baseUrl })
  return ["@openrouter/sdk's byok.get, for scale", () => sdk.byok.get({ id })]
}

const times = new Map<string, Array<number>>()
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of variants) {
    const started = performance.now()
    for (let i = 0; i < gets; i++) await run()
    // the first round is the warm-up
    if (round > 0) times.set(name, [...(times.get(name) ?? []), ((performance.now() - started) * 1000) / gets])
  }
}
await runtime.dispose()

console.log(`µs per sequential get over ${overFetch ? "fetch" : "undici"}, median of ${rounds - 1} rounds of ${gets} (min–max):`)
for (const [name, series] of times) {
  const sorted = [...series].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  console.log(`  ${median.toFixed(0).padStart(5)}  (${sorted[0]!.toFixed(0)}–${sorted.at(-1)!.toFixed(0)})  ${name}`)
}
