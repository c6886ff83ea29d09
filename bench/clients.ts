/**
 * The three clients under test, behind one small interface so every workload drives them the same
 * way: this library (`clients/ours.ts`), `@openrouter/sdk` (`clients/sdk.ts`), and raw `fetch` +
 * `JSON.parse` with no validation, the floor (`clients/fetch.ts`). All three use Node's global
 * `fetch`. Each is imported only when made, so a process measuring one client loads only that one.
 */

export type ClientName = "ours" | "sdk" | "fetch"
export const clientNames: ReadonlyArray<ClientName> = ["ours", "sdk", "fetch"]

export interface BenchClient {
  readonly name: ClientName
  /** One credential by id; resolves to its id, read from the answer. */
  readonly get: (id: string) => Promise<string>
  /** Lists every key, `concurrency` pages in flight at most, counting keys without keeping them. */
  readonly countAll: (options: { readonly pageSize: number; readonly concurrency: number }) => Promise<number>
  readonly dispose: () => Promise<void>
}

/** The fake's management key (`FakeByokApi`'s default `apiKey`). */
export const apiKey = "sk-or-v1-fake-management-key"

export const makeClient = async (name: ClientName, baseUrl: string): Promise<BenchClient> => {
  const module = name === "ours"
    ? await import("./clients/ours.js")
    : name === "sdk"
    ? await import("./clients/sdk.js")
    : await import("./clients/fetch.js")
  return module.make(baseUrl)
}
