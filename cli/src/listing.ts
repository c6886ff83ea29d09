/**
 * `list` and `export`: every page of the listing, printed as it arrives, with a progress line on
 * stderr while more than one page is read (`export --format yaml` writes its file at the end).
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Stdio from "effect/Stdio"
import * as Stream from "effect/Stream"
import type * as Terminal from "effect/Terminal"
import { Byok, type ByokError, type ByokKey } from "../../effect4/src/index.js"
import { describeKey, type Format, makePrinter, outputSettings, type Printer } from "./output.js"
import { makeProgress } from "./progress.js"

/** The filters of a listing, as the flags give them. */
export interface Filters {
  readonly provider: Option.Option<string>
  readonly workspaceId: Option.Option<string>
}

/** The library's stream options for these filters. */
export const streamOptions = (filters: Filters) => ({
  ...Option.match(filters.provider, { onNone: () => ({}), onSome: (provider) => ({ provider }) }),
  ...Option.match(filters.workspaceId, { onNone: () => ({}), onSome: (workspaceId) => ({ workspaceId }) })
})

/** Reads every page for `filters` into `printer`, skipping ids already printed (`seen`). */
const printPages = (
  filters: Filters,
  printer: Printer,
  seen: Set<string>
): Effect.Effect<void, ByokError.ListError, Byok | Stdio.Stdio> =>
  Effect.gen(function*() {
    const byok = yield* Byok
    const progress = yield* makeProgress
    let read = 0
    yield* byok.pages(streamOptions(filters)).pipe(
      Stream.runForEach((page) =>
        Effect.gen(function*() {
          read += page.data.length
          const fresh = page.data.filter((key) => !seen.has(key.id))
          fresh.forEach((key) => seen.add(key.id))
          // The progress line and the rows may share one terminal: take the line away while rows print.
          yield* progress.clear
          yield* printer.page(fresh)
          yield* progress.update(read, page.totalCount)
        })
      ),
      Effect.ensuring(progress.clear)
    )
  })

/** `byok list`: every credential matching the filters, in the server's order. */
export const list = (
  options: Filters & { readonly format: Option.Option<Format> }
): Effect.Effect<void, ByokError.ListError, Byok | Stdio.Stdio | Terminal.Terminal> =>
  Effect.gen(function*() {
    const { format, width } = yield* outputSettings(options.format)
    const printer = makePrinter(format, width)
    yield* printPages(options, printer, new Set())
    yield* printer.end
  })

/**
 * A printer that keeps every credential and, at the end, writes the desired-state file for them
 * (`byok export --format yaml`), saying on stderr which ones it had to leave out.
 */
const desiredStatePrinter = (): Printer => {
  const keys: Array<ByokKey> = []
  return {
    page: (page) => Effect.sync(() => keys.push(...page)),
    end: Effect.gen(function*() {
      const { exportYaml } = yield* Effect.promise(() => import("./desiredState.js"))
      const { text, unnamed } = yield* exportYaml(keys)
      for (const key of unnamed) {
        yield* Console.error(`export: left out ${describeKey(key)}: a credential without a name cannot be matched by plan`)
      }
      yield* Console.log(text.trimEnd())
    })
  }
}

/**
 * `byok export`: every credential of the given workspaces (the default workspace when none is
 * given), each once (global credentials show up in every workspace), with every field; or, as
 * YAML, as a desired-state file to adopt them.
 */
export const exportKeys = (
  options: { readonly workspaceIds: ReadonlyArray<string>; readonly format: "json" | "csv" | "yaml" }
): Effect.Effect<void, ByokError.ListError, Byok | Stdio.Stdio> =>
  Effect.gen(function*() {
    const printer = options.format === "yaml" ? desiredStatePrinter() : makePrinter(options.format, 0)
    const seen = new Set<string>()
    const workspaces = options.workspaceIds.length === 0 ? [Option.none<string>()] : options.workspaceIds.map(Option.some)
    for (const workspaceId of workspaces) {
      yield* printPages({ provider: Option.none(), workspaceId }, printer, seen)
    }
    yield* printer.end
  })
