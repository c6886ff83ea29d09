/** `@openrouter/sdk`, pointed at the bench server with the fake's key. */
import { OpenRouter } from "@openrouter/sdk"
import { apiKey, type BenchClient } from "../clients.js"

export const make = async (baseUrl: string): Promise<BenchClient> => {
  const sdk = new OpenRouter({ apiKey, serverURL: baseUrl })
  return {
    name: "sdk",
    get: async (id) => (await sdk.byok.get({ id })).data.id,
    // The SDK reads one page after another (it has no concurrency option) and stops on a short page.
    countAll: async ({ pageSize }) => {
      let count = 0
      for await (const page of await sdk.byok.list({ limit: pageSize })) count += page.result.data.length
      return count
    },
    dispose: async () => {}
  }
}
