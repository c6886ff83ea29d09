/** The floor: Node's `fetch` and `JSON.parse`, no validation. */
import { apiKey, type BenchClient } from "../clients.js"

interface RawPage {
  readonly data: ReadonlyArray<{ readonly id: string }>
  readonly total_count: number
}

export const make = async (baseUrl: string): Promise<BenchClient> => {
  const headers = { accept: "application/json", authorization: `Bearer ${apiKey}` }
  const getJson = async (url: string): Promise<unknown> => {
    const response = await fetch(url, { headers })
    const text = await response.text()
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
    return JSON.parse(text)
  }
  const get = async (id: string) => ((await getJson(`${baseUrl}/byok/${id}`)) as { data: { id: string } }).data.id
  const page = (offset: number, pageSize: number) =>
    getJson(`${baseUrl}/byok?offset=${offset}&limit=${pageSize}`) as Promise<RawPage>
  return {
    name: "fetch",
    get,
    getAll: (ids) => Promise.all(ids.map(get)),
    // The first page tells total_count; then up to `concurrency` pages in flight, consumed in order.
    countAll: async ({ concurrency, pageSize, signal }) => {
      const first = await page(0, pageSize)
      let count = first.data.length
      let next = first.data.length
      const inFlight: Array<Promise<RawPage>> = []
      const fill = () => {
        while (inFlight.length < concurrency && next < first.total_count) {
          inFlight.push(page(next, pageSize))
          next += pageSize
        }
      }
      fill()
      while (inFlight.length > 0) {
        count += (await inFlight.shift()!).data.length
        signal?.throwIfAborted()
        fill()
      }
      return count
    },
    decoder: async (text) => () => JSON.parse(text),
    dispose: async () => {}
  }
}
