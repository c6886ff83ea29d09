/**
 * The fake served over real HTTP on 127.0.0.1 with `@effect/platform-node`. Transport faults act on
 * the socket itself: a reset destroys it, a broken body sends half of it and then destroys it.
 */
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Effect from "effect/Effect"
import { createServer } from "node:http"
import { basePath, type FakeApi } from "../../../../shared/src/fake/fakeApi.js"
import { handle } from "./fakeApi.js"

const destroySocket = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.zipRight(Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()), Effect.never)

/** The HTTP app: every request goes to the fake. */
export const fakeHttpApp = (fake: FakeApi) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.orElseSucceed(request.text, () => "")
    const url = new URL(request.url, "http://127.0.0.1")
    const outcome = yield* handle(fake, { method: request.method, url, headers: request.headers, body })
    switch (outcome._tag) {
      case "Response": {
        const { "content-type": contentType, ...headers } = outcome.headers
        return HttpServerResponse.text(outcome.body, {
          status: outcome.status,
          headers,
          ...(contentType !== undefined ? { contentType } : {})
        })
      }
      case "ResetMidBody": {
        const response = NodeHttpServerRequest.toServerResponse(request)
        const bytes = Buffer.from(outcome.body)
        response.writeHead(outcome.status, { ...outcome.headers, "content-length": String(bytes.length) })
        response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => response.socket?.destroy())
        return yield* Effect.never
      }
      case "Hang":
        return yield* Effect.never
      case "Reset":
      case "Refuse":
        // A listening server cannot refuse a connection it already accepted: both drop it unanswered.
        return yield* destroySocket(request)
    }
  })

/** Listens on 127.0.0.1 (port 0 picks a free one) until the scope closes; yields the base URL to give `Byok.layer`. */
export const listen = (fake: FakeApi, port = 0) =>
  Effect.gen(function*() {
    const nodeServer = createServer()
    const server = yield* NodeHttpServer.make(() => nodeServer, { host: "127.0.0.1", port })
    yield* server.serve(fakeHttpApp(fake))
    // Closing waits for every open connection, and a client's keep-alive one (undici keeps it 4 s)
    // would hold a test's scope open that long: a fake that goes away drops its connections. Added
    // after `serve`, so it runs before the server's own close.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    const address = server.address as HttpServer.TcpAddress
    return `http://127.0.0.1:${address.port}${basePath}`
  })
