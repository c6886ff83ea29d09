/**
 * The Effect 3 line over a given transport, as a bench client: one `ManagedRuntime` over
 * `Byok.layer` with default options (no `maxConcurrentRequests`), the `Byok` service fetched once.
 * Built into effect3/.bench-tmp/ so that `effect` and `@effect/platform*` resolve from
 * effect3/node_modules; `checkLine` fails the process if they do not.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
// By module path, as the library imports them: the `effect` barrel would load every module of
// Effect 3 (fast-check among them) into the measured process, which the library itself does not.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { apiKey, type BenchClient, checkLine, type LineClient } from "../../bench/clients.js"
import { Byok } from "../src/index.js"
import { ListResponse } from "../src/internal/endpoints.js"

/** As the request pipeline decodes a body (`errors: "first"`). */
const decodePage = Schema.decodeUnknownEither(ListResponse, { errors: "first" })

export const makeOver = async (
  name: LineClient,
  transport: Layer.Layer<HttpClient.HttpClient>,
  baseUrl: string
): Promise<BenchClient> => {
  checkLine("effect3", import.meta.url)
  const runtime = ManagedRuntime.make(Byok.layer({ apiKey: Redacted.make(apiKey), baseUrl }).pipe(Layer.provide(transport)))
  const byok = await runtime.runPromise(Byok)
  return {
    name,
    get: (id) => runtime.runPromise(Effect.map(byok.get(id), (key) => key.id)),
    getAll: (ids, signal) =>
      runtime.runPromise(
        Effect.map(Effect.forEach(ids, (id) => byok.get(id), { concurrency: "unbounded" }), (keys) => keys.map((key) => key.id)),
        { signal }
      ),
    countAll: ({ concurrency, pageSize, signal }) =>
      runtime.runPromise(Stream.runCount(byok.stream({ pageSize, concurrency })), { signal }),
    decoder: async (text, pageSize) => {
      const json: unknown = JSON.parse(text)
      return () => {
        const page = decodePage(json)
        if (Either.isLeft(page) || page.right.data.length !== pageSize) throw new Error(`${name}: decode failed`)
        return page
      }
    },
    dispose: () => runtime.dispose()
  }
}
