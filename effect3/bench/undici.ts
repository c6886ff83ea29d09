/**
 * The Effect 3 line over `NodeHttpClient.layerUndici`: npm `undici`'s `Agent.request`, an `Agent`
 * of the layer's own. Importing this module loads npm `undici`, so it runs only in a process of its own.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { BenchClient } from "../../bench/clients.js"
import { makeOver } from "./client.js"

export const make = (baseUrl: string): Promise<BenchClient> => makeOver("effect3-undici", NodeHttpClient.layerUndici, baseUrl)
