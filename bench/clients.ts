/**
 * The clients under test, behind one small interface so every workload drives them the same way:
 * this library over `FetchHttpClient` (`clients/ours.ts`) and over `NodeHttpClient.layerUndici`
 * (`clients/ours-undici.ts`), `@openrouter/sdk` (`clients/sdk.ts`), and raw `fetch` + `JSON.parse`
 * with no validation, the floor (`clients/fetch.ts`). All but "ours-undici" use Node's global `fetch`.
 *
 * Each is imported only when made, and every measured process makes exactly one: importing
 * `@effect/platform-node` loads npm `undici`, which installs its own `Agent` as the global `fetch`
 * dispatcher when none is installed yet, and would change the transport of the other three.
 */
import { createRequire } from "node:module"

export type ClientName = "ours" | "ours-undici" | "sdk" | "fetch"
export const clientNames: ReadonlyArray<ClientName> = ["ours", "ours-undici", "sdk", "fetch"]
/** The library's two transports, one column each. */
export const oursNames: ReadonlyArray<ClientName> = ["ours", "ours-undici"]

export interface BenchClient {
  readonly name: ClientName
  /** One credential by id; resolves to its id, read from the answer. */
  readonly get: (id: string) => Promise<string>
  /**
   * Every id at once, all in flight together (the library: `Effect.forEach` with unbounded
   * concurrency; the others: `Promise.all`); resolves to the ids read. Aborting the signal
   * interrupts the library's fiber, and with it the gets still waiting for a turn. `Promise.all`
   * has none waiting, every request being in flight from the start: it ignores the signal (one
   * signal on 2,000 `fetch`es also makes Node warn of a listener leak).
   */
  readonly getAll: (ids: ReadonlyArray<string>, signal: AbortSignal) => Promise<ReadonlyArray<string>>
  /**
   * Lists every key, `concurrency` pages in flight at most, counting keys without keeping them.
   * Aborting the signal stops it before its next page.
   */
  readonly countAll: (options: {
    readonly pageSize: number
    readonly concurrency: number
    readonly signal?: AbortSignal | undefined
  }) => Promise<number>
  readonly dispose: () => Promise<void>
}

/** The fake's management key (`FakeByokApi`'s default `apiKey`). */
export const apiKey = "sk-or-v1-fake-management-key"

/**
 * Fails if npm `undici` was loaded in a process measuring a client that should be on Node's own
 * `fetch`: its dispatcher would have become the global one, and the figures would not be that
 * client's. npm `undici` is CommonJS, so once loaded it is in `require.cache`.
 */
export const checkTransport = (name: ClientName) => {
  const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes("/node_modules/undici/"))
  if (loaded && name !== "ours-undici") throw new Error(`${name}: npm undici was loaded, so Node's fetch may not be on its own dispatcher`)
}

export const makeClient = async (name: ClientName, baseUrl: string): Promise<BenchClient> => {
  const module = name === "ours"
    ? await import("./clients/ours.js")
    : name === "ours-undici"
    ? await import("./clients/ours-undici.js")
    : name === "sdk"
    ? await import("./clients/sdk.js")
    : await import("./clients/fetch.js")
  return module.make(baseUrl)
}
