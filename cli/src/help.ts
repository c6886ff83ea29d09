/**
 * What the argument parser prints: help, the version, and usage errors. Help is laid out in the
 * CLI's own sections (`Usage:`, `Flags:`, `Connection flags:`, `Example:` with `$ ` prompts), coloured
 * only when the terminal can show it. A usage error is one line on stderr, `UsageError: …`, as every
 * other error is: help goes to stdout only when asked for, so a script's output never fills with it.
 */
import * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import type * as HelpDoc from "effect/cli/HelpDoc"
import * as TerminalCapabilities from "effect/cli/TerminalCapabilities"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { printable } from "./output.js"

interface Row {
  readonly left: string
  readonly right: string
}

/** Two columns: the names padded to the widest, then the text. `bold` styles only the names. */
const table = (rows: ReadonlyArray<Row>, bold: (text: string) => string): Array<string> => {
  const width = Math.max(...rows.map((row) => row.left.length))
  return rows.map(({ left, right }) => `  ${bold(left)}${" ".repeat(width - left.length)}   ${right}`.trimEnd())
}

const flagRows = (flags: ReadonlyArray<HelpDoc.FlagDoc>): Array<Row> =>
  flags.map((flag) => ({
    left: [`--${flag.name}`, ...flag.aliases].join(", ") + (flag.type === "boolean" ? "" : ` ${flag.type}`),
    right: Option.getOrElse(flag.description, () => "") + (flag.required ? " (required)" : "")
  }))

/**
 * A help document as text. With `colors` false the text holds no escape sequence at all: it is what
 * a pipe, a file or `NO_COLOR` gets.
 */
export const renderHelp = (doc: HelpDoc.HelpDoc, colors: boolean): string => {
  const bold = colors ? (text: string) => `\x1b[1m${text}\x1b[0m` : (text: string) => text
  const lines: Array<string> = []
  const section = (title: string, body: ReadonlyArray<string>) => {
    if (body.length === 0) return
    lines.push("", bold(title), ...body)
  }

  lines.push(...doc.description.split("\n"))
  section("Usage:", [`  ${doc.usage.replace("<subcommand>", "<command>")}`])
  section("Arguments:", table(
    (doc.args ?? []).map((arg) => ({
      left: `<${arg.name}>${arg.variadic ? "..." : ""}`,
      right: Option.getOrElse(arg.description, () => "") + (arg.required ? "" : " (optional)")
    })),
    bold
  ))
  section("Commands:", table(
    (doc.subcommands ?? []).flatMap((group) => group.commands).map((command) => ({
      left: command.name,
      right: command.shortDescription ?? command.description
    })),
    bold
  ))
  // The only flags a command inherits are the root's, which say how to connect.
  const connection = doc.commandPath !== undefined && doc.commandPath.length > 1 ? doc.inheritedFlags ?? [] : doc.flags
  const own = connection === doc.flags ? [] : doc.flags
  section("Flags:", table(flagRows(own), bold))
  section("Connection flags (before the command):", table(flagRows(connection), bold))
  section("Global flags:", table(flagRows(doc.globalFlags ?? []), bold))
  section("Example:", (doc.examples ?? []).map((example) => `  $ ${example.command}`))
  return lines.join("\n")
}

/** A parser error as one line, naming the argument as help shows it. */
const usageMessage = (error: CliError.NonShowHelpErrors): string =>
  error._tag === "MissingArgument" ? `Missing argument <${error.argument}>` : error.message

/**
 * Prints help (stdout), the bare version (stdout, for scripts) and usage errors (stderr, one line
 * each, the last pointing at the command's help). Colour follows `TerminalCapabilities`: none when
 * stdout is not a terminal, under `NO_COLOR`, or with `TERM=dumb`.
 */
export const presenter: CliOutput.Presenter = {
  present: (event) =>
    Effect.gen(function*() {
      switch (event._tag) {
        case "Help": {
          const { canColor } = yield* TerminalCapabilities.TerminalCapabilities
          return yield* Console.log(renderHelp(event.helpDoc, canColor))
        }
        case "Version":
          return yield* Console.log(event.version)
        case "InvalidInvocation": {
          const hint = ` (see ${event.commandPath.join(" ")} --help)`
          const lines = event.errors.map((error, i) =>
            printable(`UsageError: ${usageMessage(error)}${i === event.errors.length - 1 ? hint : ""}`)
          )
          return yield* Console.error(lines.join("\n"))
        }
      }
    })
}

/** The presenter as a layer, for `Command.run`. */
export const layer = CliOutput.layerPresenter(presenter)
