/**
 * One client listing every key in its own process, consuming without collecting, then reporting
 * its peak RSS. `node rss.js <client> <clientModule> <apiBaseUrl> <expectedKeys>` prints
 * `{"peakMiB": ..., "ms": ...}` on stdout.
 */
import { checkTransport, type ClientName, makeClient } from "./clients.js"

const [name, clientModule, baseUrl, expected] = process.argv.slice(2) as [ClientName, string, string, string]
const client = await makeClient(name, clientModule, baseUrl)
const start = performance.now()
const count = await client.countAll({ pageSize: 100, concurrency: 1 })
const ms = performance.now() - start
await client.dispose()
if (count !== Number(expected)) throw new Error(`${name}: listed ${count} keys, expected ${expected}`)
checkTransport(name)
process.stdout.write(JSON.stringify({ peakMiB: process.resourceUsage().maxRSS / 1024, ms }))
