/** The Effect 4 line over `FetchHttpClient.layer` (`effect/http`): Node's global `fetch`. */
import { FetchHttpClient } from "effect/http"
import type { BenchClient } from "../../bench/clients.js"
import { makeOver } from "./client.js"

export const make = (baseUrl: string): Promise<BenchClient> => makeOver("effect4-fetch", FetchHttpClient.layer, baseUrl)
