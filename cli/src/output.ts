/**
 * How credentials are printed: the documented JSON object (also used, one per line, by `jsonl`),
 * RFC 4180 CSV, and an aligned table that fits the terminal. A `Printer` takes credentials page by
 * page, so long listings print as they arrive wherever the format allows.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stdio from "effect/Stdio"
import * as Terminal from "effect/Terminal"
import type { ByokKey, CreateRecovery } from "../../effect4/src/index.js"

/**
 * The output formats of the commands that print credentials.
 */
export const formats = ["table", "json", "jsonl", "csv"] as const

/**
 * An output format.
 */
export type Format = typeof formats[number]

/**
 * A credential as the CLI's JSON output shows it. Stable: fields are only ever added. `name` is
 * always present (`null` when the credential has none); `createdAt` is an ISO 8601 timestamp in UTC.
 */
export interface KeyJson {
  readonly id: string
  readonly provider: string
  readonly workspaceId: string | null
  readonly label: string
  readonly name: string | null
  readonly disabled: boolean
  readonly isFallback: boolean
  readonly isRequired: boolean
  readonly isByokOnly: boolean
  readonly declaredZdr: boolean | null
  readonly allowedModels: ReadonlyArray<string> | null
  readonly allowedApiKeyHashes: ReadonlyArray<string> | null
  readonly allowedUserIds: ReadonlyArray<string> | null
  readonly sortOrder: number
  readonly createdAt: string
}

/**
 * The JSON object for a credential, written field by field so the output does not change when the
 * model class does.
 */
export const toJson = (key: ByokKey): KeyJson => ({
  id: key.id,
  provider: key.provider,
  workspaceId: key.workspaceId,
  label: key.label,
  name: key.name ?? null,
  disabled: key.disabled,
  isFallback: key.isFallback,
  isRequired: key.isRequired,
  isByokOnly: key.isByokOnly,
  declaredZdr: key.declaredZdr,
  allowedModels: key.allowedModels,
  allowedApiKeyHashes: key.allowedApiKeyHashes,
  allowedUserIds: key.allowedUserIds,
  sortOrder: key.sortOrder,
  createdAt: key.createdAt.toISOString()
})

const csvColumns: ReadonlyArray<keyof KeyJson> = [
  "id",
  "provider",
  "workspaceId",
  "label",
  "name",
  "disabled",
  "isFallback",
  "isRequired",
  "isByokOnly",
  "declaredZdr",
  "allowedModels",
  "allowedApiKeyHashes",
  "allowedUserIds",
  "sortOrder",
  "createdAt"
]

/**
 * One CSV field, quoted as RFC 4180 says: when it holds a comma, a quote or a line break, inside
 * double quotes with quotes doubled.
 */
export const csvField = (value: string): string => /[",\r\n]/.test(value) ? `"${value.replace(/"/g, "\"\"")}"` : value

/** `null` is an empty cell; a list is its JSON text, so an empty list and no list stay distinct. */
const csvCell = (value: KeyJson[keyof KeyJson]): string =>
  value === null ? "" : Array.isArray(value) ? JSON.stringify(value) : String(value)

/**
 * The CSV header row, the JSON field names in order.
 */
export const csvHeader: string = csvColumns.map(csvField).join(",")

/**
 * A credential as one CSV row, with every JSON field.
 */
export const csvRow = (key: ByokKey): string => {
  const json = toJson(key)
  return csvColumns.map((column) => csvField(csvCell(json[column]))).join(",")
}

interface Column {
  readonly header: string
  readonly cell: (key: ByokKey) => string
}

const tableColumns: ReadonlyArray<Column> = [
  { header: "ID", cell: (key) => key.id },
  { header: "PROVIDER", cell: (key) => key.provider },
  { header: "WORKSPACE", cell: (key) => key.workspaceId ?? "global" },
  { header: "LABEL", cell: (key) => key.label },
  { header: "NAME", cell: (key) => key.name ?? "" },
  { header: "STATUS", cell: (key) => key.disabled ? "disabled" : "enabled" }
]
const gap = "  "

// How a too-wide table is narrowed, step by step, until it fits: the workspace UUID tells least
// (mostly the one default workspace) and is dropped (floor 0) before a label is cut; ids and
// status are never cut. At 80 columns the workspace column is gone and names are short.
const shrinkSteps: ReadonlyArray<readonly [header: string, floor: number]> = [
  ["WORKSPACE", 9],
  ["NAME", 10],
  ["PROVIDER", 10],
  ["WORKSPACE", 0],
  ["NAME", 6],
  ["PROVIDER", 8],
  ["LABEL", 6]
]

const tableWidth = (widths: ReadonlyArray<number>): number => {
  const shown = widths.filter((width) => width > 0)
  return shown.reduce((a, b) => a + b, 0) + gap.length * (shown.length - 1)
}

/**
 * Column widths for these rows, narrowed to `maxWidth` (0 for no limit) by `shrinkSteps`; width 0
 * means the column is left out. A table that cannot be narrowed enough is printed at its narrowest.
 */
export const tableWidths = (keys: ReadonlyArray<ByokKey>, maxWidth: number): ReadonlyArray<number> => {
  const widths = tableColumns.map((column) =>
    keys.reduce((width, key) => Math.max(width, [...column.cell(key)].length), column.header.length)
  )
  if (maxWidth <= 0) return widths
  for (const [header, floor] of shrinkSteps) {
    const excess = tableWidth(widths) - maxWidth
    if (excess <= 0) break
    const i = tableColumns.findIndex((column) => column.header === header)
    widths[i] = floor === 0 ? 0 : Math.max(floor, Math.min(widths[i]!, widths[i]! - excess))
  }
  return widths
}

/**
 * Text from the server made safe to show on a terminal: control characters (which could move the
 * cursor or retitle the window) become `?`.
 */
export const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?")

/**
 * A credential in a sentence: `<id> (<provider>, <name>)`.
 */
export const describeKey = (key: { readonly id: string; readonly provider: string; readonly name?: string | null | undefined }): string =>
  printable(`${key.id} (${key.provider}${key.name ? `, ${key.name}` : ""})`)

/** `n` and the noun, singular or plural as `n` asks. */
export const countOf = (n: number, noun: string, plural = `${noun}s`): string => `${n} ${n === 1 ? noun : plural}`

/** What recovery did to settle a create, as a line on stderr (`create`, and `apply`'s creates). */
export const describeRecovery = (recovery: CreateRecovery): string => {
  switch (recovery._tag) {
    case "Recovered":
      return `create: the answer was lost; found the credential it stored (${recovery.key.id})`
    case "Retried":
      return `create: the answer was lost and nothing had been stored; sent it again (${recovery.key.id})`
    case "DuplicateRemoved":
      return `create: the answer was lost; sent it again, then the first attempt's credential appeared and was deleted (${recovery.removed})`
  }
}

const fit = (text: string, width: number): string => {
  const chars = [...printable(text)]
  return chars.length <= width ? chars.join("") + " ".repeat(width - chars.length) : chars.slice(0, width - 1).join("") + "…"
}

const tableLine = (cells: ReadonlyArray<string>, widths: ReadonlyArray<number>): string =>
  cells.flatMap((cell, i) => widths[i]! > 0 ? [fit(cell, widths[i]!)] : []).join(gap).trimEnd()

/**
 * The table's header line for these widths.
 */
export const tableHeader = (widths: ReadonlyArray<number>): string =>
  tableLine(tableColumns.map((column) => column.header), widths)

/**
 * A credential as a table line for these widths; a cell too long for its column ends in `…`.
 */
export const tableRow = (key: ByokKey, widths: ReadonlyArray<number>): string =>
  tableLine(tableColumns.map((column) => column.cell(key)), widths)

/**
 * Prints credentials in one format as they arrive: `page` for each batch, `end` once at the end.
 */
export interface Printer {
  readonly page: (keys: ReadonlyArray<ByokKey>) => Effect.Effect<void>
  readonly end: Effect.Effect<void>
}

const printLines = (lines: ReadonlyArray<string>) => lines.length === 0 ? Effect.void : Console.log(lines.join("\n"))

/**
 * A printer for `format`. `jsonl`, `csv` and `table` print each page when it arrives (the table's
 * column widths are set by the first page, fitted to `terminalWidth`); `json` prints one array at
 * the end. CSV lines end in CRLF, as RFC 4180 says.
 */
export const makePrinter = (format: Format, terminalWidth: number): Printer => {
  switch (format) {
    case "jsonl":
      return {
        page: (keys) => printLines(keys.map((key) => JSON.stringify(toJson(key)))),
        end: Effect.void
      }
    case "csv": {
      let started = false
      const header = Effect.suspend(() => {
        if (started) return Effect.void
        started = true
        return Console.log(`${csvHeader}\r`)
      })
      return {
        page: (keys) => Effect.andThen(header, printLines(keys.map((key) => `${csvRow(key)}\r`))),
        end: header
      }
    }
    case "table": {
      let widths: ReadonlyArray<number> | undefined
      const header = (keys: ReadonlyArray<ByokKey>) =>
        Effect.suspend(() => {
          if (widths !== undefined) return Effect.void
          widths = tableWidths(keys, terminalWidth)
          return Console.log(tableHeader(widths))
        })
      return {
        page: (keys) => Effect.andThen(header(keys), Effect.suspend(() => printLines(keys.map((key) => tableRow(key, widths!))))),
        end: header([])
      }
    }
    case "json": {
      const all: Array<KeyJson> = []
      return {
        page: (keys) => Effect.sync(() => keys.forEach((key) => all.push(toJson(key)))),
        end: Effect.suspend(() => Console.log(JSON.stringify(all, null, 2)))
      }
    }
  }
}

/**
 * Prints one credential (the answer of `get`, `create`, `rotate`): JSON as a single object, the
 * other formats as a listing of one.
 */
export const printOne = (key: ByokKey, format: Format, terminalWidth: number): Effect.Effect<void> => {
  if (format === "json") return Console.log(JSON.stringify(toJson(key), null, 2))
  const printer = makePrinter(format, terminalWidth)
  return Effect.andThen(printer.page([key]), printer.end)
}

/**
 * The format to print in and the width to fit a table to: `table` on a terminal and `jsonl` when
 * stdout is piped, unless `--format` said otherwise. Width 0 (no limit) when stdout is not a terminal.
 */
export const outputSettings = (
  requested: Option.Option<Format>
): Effect.Effect<{ readonly format: Format; readonly width: number }, never, Stdio.Stdio | Terminal.Terminal> =>
  Effect.gen(function*() {
    const isTerminal = yield* (yield* Stdio.Stdio).stdoutIsTerminal
    const width = isTerminal ? yield* (yield* Terminal.Terminal).columns : 0
    return { format: Option.getOrElse(requested, () => isTerminal ? "table" as const : "jsonl" as const), width }
  })
