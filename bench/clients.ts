/**
 * The clients under test, behind one small interface so every workload drives them the same way:
 * each line of this library (Effect 3 in effect3/, Effect 4 in effect4/) over `fetch` and over
 * undici, `@openrouter/sdk`, and raw `fetch` + `JSON.parse` with no validation, the floor.
 *
 * A client is a module exporting `make(baseUrl)`, built to a file of its own (`build.ts`) and
 * imported by path in a process that measures only that client. Two reasons. Importing
 * `@effect/platform-node` loads npm `undici`, which installs its own `Agent` as the global `fetch`
 * dispatcher when none is installed yet, and would change the transport of every other client. And
 * each line's module is built inside that line's directory, so the `effect` it imports is that
 * line's install: effect3/node_modules for Effect 3, the root's for Effect 4.
 */
import { createRequire, findPackageJSON } from "node:module"
import { readFileSync } from "node:fs"
import { pathToFileURL } from "node:url"

export type Line = "effect3" | "effect4"
export type Transport = "fetch" | "undici"
export type LineClient = `${Line}-${Transport}`
export type ClientName = LineClient | "sdk" | "fetch"

export const lines: ReadonlyArray<Line> = ["effect3", "effect4"]
export const transports: ReadonlyArray<Transport> = ["fetch", "undici"]
export const lineClients: ReadonlyArray<LineClient> = lines.flatMap((line) => transports.map((t) => `${line}-${t}` as const))
export const clientNames: ReadonlyArray<ClientName> = [...lineClients, "sdk", "fetch"]

export const lineClient = (line: Line, transport: Transport): LineClient => `${line}-${transport}`
export const isLineClient = (name: ClientName): name is LineClient => name !== "sdk" && name !== "fetch"
export const lineOf = (name: LineClient): Line => name.startsWith("effect3") ? "effect3" : "effect4"
export const transportOf = (name: LineClient): Transport => name.endsWith("-undici") ? "undici" : "fetch"

export const lineTitle: Record<Line, string> = { effect3: "effect 3", effect4: "effect 4" }
export const title = (name: ClientName): string =>
  isLineClient(name) ? `${lineTitle[lineOf(name)]} (${transportOf(name)})` : name === "sdk" ? "SDK" : "fetch"

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
  /**
   * Given a page's body text, a function decoding that page as this client does (the library: its
   * `ListResponse` schema; the SDK: its zod schema, of the text already parsed; fetch: `JSON.parse`
   * of the text); it fails on a page without `pageSize` keys.
   */
  readonly decoder: (text: string, pageSize: number) => Promise<() => unknown>
  readonly dispose: () => Promise<void>
}

/** The fake's management key (`FakeByokApi`'s default `apiKey`). */
export const apiKey = "sk-or-v1-fake-management-key"

export const makeClient = async (name: ClientName, file: string, baseUrl: string): Promise<BenchClient> => {
  const module = (await import(pathToFileURL(file).href)) as { make: (baseUrl: string) => Promise<BenchClient> }
  const client = await module.make(baseUrl)
  if (client.name !== name) throw new Error(`${file} makes ${client.name}, not ${name}`)
  return client
}

/**
 * Fails if npm `undici` was loaded in a process measuring a client that should be on Node's own
 * `fetch`: its dispatcher would have become the global one, and the figures would not be that
 * client's. npm `undici` is CommonJS, so once loaded it is in `require.cache`.
 */
export const checkTransport = (name: ClientName) => {
  const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes("/node_modules/undici/"))
  if (loaded && !name.endsWith("-undici")) throw new Error(`${name}: npm undici was loaded, so Node's fetch may not be on its own dispatcher`)
}

/** The major version of each package a line must run on. */
const expectedMajor: Record<Line, Record<string, number>> = {
  effect3: { effect: 3, "@effect/platform": 0, "@effect/platform-node": 0 },
  effect4: { effect: 4, "@effect/platform-node": 4 }
}

/** The version of `pkg` that a module at `from` (a file URL or path) imports, and the package.json it is read from. */
export const resolvedVersion = (pkg: string, from: string): { readonly version: string; readonly path: string } => {
  const path = findPackageJSON(pkg, from)
  if (path === undefined) throw new Error(`${pkg} does not resolve from ${from}`)
  return { version: (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version, path }
}

/**
 * Fails unless a module at `from` imports the Effect packages of `line`: effect3/ has its own
 * install, and a module of it resolving from the root's node_modules would run on Effect 4 (or
 * the reverse) while its figures were reported as the other line's.
 */
export const checkLine = (line: Line, from: string) => {
  for (const [pkg, major] of Object.entries(expectedMajor[line])) {
    const { path, version } = resolvedVersion(pkg, from)
    if (Number(version.split(".")[0]) !== major) throw new Error(`${line}: ${pkg} resolves to ${version} (${path}), expected ${major}.x`)
  }
}
