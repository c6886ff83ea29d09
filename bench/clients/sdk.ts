/** `@openrouter/sdk`, pointed at the bench server with the fake's key. */
import { OpenRouter } from "@openrouter/sdk"
import { apiKey, type BenchClient } from "../clients.js"

export const make = async (baseUrl: string): Promise<BenchClient> => {
  const sdk = new OpenRouter({ apiKey, serverURL: baseUrl })
  const get = async (id: string) => (await sdk.byok.get({ id })).data.id
  return {
    name: "sdk",
    get,
    getAll: (ids) => Promise.all(ids.map(get)),
    // The SDK reads one page after another (it has no concurrency option) and stops on a short page.
    countAll: async ({ pageSize, signal }) => {
      let count = 0
      for await (const page of await sdk.byok.list({ limit: pageSize })) {
        signal?.throwIfAborted()
        count += page.result.data.length
      }
      return count
    },
    // Imported here, not at the top, so the other workloads' processes (peak RSS) load only what the client does.
    decoder: async (text, pageSize) => {
      const { ListBYOKKeysResponse$inboundSchema } = await import("@openrouter/sdk/models")
      const json: unknown = JSON.parse(text)
      return () => {
        const page = ListBYOKKeysResponse$inboundSchema.parse(json)
        if (page.data.length !== pageSize) throw new Error("sdk: decode failed")
        return page
      }
    },
    dispose: async () => {}
  }
}
