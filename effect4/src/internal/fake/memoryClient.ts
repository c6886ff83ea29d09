/**
 * The fake served in memory as an `HttpClient`: the real client's requests go to `FakeApi.handle`
 * with no socket, and transport faults are acted out the way `fetch` reports them.
 */
import * as Effect from "effect/Effect"
import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "effect/http"
import type { FakeApi, Outcome } from "../../../../shared/src/fake/fakeApi.js"
import { handle } from "./fakeApi.js"

const decoder = new TextDecoder()
const encoder = new TextEncoder()
/** Statuses a `Response` may not have a body with. */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304])

const toWebResponse = (outcome: Extract<Outcome, { _tag: "Response" | "ResetMidBody" }>): Response => {
  const body = nullBodyStatuses.has(outcome.status) ? null : outcome.body
  if (outcome._tag === "Response" || body === null) {
    return new Response(body, { status: outcome.status, headers: outcome.headers })
  }
  const bytes = encoder.encode(body)
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.slice(0, Math.floor(bytes.length / 2)))
      controller.error(new TypeError("terminated: other side closed"))
    }
  })
  return new Response(stream, {
    status: outcome.status,
    headers: { ...outcome.headers, "content-length": String(bytes.length) }
  })
}

/** A connection that failed as `fetch` reports it: a TypeError whose cause is the socket's error. */
const transportFailure = (request: HttpClientRequest.HttpClientRequest, socketError: Error) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError({ request, cause: new TypeError("fetch failed", { cause: socketError }) })
  })

/** An HttpClient whose every request is answered by the fake. */
export const makeMemoryClient = (fake: FakeApi): HttpClient.HttpClient =>
  HttpClient.make((request, url) => {
    const body = request.body._tag === "Uint8Array" ? decoder.decode(request.body.body) : ""
    return Effect.flatMap(
      handle(fake, { method: request.method, url, headers: request.headers, body }),
      (outcome) => {
        switch (outcome._tag) {
          case "Response":
          case "ResetMidBody":
            return Effect.succeed(HttpClientResponse.fromWeb(request, toWebResponse(outcome)))
          case "Hang":
            return Effect.never
          case "Reset":
            return Effect.fail(transportFailure(request, Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })))
          case "Refuse":
            return Effect.fail(
              transportFailure(request, Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" }))
            )
        }
      }
    )
  })
