/** The Effect 3 line over `FetchHttpClient.layer`: Node's global `fetch`, from its own module path, not the `@effect/platform` barrel. */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type { BenchClient } from "../../bench/clients.js"
import { makeOver } from "./client.js"

export const make = (baseUrl: string): Promise<BenchClient> => makeOver("effect3-fetch", FetchHttpClient.layer, baseUrl)
