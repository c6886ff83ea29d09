/** This library over `FetchHttpClient.layer`: Node's global `fetch`, from its own module path, not the `@effect/platform` barrel. */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type { BenchClient } from "../clients.js"
import { makeOver } from "./library.js"

export const make = (baseUrl: string): Promise<BenchClient> => makeOver("ours", FetchHttpClient.layer, baseUrl)
