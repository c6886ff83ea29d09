/**
 * The fault matrix: every operation × every fault, each cell stating the tag the caller gets, how
 * many attempts the server saw, and the server's state afterwards. One set of rows, two drivers:
 * in memory under the TestClock (`faultMatrix.test.ts`, the fast tier) and over real HTTP on
 * 127.0.0.1 (`faultMatrix.loopback.full.test.ts`). Retries use the default attempt count with no
 * delay between them (`Schedule.recurs(3)`), so nothing waits on time; the default timing is
 * asserted exactly under the TestClock in timing.test.ts.
 */
import { Clock, Duration, Effect, Fiber, type Layer, Redacted, Schedule, Stream, TestClock } from "effect"
import type { HttpClient } from "@effect/platform"
import { randomUUID } from "node:crypto"
import { expect } from "vitest"
import type { ByokError, ByokKey, ByokService } from "../../src/index.js"
import { FakeByokApi, type Fault as FaultT, Fault } from "../../src/testing.js"
import {
  type ByokTag,
  countedClient,
  failureOf,
  mapWireKeys,
  providerKeyText,
  Recorder,
  type Tally,
  valueOf,
  wireKey
} from "./support.js"

export type Op = "list" | "stream" | "get" | "create" | "update" | "delete"
export const ops: ReadonlyArray<Op> = ["list", "stream", "get", "create", "update", "delete"]

/** The default's attempt count (4), with no delay: a TestClock never has to move for a retry. */
const retryNow = Schedule.recurs(3)
/** The per-attempt timeout of the hang rows. */
const hangTimeout = Duration.millis(150)

/**
 * How a matrix reaches the fake: the HttpClient to use, where a refused connection goes, and how an
 * operation that meets a hang is driven past its timeouts.
 */
export interface Driver {
  readonly name: string
  /** The transport, and the base URL of the fake over it. */
  readonly transport: Effect.Effect<{ readonly httpClient: Layer.Layer<HttpClient.HttpClient>; readonly baseUrl: string }, never, any>
  /** A base URL whose connections are refused, or `undefined` to have the fake act out the refusal. */
  readonly refusedBaseUrl: Effect.Effect<string | undefined>
  /** Whether the fake logs a refused connection (in memory it sees the request before refusing it). */
  readonly refusedIsLogged: boolean
  /**
   * Runs an operation whose attempts hang: `attemptsSeen` tells how many the server has received.
   * In memory, each hung attempt is timed out by moving the TestClock past `hangTimeout`.
   */
  readonly runHanging: <A, E, R>(self: Effect.Effect<A, E, R>, attemptsSeen: Effect.Effect<number, never, FakeByokApi>) => Effect.Effect<A, E, R | FakeByokApi>
}

/** Times out each hung attempt by moving the TestClock once the fake has received it. */
export const runHangingOnTestClock = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  attemptsSeen: Effect.Effect<number, never, FakeByokApi>
): Effect.Effect<A, E, R | FakeByokApi> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(self)
    let timedOut = 0
    while (fiber.unsafePoll() === null) {
      if ((yield* attemptsSeen) > timedOut) {
        timedOut++
        yield* TestClock.adjust(hangTimeout)
      } else {
        yield* Effect.yieldNow()
      }
    }
    return yield* Fiber.join(fiber)
  })


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

export interface Row {
  readonly name: string
  /** The fault, given the operation and the client's clock (for a `Retry-After` date). */
  readonly fault: ((op: Op, nowMillis: number) => FaultT) | "refused"
  readonly handled: Handled
  /** The `status` the error carries; `success` is the operation's own success status (201 for create). */
  readonly status?: number | "success"
  /** The `reason` of a `TransportError`. */
  readonly reason?: ByokError.TransportError["reason"]
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

export const rows: ReadonlyArray<Row> = [
  {
    name: "400 with the documented body",
    fault: () => Fault.status(400),
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
    fault: () => Fault.status(401),
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
    fault: () => Fault.status(401, { body: "Unauthorized", headers: { "content-type": "text/plain" } }),
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
    fault: () => Fault.status(403),
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
    fault: () => Fault.status(404),
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
    fault: () => Fault.status(404, { body: "{}" }),
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
    fault: () => Fault.status(409),
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
    fault: () => Fault.status(418),
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
    fault: () => Fault.status(429, { headers: { "retry-after": "120" } }),
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
    fault: (_, nowMillis) => Fault.status(429, { headers: { "retry-after": inAnHour(nowMillis) } }),
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
    fault: () => Fault.status(429),
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
    fault: (op) => Fault.status(500, { afterHandling: op === "create" }),
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
      Fault.status(500, { body: htmlPage(500), headers: { "content-type": "text/html" }, afterHandling: op === "create" }),
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
      Fault.status(502, { body: htmlPage(502), headers: { "content-type": "text/html" }, afterHandling: op === "create" }),
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
    fault: (op) => Fault.status(503, { afterHandling: op === "create" }),
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
    fault: (op) => Fault.status(504, { afterHandling: op === "create" }),
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
    fault: (op) => Fault.reset({ afterHandling: op === "create" }),
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
    fault: () => Fault.resetMidBody,
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
    fault: () => Fault.hang,
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
    fault: (op) => Fault.body(validBody(op).slice(0, Math.floor(validBody(op).length / 2))),
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
    fault: (op) => Fault.body(validBody(op), { contentType: "text/html; charset=utf-8" }),
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
    fault: () => Fault.body(""),
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
      Fault.mapBody((wire) => {
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
      Fault.mapBody((wire) => {
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
    fault: () => Fault.mapBody((wire) => mapWireKeys(wire, (key) => ({ ...key, provider: newSlug }))),
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
      Fault.mapBody((wire) => ({
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
    fault: (op) => Fault.body(validBody(op), { status: op === "create" ? 200 : 201 }),
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
    fault: () => Fault.body(tenMegabytes),
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

const setUp = (op: Op, cell: number) =>
  Effect.gen(function*() {
    const fake = yield* FakeByokApi
    yield* fake.clearFaults
    yield* fake.clearRequests
    const workspaceId = randomUUID()
    const count = op === "list" || op === "stream" ? keysPerWorkspace : op === "create" ? 0 : 1
    const ids: Array<string> = []
    for (let i = 0; i < count; i++) {
      ids.push(
        yield* fake.insert({
          provider: i % 2 === 0 ? "openai" : "anthropic",
          name: `cell ${cell} key ${i}`,
          workspaceId,
          secret: providerKeyText(`seed-${cell}-${i}`)
        })
      )
    }
    return { workspaceId, ids, key: providerKeyText(`create-${cell}`) } satisfies CellSetup
  })

/** Runs `op`; a stream's keys go to `emitted` as they arrive, so a failed stream still shows what it gave. */
const run = (
  byok: ByokService,
  op: Op,
  setup: CellSetup,
  emitted: Array<ByokKey>
): Effect.Effect<unknown, ByokError.ByokError> => {
  switch (op) {
    case "list":
      return Effect.map(byok.list({ workspaceId: setup.workspaceId, limit: 10 }), (page) => ({ page }))
    case "stream":
      return Effect.as(
        Stream.runForEach(
          byok.stream({ workspaceId: setup.workspaceId, pageSize: streamPageSize }),
          (key) => Effect.sync(() => emitted.push(key))
        ),
        { emitted }
      )
    case "get":
      return Effect.map(byok.get(setup.ids[0]!), (key) => ({ key }))
    case "create":
      return Effect.map(
        byok.create({ provider: "openai", key: Redacted.make(setup.key), name: "created", workspaceId: setup.workspaceId }),
        (key) => ({ key })
      )
    case "update":
      return Effect.map(byok.update(setup.ids[0]!, { name: "renamed" }), (key) => ({ key }))
    case "delete":
      return Effect.as(byok.delete(setup.ids[0]!), {})
  }
}

const operationOf = (op: Op) => op === "stream" ? "list" : op

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

let cellNumber = 0

/** The counted client of one cell, over the driver's transport (or towards its refusing address). */
const cellClient = (driver: Driver, options: { readonly hang: boolean; readonly refused: boolean }) =>
  Effect.gen(function*() {
    const { baseUrl, httpClient } = yield* driver.transport
    const refusedBaseUrl = options.refused ? yield* driver.refusedBaseUrl : undefined
    return yield* countedClient(
      { baseUrl: refusedBaseUrl ?? baseUrl, retry: retryNow, ...(options.hang ? { timeout: hangTimeout } : {}) },
      httpClient
    )
  })

/** The requests the fake saw for an operation of the matrix. */
const seenFor = (op: Op) =>
  Effect.map(Effect.flatMap(FakeByokApi, (fake) => fake.requests), (requests) =>
    requests.filter((r) => r.operation === operationOf(op)))

/** Runs an operation as the driver runs hanging ones when `hang`, plainly otherwise. */
const execute = <A, E, R>(driver: Driver, op: Op, hang: boolean | undefined, self: Effect.Effect<A, E, R>) =>
  hang === true ? driver.runHanging(self, Effect.map(seenFor(op), (seen) => seen.length)) : self

/** One cell of the matrix: sets it up, runs it through `driver`, and checks attempts, outcome, state and leaks. */
export const runCell = (driver: Driver, tally: Tally, row: Row, op: Op) =>
  Effect.gen(function*() {
    const fake = yield* FakeByokApi
    const cell = ++cellNumber
    const expected = row.cells[op]
    const setup = yield* setUp(op, cell)
    const refused = row.fault === "refused"
    const refusedBaseUrl = refused ? yield* driver.refusedBaseUrl : undefined

    if (row.fault === "refused") {
      if (refusedBaseUrl === undefined) yield* fake.injectFault(Fault.refuse, { operation: operationOf(op), times: 8 })
    } else {
      if (op === "stream") yield* fake.injectFault(Fault.mapBody((wire) => wire), { operation: "list", times: 1 })
      yield* fake.injectFault(row.fault(op, yield* Clock.currentTimeMillis), { operation: operationOf(op), times: 8 })
    }
    const client = yield* cellClient(driver, { hang: row.hang === true, refused })
    const recorder = new Recorder()
    const emitted: Array<ByokKey> = []
    const exit = yield* recorder.observe(execute(driver, op, row.hang, run(client.byok, op, setup, emitted)))

    // Attempts: what the server saw for this operation (a refused connection reaches no real server).
    const seen = yield* seenFor(op)
    if (refused && !driver.refusedIsLogged) {
      expect(seen.length).toBe(0)
      expect(client.attempts()).toBe(expected.attempts)
    } else {
      expect(seen.length).toBe(expected.attempts)
      expect(client.attempts()).toBe(seen.length)
      expect(seen.every((r) => r.authorized)).toBe(true)
    }

    // The outcome.
    if (expected.tag === "success") {
      const value: any = valueOf(exit)
      if (op === "list") {
        expect(value.page.data.map((k: any) => k.id)).toEqual(setup.ids)
        expect(value.page.totalCount).toBe(keysPerWorkspace)
      } else if (op === "stream") {
        expect(value.emitted.map((k: any) => k.id)).toEqual(setup.ids)
        if (row.name.includes("unknown provider")) {
          expect(value.emitted.slice(streamPageSize).map((k: any) => k.provider)).toEqual([newSlug, newSlug, newSlug])
        }
      } else if (op !== "delete") {
        expect(typeof value.key.id).toBe("string")
        if (op !== "create") expect(value.key.id).toBe(setup.ids[0])
        if (row.name.includes("unknown provider")) expect(value.key.provider).toBe(newSlug)
      }
    } else {
      const error: any = failureOf(exit)
      expect(error._tag).toBe(expected.tag)
      expect(error.method).toBe({ list: "GET", stream: "GET", get: "GET", create: "POST", update: "PATCH", delete: "DELETE" }[op])
      if (row.status === "success") expect(error.status).toBe(op === "create" ? 201 : 200)
      else if (row.status !== undefined) expect(error.status).toBe(row.status)
      if (row.reason !== undefined) expect(error.reason).toBe(row.reason)
      if (row.retryAfter === "absent") expect(error.retryAfter).toBeUndefined()
      else if (typeof row.retryAfter === "number") {
        expect(Duration.toSeconds(error.retryAfter)).toBe(row.retryAfter)
      } else if (row.retryAfter !== undefined) {
        expect(Duration.toSeconds(error.retryAfter)).toBeGreaterThanOrEqual(row.retryAfter[0])
        expect(Duration.toSeconds(error.retryAfter)).toBeLessThanOrEqual(row.retryAfter[1])
      }
      if (op === "stream") {
        // The first page arrived; nothing after the fault, nothing twice.
        const expectedPrefix = refused ? [] : setup.ids.slice(0, streamPageSize)
        expect(emitted.map((k) => k.id)).toEqual(expectedPrefix)
      }
    }

    // The server's state afterwards: the credentials in the cell's workspace.
    const stored = yield* fake.credentials
    const inWorkspace = stored.filter((c) => c.key.workspaceId === setup.workspaceId)
    const state = stateAfter(row, op)
    expect(inWorkspace.length).toBe(state.count)
    switch (op) {
      case "list":
      case "stream":
      case "get":
        expect(inWorkspace.map((c) => c.key.id)).toEqual(setup.ids)
        break
      case "create": {
        const copies = stored.filter((c) => Redacted.value(c.secret) === setup.key).length
        tally.duplicates += Math.max(0, copies - 1)
        expect(copies).toBe(state.count)
        break
      }
      case "update":
        expect(inWorkspace[0]!.key.name).toBe(state.renamed ? "renamed" : `cell ${cell} key 0`)
        break
      case "delete":
        expect(inWorkspace.map((c) => c.key.id)).toEqual(state.count === 1 ? setup.ids : [])
        break
    }

    // Nothing secret in anything the operation produced.
    recorder.expectNoLeaks(
      [setup.key, ...stored.map((c) => Redacted.value(c.secret)), Redacted.value(fake.apiKey)],
      tally
    )
    tally.scenarios++
    const faultySuccessPages = op === "stream" && expected.tag === "success" ? 2 : 0
    tally.faults += expected.tag === "success"
      ? (op === "stream" ? faultySuccessPages : expected.attempts)
      : op === "stream" && !refused
      ? expected.attempts - 1
      : expected.attempts
  })

/**
 * Transient faults: the fault happens once, then the server answers normally. Idempotent
 * operations recover on the second attempt; a create retries only what certainly never acted.
 */
export interface TransientRow {
  readonly name: string
  readonly fault: (op: Op) => FaultT
  readonly hang?: boolean
  /** What a create ends with, and whether it stored the key. */
  readonly create: { readonly tag: ByokTag | "success"; readonly attempts: number; readonly stored: 0 | 1 }
}

export const transientRows: ReadonlyArray<TransientRow> = [
  { name: "429 without Retry-After", fault: () => Fault.status(429), create: { tag: "success", attempts: 2, stored: 1 } },
  {
    name: "429 with Retry-After: 0",
    fault: () => Fault.status(429, { headers: { "retry-after": "0" } }),
    create: { tag: "success", attempts: 2, stored: 1 }
  },
  {
    name: "500 (a create was stored first)",
    fault: (op) => Fault.status(500, { afterHandling: op === "create" }),
    create: { tag: "InternalServer", attempts: 1, stored: 1 }
  },
  {
    name: "502 HTML page (a create was stored first)",
    fault: (op) =>
      Fault.status(502, { body: htmlPage(502), headers: { "content-type": "text/html" }, afterHandling: op === "create" }),
    create: { tag: "ApiError", attempts: 1, stored: 1 }
  },
  {
    name: "503 (a create was stored first)",
    fault: (op) => Fault.status(503, { afterHandling: op === "create" }),
    create: { tag: "ApiError", attempts: 1, stored: 1 }
  },
  {
    name: "504 (a create was stored first)",
    fault: (op) => Fault.status(504, { afterHandling: op === "create" }),
    create: { tag: "ApiError", attempts: 1, stored: 1 }
  },
  {
    name: "reset before the response (a create was stored first)",
    fault: (op) => Fault.reset({ afterHandling: op === "create" }),
    create: { tag: "TransportError", attempts: 1, stored: 1 }
  },
  {
    name: "reset in the middle of the body (after the server acted)",
    fault: () => Fault.resetMidBody,
    create: { tag: "TransportError", attempts: 1, stored: 1 }
  },
  {
    name: "one hang past the 150 ms timeout",
    fault: () => Fault.hang,
    hang: true,
    create: { tag: "TransportError", attempts: 1, stored: 0 }
  }
]

/** One transient cell: the fault once, then normal answers. */
export const runTransient = (driver: Driver, tally: Tally, row: TransientRow, op: Op) =>
  Effect.gen(function*() {
    const fake = yield* FakeByokApi
    const cell = ++cellNumber
    const setup = yield* setUp(op, cell)
    if (op === "stream") yield* fake.injectFault(Fault.mapBody((wire) => wire), { operation: "list", times: 1 })
    yield* fake.injectFault(row.fault(op), { operation: operationOf(op), times: 1 })
    const client = yield* cellClient(driver, { hang: row.hang === true, refused: false })
    const recorder = new Recorder()
    const exit = yield* recorder.observe(execute(driver, op, row.hang, run(client.byok, op, setup, [])))
    const seen = yield* seenFor(op)
    const stored = yield* fake.credentials
    const inWorkspace = stored.filter((c) => c.key.workspaceId === setup.workspaceId)

    if (op === "create") {
      expect(seen.length).toBe(row.create.attempts)
      if (row.create.tag === "success") {
        const made: any = valueOf(exit)
        expect(inWorkspace.map((c) => c.key.id)).toEqual([made.key.id])
      } else {
        expect((failureOf(exit) as any)._tag).toBe(row.create.tag)
      }
      const copies = stored.filter((c) => Redacted.value(c.secret) === setup.key).length
      tally.duplicates += Math.max(0, copies - 1)
      expect(copies).toBe(row.create.stored)
    } else {
      const value: any = valueOf(exit)
      // The failed attempt and the good one; a stream also reads its other two pages once each.
      expect(seen.length).toBe(op === "stream" ? 4 : 2)
      if (op === "stream") {
        expect(value.emitted.map((k: any) => k.id)).toEqual(setup.ids)
        expect(seen.map((r) => r.query.offset)).toEqual(["0", "2", "2", "4"])
      }
      if (op === "list") expect(value.page.data.map((k: any) => k.id)).toEqual(setup.ids)
      if (op === "get") expect(value.key.id).toBe(setup.ids[0])
      if (op === "update") {
        expect(value.key.name).toBe("renamed")
        expect(inWorkspace[0]!.key.name).toBe("renamed")
      }
      if (op === "delete") expect(inWorkspace.length).toBe(0)
      if (op === "list" || op === "stream" || op === "get") expect(inWorkspace.map((c) => c.key.id)).toEqual(setup.ids)
    }
    expect(client.attempts()).toBe(seen.length)
    recorder.expectNoLeaks(
      [setup.key, ...stored.map((c) => Redacted.value(c.secret)), Redacted.value(fake.apiKey)],
      tally
    )
    tally.scenarios++
    tally.faults++
  })

/** The title of a cell, with what it expects. */
export const cellTitle = (row: Row, op: Op) => {
  const { attempts, tag } = row.cells[op]
  return `${op} × ${row.name} → ${tag}, ${attempts} attempt(s), ${stateAfter(row, op).label}`
}

/** The title of a transient cell, with what it expects. */
export const transientTitle = (row: TransientRow, op: Op) =>
  `${op} × ${row.name} once → ${
    op === "create" ? `${row.create.tag}, ${row.create.attempts} attempt(s), stored ${row.create.stored}` : "recovers"
  }`
