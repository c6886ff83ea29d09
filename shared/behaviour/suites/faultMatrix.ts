/**
 * The fault matrix: every operation × every fault, each cell stating the tag the caller gets, how
 * many attempts the server saw, and the server's state afterwards. One set of rows, two routes: in
 * memory on the test clock (`faultMatrix`, the fast tier) and over real HTTP on 127.0.0.1
 * (`faultMatrixLoopback`, the full tier). Retries use the default attempt count with no delay
 * between them (`recurs: 3`), so nothing waits on time; the default timing is asserted exactly on
 * the test clock in `timing.ts`.
 */
import assert from "node:assert/strict"
import { randomUUID } from "node:crypto"
import * as net from "node:net"
import type { Operation } from "../../src/endpoints.js"
import type { FakeApi } from "../../src/fake/fakeApi.js"
import { type Fault, faults } from "../../src/fake/faults.js"
import { type Call, type Driver, type Outcome, type PlainKey, secret, type Session } from "../driver.js"
import {
  apiKeyText,
  assertNoLeaks,
  errorOf,
  fakeSecrets,
  insertKey,
  makeTally,
  providerKeyText,
  requestsOf,
  type Suite,
  type Tally,
  test,
  turns,
  valueOf
} from "../harness.js"
import { type ByokTag, mapWireKeys, type TransportReason, wireKey } from "../wireBodies.js"

type Op = "list" | "stream" | "get" | "create" | "update" | "delete"
const ops: ReadonlyArray<Op> = ["list", "stream", "get", "create", "update", "delete"]

/** The per-attempt timeout of the hang rows. */
const hangTimeoutMillis = 150

/** Page size 2 over 5 keys: pages at offsets 0, 2 and 4. Stream faults hit the second page. */
const streamPageSize = 2
const keysPerWorkspace = 5
const newSlug = "brand-new-provider-2031"

/** Where the fault's handler ran (and so changed state) before the answer went wrong. */
type Handled = "never" | "always" | "create"

interface Expect {
  readonly tag: ByokTag | "success"
  /** Requests the server saw for the operation (for `stream`, including the good first page). */
  readonly attempts: number
}
const E = (tag: ByokTag | "success", attempts: number): Expect => ({ tag, attempts })

interface Row {
  readonly name: string
  /** The fault, given the operation and the client's clock (for a `Retry-After` date). */
  readonly fault: ((op: Op, nowMillis: number) => Fault) | "refused"
  readonly handled: Handled
  /** The `status` the error carries; `success` is the operation's own success status (201 for create). */
  readonly status?: number | "success"
  /** The `reason` of a `TransportError`. */
  readonly reason?: TransportReason
  /** `retryAfter` of a `RateLimited`, in seconds: exact, a [min, max] range, or absent. */
  readonly retryAfter?: number | readonly [number, number] | "absent"
  /** Use the client whose per-attempt timeout is 150 ms. */
  readonly hang?: boolean
  readonly cells: Readonly<Record<Op, Expect>>
}

const validBody = (op: Op): string =>
  JSON.stringify(
    op === "list" || op === "stream"
      ? { data: [wireKey()], total_count: 1 }
      : op === "delete"
      ? { deleted: true }
      : { data: wireKey() }
  )
const tenMegabytes = `{"data":[${"0,".repeat(5 * 1024 * 1024)}0],"total_count":1}`
const htmlPage = (status: number) =>
  `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>`
const inAnHour = (nowMillis: number) => new Date(nowMillis + 3_600_000).toUTCString()

const rows: ReadonlyArray<Row> = [
  {
    name: "400 with the documented body",
    fault: () => faults.status(400),
    handled: "never",
    status: 400,
    cells: {
      list: E("BadRequest", 1),
      stream: E("BadRequest", 2),
      get: E("ApiError", 1),
      create: E("BadRequest", 1),
      update: E("BadRequest", 1),
      delete: E("ApiError", 1)
    }
  },
  {
    name: "401 with the documented body",
    fault: () => faults.status(401),
    handled: "never",
    status: 401,
    cells: {
      list: E("Unauthorized", 1),
      stream: E("Unauthorized", 2),
      get: E("Unauthorized", 1),
      create: E("Unauthorized", 1),
      update: E("Unauthorized", 1),
      delete: E("Unauthorized", 1)
    }
  },
  {
    name: "401 with an undocumented text body",
    fault: () => faults.status(401, { body: "Unauthorized", headers: { "content-type": "text/plain" } }),
    handled: "never",
    status: 401,
    cells: {
      list: E("ApiError", 1),
      stream: E("ApiError", 2),
      get: E("ApiError", 1),
      create: E("ApiError", 1),
      update: E("ApiError", 1),
      delete: E("ApiError", 1)
    }
  },
  {
    name: "403 with the documented body",
    fault: () => faults.status(403),
    handled: "never",
    status: 403,
    cells: {
      list: E("ApiError", 1),
      stream: E("ApiError", 2),
      get: E("ApiError", 1),
      create: E("Forbidden", 1),
      update: E("ApiError", 1),
      delete: E("ApiError", 1)
    }
  },
  {
    name: "404 with the documented body",
    fault: () => faults.status(404),
    handled: "never",
    status: 404,
    cells: {
      list: E("ApiError", 1),
      stream: E("ApiError", 2),
      get: E("NotFound", 1),
      create: E("ApiError", 1),
      update: E("NotFound", 1),
      delete: E("NotFound", 1)
    }
  },
  {
    name: "404 with an undocumented body {}",
    fault: () => faults.status(404, { body: "{}" }),
    handled: "never",
    status: 404,
    cells: {
      list: E("ApiError", 1),
      stream: E("ApiError", 2),
      get: E("ApiError", 1),
      create: E("ApiError", 1),
      update: E("ApiError", 1),
      delete: E("ApiError", 1)
    }
  },
  {
    name: "409",
    fault: () => faults.status(409),
    handled: "never",
    status: 409,
    cells: {
      list: E("ApiError", 1),
      stream: E("ApiError", 2),
      get: E("ApiError", 1),
      create: E("ApiError", 1),
      update: E("ApiError", 1),
      delete: E("ApiError", 1)
    }
  },
  {
    name: "418",
    fault: () => faults.status(418),
    handled: "never",
    status: 418,
    cells: {
      list: E("ApiError", 1),
      stream: E("ApiError", 2),
      get: E("ApiError", 1),
      create: E("ApiError", 1),
      update: E("ApiError", 1),
      delete: E("ApiError", 1)
    }
  },
  {
    name: "429 with Retry-After: 120 (seconds, over the 60 s cap)",
    fault: () => faults.status(429, { headers: { "retry-after": "120" } }),
    handled: "never",
    status: 429,
    retryAfter: 120,
    cells: {
      list: E("RateLimited", 1),
      stream: E("RateLimited", 2),
      get: E("RateLimited", 1),
      create: E("RateLimited", 1),
      update: E("RateLimited", 1),
      delete: E("RateLimited", 1)
    }
  },
  {
    name: "429 with Retry-After as an HTTP date an hour ahead (over the cap)",
    fault: (_, nowMillis) => faults.status(429, { headers: { "retry-after": inAnHour(nowMillis) } }),
    handled: "never",
    status: 429,
    retryAfter: [3590, 3600],
    cells: {
      list: E("RateLimited", 1),
      stream: E("RateLimited", 2),
      get: E("RateLimited", 1),
      create: E("RateLimited", 1),
      update: E("RateLimited", 1),
      delete: E("RateLimited", 1)
    }
  },
  {
    name: "429 without Retry-After",
    fault: () => faults.status(429),
    handled: "never",
    status: 429,
    retryAfter: "absent",
    cells: {
      list: E("RateLimited", 4),
      stream: E("RateLimited", 5),
      get: E("RateLimited", 4),
      create: E("RateLimited", 4),
      update: E("RateLimited", 4),
      delete: E("RateLimited", 4)
    }
  },
  {
    name: "500 with the documented body (a create was stored first)",
    fault: (op) => faults.status(500, { afterHandling: op === "create" }),
    handled: "create",
    status: 500,
    cells: {
      list: E("InternalServer", 4),
      stream: E("InternalServer", 5),
      get: E("InternalServer", 4),
      create: E("InternalServer", 1),
      update: E("InternalServer", 4),
      delete: E("InternalServer", 4)
    }
  },
  {
    name: "500 with an HTML body (a create was stored first)",
    fault: (op) =>
      faults.status(500, { body: htmlPage(500), headers: { "content-type": "text/html" }, afterHandling: op === "create" }),
    handled: "create",
    status: 500,
    cells: {
      list: E("ApiError", 4),
      stream: E("ApiError", 5),
      get: E("ApiError", 4),
      create: E("ApiError", 1),
      update: E("ApiError", 4),
      delete: E("ApiError", 4)
    }
  },
  {
    name: "502 with an HTML proxy page (a create was stored first)",
    fault: (op) =>
      faults.status(502, { body: htmlPage(502), headers: { "content-type": "text/html" }, afterHandling: op === "create" }),
    handled: "create",
    status: 502,
    cells: {
      list: E("ApiError", 4),
      stream: E("ApiError", 5),
      get: E("ApiError", 4),
      create: E("ApiError", 1),
      update: E("ApiError", 4),
      delete: E("ApiError", 4)
    }
  },
  {
    name: "503 (a create was stored first)",
    fault: (op) => faults.status(503, { afterHandling: op === "create" }),
    handled: "create",
    status: 503,
    cells: {
      list: E("ApiError", 4),
      stream: E("ApiError", 5),
      get: E("ApiError", 4),
      create: E("ApiError", 1),
      update: E("ApiError", 4),
      delete: E("ApiError", 4)
    }
  },
  {
    name: "504 (a create was stored first)",
    fault: (op) => faults.status(504, { afterHandling: op === "create" }),
    handled: "create",
    status: 504,
    cells: {
      list: E("ApiError", 4),
      stream: E("ApiError", 5),
      get: E("ApiError", 4),
      create: E("ApiError", 1),
      update: E("ApiError", 4),
      delete: E("ApiError", 4)
    }
  },
  {
    name: "connection refused (a closed port on 127.0.0.1)",
    fault: "refused",
    handled: "never",
    reason: "Refused",
    cells: {
      list: E("TransportError", 4),
      stream: E("TransportError", 4),
      get: E("TransportError", 4),
      create: E("TransportError", 4),
      update: E("TransportError", 4),
      delete: E("TransportError", 4)
    }
  },
  {
    name: "connection reset before the response (a create was stored first)",
    fault: (op) => faults.reset({ afterHandling: op === "create" }),
    handled: "create",
    reason: "Network",
    cells: {
      list: E("TransportError", 4),
      stream: E("TransportError", 5),
      get: E("TransportError", 4),
      create: E("TransportError", 1),
      update: E("TransportError", 4),
      delete: E("TransportError", 4)
    }
  },
  {
    name: "connection reset in the middle of the body (after the server acted)",
    fault: () => faults.resetMidBody,
    handled: "always",
    reason: "BodyInterrupted",
    cells: {
      list: E("TransportError", 4),
      stream: E("TransportError", 5),
      get: E("TransportError", 4),
      create: E("TransportError", 1),
      update: E("TransportError", 4),
      delete: E("TransportError", 4)
    }
  },
  {
    name: "a server that hangs past the 150 ms timeout",
    fault: () => faults.hang,
    handled: "never",
    reason: "Timeout",
    hang: true,
    cells: {
      list: E("TransportError", 4),
      stream: E("TransportError", 5),
      get: E("TransportError", 4),
      create: E("TransportError", 1),
      update: E("TransportError", 4),
      delete: E("TransportError", 4)
    }
  },
  {
    name: "the success status with truncated JSON",
    fault: (op) => faults.body(validBody(op).slice(0, Math.floor(validBody(op).length / 2))),
    handled: "never",
    status: "success",
    cells: {
      list: E("DecodeError", 1),
      stream: E("DecodeError", 2),
      get: E("DecodeError", 1),
      create: E("DecodeError", 1),
      update: E("DecodeError", 1),
      delete: E("DecodeError", 1)
    }
  },
  {
    name: "the success status with valid JSON under a non-JSON content type (text/html)",
    fault: (op) => faults.body(validBody(op), { contentType: "text/html; charset=utf-8" }),
    handled: "never",
    status: "success",
    cells: {
      list: E("DecodeError", 1),
      stream: E("DecodeError", 2),
      get: E("DecodeError", 1),
      create: E("DecodeError", 1),
      update: E("DecodeError", 1),
      delete: E("DecodeError", 1)
    }
  },
  {
    name: "the success status with an empty body",
    fault: () => faults.body(""),
    handled: "never",
    status: "success",
    cells: {
      list: E("DecodeError", 1),
      stream: E("DecodeError", 2),
      get: E("DecodeError", 1),
      create: E("DecodeError", 1),
      update: E("DecodeError", 1),
      delete: E("DecodeError", 1)
    }
  },
  {
    name: "2XX with a required field missing (after the server acted)",
    fault: () =>
      faults.mapBody((wire) => {
        if ("deleted" in wire) return {}
        return mapWireKeys(wire, ({ label: _label, ...rest }) => rest)
      }),
    handled: "always",
    cells: {
      list: E("DecodeError", 1),
      stream: E("DecodeError", 2),
      get: E("DecodeError", 1),
      create: E("DecodeError", 1),
      update: E("DecodeError", 1),
      delete: E("DecodeError", 1)
    }
  },
  {
    name: "2XX with a field of the wrong type (after the server acted)",
    fault: () =>
      faults.mapBody((wire) => {
        if ("deleted" in wire) return { deleted: "true" }
        return mapWireKeys(wire, (key) => ({ ...key, disabled: "false" }))
      }),
    handled: "always",
    cells: {
      list: E("DecodeError", 1),
      stream: E("DecodeError", 2),
      get: E("DecodeError", 1),
      create: E("DecodeError", 1),
      update: E("DecodeError", 1),
      delete: E("DecodeError", 1)
    }
  },
  {
    name: "2XX with an unknown provider slug (decodes)",
    fault: () => faults.mapBody((wire) => mapWireKeys(wire, (key) => ({ ...key, provider: newSlug }))),
    handled: "always",
    cells: {
      list: E("success", 1),
      stream: E("success", 3),
      get: E("success", 1),
      create: E("success", 1),
      update: E("success", 1),
      delete: E("success", 1)
    }
  },
  {
    name: "2XX with extra fields (decodes)",
    fault: () =>
      faults.mapBody((wire) => ({
        ...(mapWireKeys(wire, (key) => ({ ...key, rotated_at: "2031-01-01", usage: { tokens: 1 } })) as object),
        next_cursor: "abc",
        meta: [1, 2, 3]
      })),
    handled: "always",
    cells: {
      list: E("success", 1),
      stream: E("success", 3),
      get: E("success", 1),
      create: E("success", 1),
      update: E("success", 1),
      delete: E("success", 1)
    }
  },
  {
    name: "another 2XX than the contract's (200 for create, 201 for the rest) with a valid body",
    fault: (op) => faults.body(validBody(op), { status: op === "create" ? 200 : 201 }),
    handled: "never",
    cells: {
      list: E("ApiError", 1),
      stream: E("ApiError", 2),
      get: E("ApiError", 1),
      create: E("ApiError", 1),
      update: E("ApiError", 1),
      delete: E("ApiError", 1)
    }
  },
  {
    name: "the success status with a 10 MB body (content-length over the 4 MiB limit)",
    fault: () => faults.body(tenMegabytes),
    handled: "never",
    status: "success",
    cells: {
      list: E("DecodeError", 1),
      stream: E("DecodeError", 2),
      get: E("DecodeError", 1),
      create: E("DecodeError", 1),
      update: E("DecodeError", 1),
      delete: E("DecodeError", 1)
    }
  }
]

/** What the server holds for one cell, set up before the operation runs. */
interface CellSetup {
  readonly workspaceId: string
  readonly ids: ReadonlyArray<string>
  readonly key: string
}

let cellNumber = 0

const setUp = (fake: FakeApi, op: Op, cell: number): CellSetup => {
  const workspaceId = randomUUID()
  const count = op === "list" || op === "stream" ? keysPerWorkspace : op === "create" ? 0 : 1
  const ids = Array.from({ length: count }, (_, i) =>
    insertKey(fake, {
      provider: i % 2 === 0 ? "openai" : "anthropic",
      name: `cell ${cell} key ${i}`,
      workspaceId,
      secret: providerKeyText(`seed-${cell}-${i}`)
    }))
  return { workspaceId, ids, key: providerKeyText(`create-${cell}`) }
}

/** The call of `op` for a cell. */
const callOf = (op: Op, setup: CellSetup): Call => {
  switch (op) {
    case "list":
      return { op: "list", options: { workspaceId: setup.workspaceId, limit: 10 } }
    case "stream":
      return { op: "stream", options: { workspaceId: setup.workspaceId, pageSize: streamPageSize } }
    case "get":
      return { op: "get", id: setup.ids[0], options: { workspaceId: setup.workspaceId } }
    case "create":
      return { op: "create", input: { provider: "openai", key: secret(setup.key), name: "created", workspaceId: setup.workspaceId } }
    case "update":
      return { op: "update", id: setup.ids[0], input: { name: "renamed" } }
    case "delete":
      return { op: "delete", id: setup.ids[0] }
  }
}

const operationOf = (op: Op): Operation => op === "stream" ? "list" : op

/**
 * What the server holds afterwards in the cell's workspace. A fault whose handler ran first (the
 * server acted, then the answer went wrong) leaves the operation's effect; any other fault leaves
 * nothing changed. A create is never stored twice.
 */
const stateAfter = (row: Row, op: Op): { readonly count: number; readonly renamed: boolean; readonly label: string } => {
  const acted = row.fault !== "refused" &&
    (row.handled === "always" || (row.handled === "create" && op === "create") || row.cells[op].tag === "success")
  switch (op) {
    case "list":
    case "stream":
      return { count: keysPerWorkspace, renamed: false, label: `${keysPerWorkspace} keys, unchanged` }
    case "get":
      return { count: 1, renamed: false, label: "1 key, unchanged" }
    case "create":
      return { count: acted ? 1 : 0, renamed: false, label: acted ? "stored once" : "nothing stored" }
    case "update":
      return { count: 1, renamed: acted, label: acted ? "1 key, renamed" : "1 key, unchanged" }
    case "delete":
      return { count: acted ? 0 : 1, renamed: false, label: acted ? "deleted" : "kept" }
  }
}

/** A port on 127.0.0.1 that nothing listens on: a connection there is refused. */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

/** How a matrix reaches the fake. */
interface Route {
  readonly name: string
  readonly transport: "memory" | "fetch"
  /** Over loopback, a refused connection goes to a closed port; in memory the fake acts it out, after logging it. */
  readonly refusedIsLogged: boolean
  /** Over loopback, a hang is timed out on real time; in memory by moving the test clock. */
  readonly hangOnRealTime: boolean
}

const inMemory: Route = { name: "in memory", transport: "memory", refusedIsLogged: true, hangOnRealTime: false }
const overLoopback: Route = { name: "loopback", transport: "fetch", refusedIsLogged: false, hangOnRealTime: true }

/** The requests the fake saw for an operation of the matrix. */
const seenFor = (fake: FakeApi, op: Op) => requestsOf(fake, operationOf(op))

/**
 * Runs the call; on the test clock, each hung attempt is timed out by moving the clock once the
 * fake has received it.
 */
const execute = async (route: Route, session: Session, fake: FakeApi, op: Op, hang: boolean, call: Call): Promise<Outcome> => {
  if (!hang || route.hangOnRealTime) return session.run(call)
  const running = session.start(call)
  let timedOut = 0
  while (!running.ended()) {
    if (seenFor(fake, op).length > timedOut) {
      timedOut++
      await session.advance(hangTimeoutMillis)
    } else {
      await turns(1)
    }
  }
  return running.done
}

/** Opens the cell's session: the fake over the route, the client with the matrix's settings. */
const cellSession = async (driver: Driver, route: Route, fake: FakeApi, options: { readonly hang: boolean; readonly refused: boolean }) => {
  const refusedBaseUrl = options.refused && !route.refusedIsLogged ? `http://127.0.0.1:${await closedPort()}/api/v1` : undefined
  return driver.open({
    fake,
    transport: route.transport,
    clock: options.hang && route.hangOnRealTime ? "live" : "test",
    client: {
      retry: { recurs: 3 },
      ...(options.hang ? { timeoutMillis: hangTimeoutMillis } : {}),
      ...(refusedBaseUrl !== undefined ? { baseUrl: refusedBaseUrl } : {})
    }
  })
}

const methodOf: Readonly<Record<Op, string>> = { list: "GET", stream: "GET", get: "GET", create: "POST", update: "PATCH", delete: "DELETE" }

/** One cell of the matrix: sets it up, runs it over the route, and checks attempts, outcome, state and leaks. */
const runCell = async (driver: Driver, route: Route, tally: Tally, row: Row, op: Op): Promise<void> => {
  const fake = driver.makeFake({ apiKey: apiKeyText })
  const cell = ++cellNumber
  const expected = row.cells[op]
  const setup = setUp(fake, op, cell)
  const refused = row.fault === "refused"
  const session = await cellSession(driver, route, fake, { hang: row.hang === true, refused })
  let outcome: Outcome
  try {
    if (row.fault === "refused") {
      if (route.refusedIsLogged) fake.injectFault(faults.refuse, { operation: operationOf(op), times: 8 })
    } else {
      if (op === "stream") fake.injectFault(faults.mapBody((wire) => wire), { operation: "list", times: 1 })
      fake.injectFault(row.fault(op, await session.nowMillis()), { operation: operationOf(op), times: 8 })
    }
    outcome = await execute(route, session, fake, op, row.hang === true, callOf(op, setup))
  } finally {
    await session.close()
  }

  // Attempts: what the server saw for this operation (a refused connection reaches no real server).
  const seen = seenFor(fake, op)
  if (refused && !route.refusedIsLogged) {
    assert.equal(seen.length, 0)
    assert.equal(outcome.attemptTimes.length, expected.attempts)
  } else {
    assert.equal(seen.length, expected.attempts, "requests the server saw")
    assert.equal(outcome.attemptTimes.length, seen.length, "attempts the client made")
    assert.ok(seen.every((r) => r.authorized))
  }

  // The outcome.
  if (expected.tag === "success") {
    const value = valueOf(outcome)
    if (op === "list") {
      assert.deepEqual(value.data.map((k: PlainKey) => k.id), setup.ids)
      assert.equal(value.totalCount, keysPerWorkspace)
    } else if (op === "stream") {
      assert.deepEqual(value.map((k: PlainKey) => k.id), setup.ids)
      if (row.name.includes("unknown provider")) {
        assert.deepEqual(value.slice(streamPageSize).map((k: PlainKey) => k.provider), [newSlug, newSlug, newSlug])
      }
    } else if (op !== "delete") {
      assert.equal(typeof value.id, "string")
      if (op !== "create") assert.equal(value.id, setup.ids[0])
      if (row.name.includes("unknown provider")) assert.equal(value.provider, newSlug)
    }
  } else {
    const error = errorOf(outcome)
    assert.equal(error._tag, expected.tag)
    assert.equal(error.method, methodOf[op])
    if (row.status === "success") assert.equal(error.status, op === "create" ? 201 : 200)
    else if (row.status !== undefined) assert.equal(error.status, row.status)
    if (row.reason !== undefined) assert.equal(error.reason, row.reason)
    if (row.retryAfter === "absent") assert.equal(error.retryAfterMillis, undefined)
    else if (typeof row.retryAfter === "number") assert.equal(error.retryAfterMillis, row.retryAfter * 1000)
    else if (row.retryAfter !== undefined) {
      const seconds = Number(error.retryAfterMillis) / 1000
      assert.ok(seconds >= row.retryAfter[0] && seconds <= row.retryAfter[1], `retryAfter ${seconds} s`)
    }
    if (op === "stream") {
      // The first page arrived; nothing after the fault, nothing twice.
      assert.deepEqual(outcome.emitted.map((k) => k.id), refused ? [] : setup.ids.slice(0, streamPageSize))
    }
  }

  // The server's state afterwards: the credentials in the cell's workspace.
  const stored = fake.credentials()
  const inWorkspace = stored.filter((c) => c.wire.workspace_id === setup.workspaceId)
  const state = stateAfter(row, op)
  assert.equal(inWorkspace.length, state.count)
  switch (op) {
    case "list":
    case "stream":
    case "get":
      assert.deepEqual(inWorkspace.map((c) => c.wire.id), setup.ids)
      break
    case "create": {
      const copies = stored.filter((c) => c.secret === setup.key).length
      tally.duplicates += Math.max(0, copies - 1)
      assert.equal(copies, state.count)
      break
    }
    case "update":
      assert.equal(inWorkspace[0]!.wire.name, state.renamed ? "renamed" : `cell ${cell} key 0`)
      break
    case "delete":
      assert.deepEqual(inWorkspace.map((c) => c.wire.id), state.count === 1 ? setup.ids : [])
      break
  }

  // Nothing secret in anything the operation produced.
  assertNoLeaks(outcome, [setup.key, ...fakeSecrets(fake)], tally)
  tally.scenarios++
  const faultySuccessPages = op === "stream" && expected.tag === "success" ? 2 : 0
  tally.faults += expected.tag === "success"
    ? (op === "stream" ? faultySuccessPages : expected.attempts)
    : op === "stream" && !refused
    ? expected.attempts - 1
    : expected.attempts
}

/**
 * Transient faults: the fault happens once, then the server answers normally. Idempotent
 * operations recover on the second attempt; a create retries only what certainly never acted.
 */
interface TransientRow {
  readonly name: string
  readonly fault: (op: Op) => Fault
  readonly hang?: boolean
  /** What a create ends with, and whether it stored the key. */
  readonly create: { readonly tag: ByokTag | "success"; readonly attempts: number; readonly stored: 0 | 1 }
}

const transientRows: ReadonlyArray<TransientRow> = [
  { name: "429 without Retry-After", fault: () => faults.status(429), create: { tag: "success", attempts: 2, stored: 1 } },
  {
    name: "429 with Retry-After: 0",
    fault: () => faults.status(429, { headers: { "retry-after": "0" } }),
    create: { tag: "success", attempts: 2, stored: 1 }
  },
  {
    name: "500 (a create was stored first)",
    fault: (op) => faults.status(500, { afterHandling: op === "create" }),
    create: { tag: "InternalServer", attempts: 1, stored: 1 }
  },
  {
    name: "502 HTML page (a create was stored first)",
    fault: (op) =>
      faults.status(502, { body: htmlPage(502), headers: { "content-type": "text/html" }, afterHandling: op === "create" }),
    create: { tag: "ApiError", attempts: 1, stored: 1 }
  },
  {
    name: "503 (a create was stored first)",
    fault: (op) => faults.status(503, { afterHandling: op === "create" }),
    create: { tag: "ApiError", attempts: 1, stored: 1 }
  },
  {
    name: "504 (a create was stored first)",
    fault: (op) => faults.status(504, { afterHandling: op === "create" }),
    create: { tag: "ApiError", attempts: 1, stored: 1 }
  },
  {
    name: "reset before the response (a create was stored first)",
    fault: (op) => faults.reset({ afterHandling: op === "create" }),
    create: { tag: "TransportError", attempts: 1, stored: 1 }
  },
  {
    name: "reset in the middle of the body (after the server acted)",
    fault: () => faults.resetMidBody,
    create: { tag: "TransportError", attempts: 1, stored: 1 }
  },
  {
    name: "one hang past the 150 ms timeout",
    fault: () => faults.hang,
    hang: true,
    create: { tag: "TransportError", attempts: 1, stored: 0 }
  }
]

/** One transient cell: the fault once, then normal answers. */
const runTransient = async (driver: Driver, route: Route, tally: Tally, row: TransientRow, op: Op): Promise<void> => {
  const fake = driver.makeFake({ apiKey: apiKeyText })
  const cell = ++cellNumber
  const setup = setUp(fake, op, cell)
  if (op === "stream") fake.injectFault(faults.mapBody((wire) => wire), { operation: "list", times: 1 })
  fake.injectFault(row.fault(op), { operation: operationOf(op), times: 1 })
  const session = await cellSession(driver, route, fake, { hang: row.hang === true, refused: false })
  let outcome: Outcome
  try {
    outcome = await execute(route, session, fake, op, row.hang === true, callOf(op, setup))
  } finally {
    await session.close()
  }
  const seen = seenFor(fake, op)
  const stored = fake.credentials()
  const inWorkspace = stored.filter((c) => c.wire.workspace_id === setup.workspaceId)

  if (op === "create") {
    assert.equal(seen.length, row.create.attempts)
    if (row.create.tag === "success") {
      assert.deepEqual(inWorkspace.map((c) => c.wire.id), [valueOf(outcome).id])
    } else {
      assert.equal(errorOf(outcome)._tag, row.create.tag)
    }
    const copies = stored.filter((c) => c.secret === setup.key).length
    tally.duplicates += Math.max(0, copies - 1)
    assert.equal(copies, row.create.stored)
  } else {
    const value = valueOf(outcome)
    // The failed attempt and the good one; a stream also reads its other two pages once each.
    assert.equal(seen.length, op === "stream" ? 4 : 2)
    if (op === "stream") {
      assert.deepEqual(value.map((k: PlainKey) => k.id), setup.ids)
      assert.deepEqual(seen.map((r) => r.query.offset), ["0", "2", "2", "4"])
    }
    if (op === "list") assert.deepEqual(value.data.map((k: PlainKey) => k.id), setup.ids)
    if (op === "get") assert.equal(value.id, setup.ids[0])
    if (op === "update") {
      assert.equal(value.name, "renamed")
      assert.equal(inWorkspace[0]!.wire.name, "renamed")
    }
    if (op === "delete") assert.equal(inWorkspace.length, 0)
    if (op === "list" || op === "stream" || op === "get") assert.deepEqual(inWorkspace.map((c) => c.wire.id), setup.ids)
  }
  assert.equal(outcome.attemptTimes.length, seen.length)
  assertNoLeaks(outcome, [setup.key, ...fakeSecrets(fake)], tally)
  tally.scenarios++
  tally.faults++
}

/** The title of a cell, with what it expects. */
const cellTitle = (row: Row, op: Op) => {
  const { attempts, tag } = row.cells[op]
  return `${op} × ${row.name} → ${tag}, ${attempts} attempt(s), ${stateAfter(row, op).label}`
}

/** The title of a transient cell, with what it expects. */
const transientTitle = (row: TransientRow, op: Op) =>
  `${op} × ${row.name} once → ${
    op === "create" ? `${row.create.tag}, ${row.create.attempts} attempt(s), stored ${row.create.stored}` : "recovers"
  }`

/** Every cell and transient cell of the rows `which` selects, over `route`. */
const cells = (route: Route, tally: Tally, which: (row: { readonly hang?: boolean }) => boolean) => [
  ...rows.filter(which).flatMap((row) => ops.map((op) => test(cellTitle(row, op), (driver) => runCell(driver, route, tally, row, op)))),
  ...transientRows.filter(which).flatMap((row) =>
    ops.map((op) => test(transientTitle(row, op), (driver) => runTransient(driver, route, tally, row, op)))
  )
]

const memoryTally = makeTally("faultMatrix")

/** The matrix in memory, on the test clock: a hung attempt is timed out by moving the clock. */
export const faultMatrix: Suite = {
  name: "fault matrix in memory, on the test clock",
  tally: memoryTally,
  tests: cells(inMemory, memoryTally, () => true)
}

const loopbackTally = makeTally("faultMatrix.loopback")

/**
 * The matrix over real HTTP on 127.0.0.1, through the platform's fetch client and real sockets, so
 * resets, broken-off bodies and refused connections are the operating system's own. Cells run on
 * the test clock (retries do not wait), except the hang rows: there the 150 ms timeout runs on real time.
 */
export const faultMatrixLoopback: Suite = {
  name: "fault matrix over loopback HTTP",
  tally: loopbackTally,
  tests: cells(overLoopback, loopbackTally, () => true)
}
