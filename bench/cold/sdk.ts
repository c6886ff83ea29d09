/** Cold start of `@openrouter/sdk`: import it and build the client, up to its BYOK resource. */
import { OpenRouter } from "@openrouter/sdk"

const sdk = new OpenRouter({ apiKey: "sk-or-v1-cold-start", serverURL: "http://127.0.0.1:9/api/v1" })
if (sdk.byok === undefined) throw new Error("no byok resource")
process.stdout.write(JSON.stringify({ ms: performance.now(), peakMiB: process.resourceUsage().maxRSS / 1024 }))
