/**
 * The fault matrix over real HTTP on 127.0.0.1: the same rows as `faultMatrix.test.ts`, through
 * `FetchHttpClient` and real sockets, so resets, broken-off bodies and refused connections are the
 * operating system's own. Cells run on the TestClock (retries do not wait), except the hang rows,
 * which are the real-socket hang case of each operation: there the 150 ms timeout runs on real time.
 */
import { layer } from "@effect/vitest"
import { FetchHttpClient } from "@effect/platform"
import { Effect } from "effect"
import {
  cellTitle,
  type Driver,
  ops,
  rows,
  runCell,
  runTransient,
  transientRows,
  transientTitle
} from "./faultMatrix.js"
import { closedPort, FakeByokServer, loopbackFake, makeTally } from "./support.js"

const tally = makeTally("faultMatrix.loopback.full.test.ts")

const overLoopback: Driver = {
  name: "loopback",
  transport: Effect.map(FakeByokServer, (server) => ({ httpClient: FetchHttpClient.layer, baseUrl: server.baseUrl })),
  refusedBaseUrl: Effect.map(closedPort, (port) => `http://127.0.0.1:${port}/api/v1`),
  refusedIsLogged: false,
  // The live clock times the attempts out on its own.
  runHanging: (self) => self
}

layer(loopbackFake())("fault matrix over loopback HTTP", (it) => {
  for (const row of rows.filter((r) => r.hang !== true)) {
    for (const op of ops) it.effect(cellTitle(row, op), () => runCell(overLoopback, tally, row, op))
  }
  for (const row of transientRows.filter((r) => r.hang !== true)) {
    for (const op of ops) it.effect(transientTitle(row, op), () => runTransient(overLoopback, tally, row, op))
  }
})

layer(loopbackFake(), { excludeTestServices: true })("a hung server over loopback HTTP, on real time", (it) => {
  for (const row of rows.filter((r) => r.hang === true)) {
    for (const op of ops) it.effect(cellTitle(row, op), () => runCell(overLoopback, tally, row, op))
  }
  for (const row of transientRows.filter((r) => r.hang === true)) {
    for (const op of ops) it.effect(transientTitle(row, op), () => runTransient(overLoopback, tally, row, op))
  }
})
