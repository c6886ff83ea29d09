/**
 * Reading and decoding responses: `created_at` as RFC 3339 only, and bodies as they arrive over
 * real sockets: chunked without a length, endless, or absent. The status and body rules themselves
 * are pure (`shared/src/responseRules.ts`) and tested in `shared/test/responseRules.test.ts`.
 */
import assert from "node:assert/strict"
import type * as http from "node:http"
import { fakeId } from "../../src/fake/fakeApi.js"
import { faults } from "../../src/fake/faults.js"
import { maxResponseBytes } from "../../src/responseRules.js"
import type { Driver, Session, Transport } from "../driver.js"
import { errorOf, type Suite, test, valueOf, withSession } from "../harness.js"
import { type RawServer, type SeenRequest, withRawServer } from "../servers.js"
import { wireKey } from "../wireBodies.js"

/** A session of one attempt per call against a raw server on 127.0.0.1. */
const againstRawServer = <A>(
  driver: Driver,
  transport: Transport,
  handler: (request: SeenRequest, response: http.ServerResponse) => void,
  body: (session: Session, server: RawServer) => Promise<A>
): Promise<A> =>
  withRawServer(handler, (server) =>
    withSession(driver, { transport, client: { baseUrl: `${server.origin}/api/v1`, retry: false } }, (session) => body(session, server)))

/** Writes `parts` as separate chunks of a body without a length, one turn of the event loop apart. */
const chunked = (response: http.ServerResponse, status: number, parts: ReadonlyArray<string>) => {
  response.writeHead(status, { "content-type": "application/json" })
  let i = 0
  const next = () => {
    if (i === parts.length) return void response.end()
    response.write(parts[i++]!)
    setImmediate(next)
  }
  next()
}

/** A body without a length that never ends: 64 KiB chunks, written as fast as the client takes them. */
const endless = (written: { bytes: number }) => (_request: SeenRequest, response: http.ServerResponse) => {
  response.writeHead(200, { "content-type": "application/json" })
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  const pump = () => {
    while (!response.destroyed) {
      written.bytes += chunk.length
      if (!response.write(chunk)) return void response.once("drain", pump)
    }
  }
  pump()
}

const bodyTests = (transport: Transport) => [
  test(`${transport}: a chunked body over the limit is cut off at the limit, and the response is abandoned at once`, (driver) => {
    const written = { bytes: 0 }
    return againstRawServer(driver, transport, endless(written), async (session, server) => {
      const error = errorOf(await session.run({ op: "get", id: fakeId(1) }))
      assert.deepEqual(
        [error._tag, error.status, error.message],
        ["DecodeError", 200, `the response body is over the ${maxResponseBytes}-byte limit`]
      )
      // The body never ends: only the client can have closed it, and it did not wait to be collected.
      await server.signals.when("request-closed", 1, 2_000)
      assert.ok(written.bytes > maxResponseBytes, `${written.bytes} bytes written`)
    })
  }),

  test(`${transport}: a chunked body within the limit is read whole`, (driver) =>
    againstRawServer(driver, transport, (request, response) => {
      if (request.method === "DELETE") return chunked(response, 200, ["{\"deleted\"", ":true}"])
      const json = JSON.stringify({ data: wireKey() })
      chunked(response, 200, [json.slice(0, 9), json.slice(9, 100), json.slice(100)])
    }, async (session) => {
      assert.equal(valueOf(await session.run({ op: "get", id: fakeId(1) })).id, wireKey().id)
      assert.equal(valueOf(await session.run({ op: "delete", id: fakeId(1) })), null)
    })),

  test(`${transport}: a response without a body is read as empty: a 204 is ApiError, not a broken body`, (driver) =>
    againstRawServer(driver, transport, (_request, response) => {
      response.writeHead(204)
      response.end()
    }, async (session) => {
      const error = errorOf(await session.run({ op: "delete", id: fakeId(1) }))
      assert.deepEqual([error._tag, error.status], ["ApiError", 204])
    }))
]

export const decoding: Suite = {
  name: "reading and decoding responses",
  tests: [],
  groups: [
    {
      name: "created_at: RFC 3339 date-times only",
      tests: [
        test("a key whose created_at is not RFC 3339 is a DecodeError that names the field; an offset is applied", (driver) =>
          withSession(driver, { fake: { seed: 1 }, client: { retry: false } }, async (session, fake) => {
            for (const createdAt of ["1", "12/31/1999", "2025-08-24T10:30:00"]) {
              fake.injectFault(faults.mapBody((wire) => ({ data: { ...wire.data, created_at: createdAt } })), { operation: "get" })
              const error = errorOf(await session.run({ op: "get", id: fakeId(1) }))
              assert.equal(error._tag, "DecodeError")
              assert.match(error.message, /created_at/)
              assert.match(error.message, /RFC 3339/)
            }
            // and an offset is applied, never the local time zone
            fake.injectFault(faults.mapBody((wire) => ({ data: { ...wire.data, created_at: "2025-08-24T12:30:00.123456+02:00" } })), {
              operation: "get"
            })
            assert.equal(valueOf(await session.run({ op: "get", id: fakeId(1) })).createdAt, "2025-08-24T10:30:00.123Z")
          }))
      ]
    },
    { name: "response bodies over loopback", tests: [...bodyTests("fetch"), ...bodyTests("undici")] }
  ]
}
