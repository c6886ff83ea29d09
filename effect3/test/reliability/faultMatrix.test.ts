/**
 * The fault matrix in memory, on the TestClock: every operation × every fault and every transient
 * fault, through the real client over the fake's in-memory HttpClient. A hung attempt is timed out
 * by moving the clock, so nothing here waits on real time. The same rows run over real HTTP in
 * `faultMatrix.loopback.full.test.ts`.
 */
import { layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { FakeByokApi, memoryBaseUrl } from "../../src/testing.js"
import {
  cellTitle,
  type Driver,
  ops,
  rows,
  runCell,
  runHangingOnTestClock,
  runTransient,
  transientRows,
  transientTitle
} from "./faultMatrix.js"
import { fakeOptions, makeTally } from "./support.js"

const tally = makeTally("faultMatrix.test.ts")

const inMemory: Driver = {
  name: "in memory",
  transport: Effect.map(FakeByokApi, (fake) => ({
    httpClient: Layer.provide(FakeByokApi.layerHttpClient, Layer.succeed(FakeByokApi, fake)),
    baseUrl: memoryBaseUrl
  })),
  // The fake acts out the refusal (after logging the request it refuses).
  refusedBaseUrl: Effect.succeed(undefined),
  refusedIsLogged: true,
  runHanging: runHangingOnTestClock
}

layer(FakeByokApi.layer(fakeOptions()))("fault matrix in memory, on the TestClock", (it) => {
  for (const row of rows) {
    for (const op of ops) it.effect(cellTitle(row, op), () => runCell(inMemory, tally, row, op))
  }
  for (const row of transientRows) {
    for (const op of ops) it.effect(transientTitle(row, op), () => runTransient(inMemory, tally, row, op))
  }
})
