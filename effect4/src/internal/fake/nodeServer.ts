/**
 * The fake served over real HTTP on 127.0.0.1 with `@effect/platform-node`. Transport faults act on
 * the socket itself: a reset destroys it, a broken body sends half of it and then destroys it.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Effect from "effect/Effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import { createServer, type ServerResponse } from "node:http"
import { basePath, type FakeApi } from "../../../../shared/src/fake/fakeApi.js"
import { handle } from "./fakeApi.js"

const destroySocket = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.andThen(Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()), Effect.never)

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
        const response = NodeHttpServerRequest.toServerResponse(request) as ServerResponse
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
    // Handlers run uninterruptibly unless told otherwise; the fake's hangs and resets wait for ever,
    // and must end when the client goes away or the server closes.
    yield* server.serve(Effect.interruptible(fakeHttpApp(fake)))
    // Closing waits for every open connection, and a client's keep-alive one (undici keeps it 4 s)
    // would hold a test's scope open that long: a fake that goes away drops its connections. Added
    // after `serve`, so it runs before serve's own shutdown.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    const address = server.address
    if (address._tag === "UnixPathAddress") return yield* Effect.die(new Error("the fake server listens on TCP"))
    return `http://127.0.0.1:${address.port}${basePath}`
  })
