/**
 * Where the CLI reads secrets from. The management key comes from `OPENROUTER_API_KEY` or a file;
 * a provider key from stdin or an environment variable the operator names. Never from argv, which
 * `ps` and shell history show to others. Every secret is `Redacted` from the moment it is read.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Stdio from "effect/Stdio"
import { UsageError } from "./errors.js"
import { promptLine, readStdinToEnd, stdinIsTerminal } from "./stdio.js"

/**
 * What a text holding a secret holds: one line (its trailing newline removed), nothing but blank
 * space, or more than one line, which usually means the wrong file or variable was given (an `.env`
 * file, say) and the first line is not the key. The rule of every secret read from a variable or a
 * file, here and in the desired-state file's key references.
 */
export type SecretText = { readonly _tag: "Line"; readonly line: string } | { readonly _tag: "Empty" } | { readonly _tag: "SeveralLines" }

/** Reads `text` by the rule of `SecretText`. */
export const secretText = (text: string): SecretText => {
  const lines = text.replace(/(\r?\n)+$/, "").split(/\r?\n/)
  if (lines.length > 1) return { _tag: "SeveralLines" }
  const line = lines[0] ?? ""
  return line.trim().length === 0 ? { _tag: "Empty" } : { _tag: "Line", line }
}

/**
 * A secret given as text: one line with its trailing newline removed. `None` when there is nothing
 * but blank space; a usage error when more than one line has content.
 */
const singleLine = (text: string, source: string): Effect.Effect<Option.Option<string>, UsageError> => {
  const read = secretText(text)
  switch (read._tag) {
    case "SeveralLines":
      return Effect.fail(new UsageError({ message: `${source} holds more than one line; expected only the key` }))
    case "Empty":
      return Effect.succeed(Option.none())
    case "Line":
      return Effect.succeed(Option.some(read.line))
  }
}

const required = (source: string) => (value: Option.Option<string>): Effect.Effect<Redacted.Redacted<string>, UsageError> =>
  Option.match(value, {
    onNone: () => Effect.fail(new UsageError({ message: `${source} is empty; expected a key` })),
    onSome: (key) => Effect.succeed(Redacted.make(key))
  })

/** The management key: the content of `--api-key-file` when given, else `OPENROUTER_API_KEY`. */
export const readManagementKey = (
  apiKeyFile: Option.Option<string>
): Effect.Effect<Redacted.Redacted<string>, UsageError, FileSystem.FileSystem> =>
  Option.match(apiKeyFile, {
    onSome: (path) =>
      FileSystem.FileSystem.use((fs) => fs.readFileString(path)).pipe(
        Effect.mapError((error) => new UsageError({ message: `cannot read --api-key-file: ${error.message}` })),
        Effect.flatMap((text) => singleLine(text, "--api-key-file")),
        Effect.flatMap(required("--api-key-file"))
      ),
    onNone: () =>
      Config.option(Config.Redacted("OPENROUTER_API_KEY")).pipe(
        Effect.mapError(() => new UsageError({ message: "OPENROUTER_API_KEY cannot be read" })),
        Effect.flatMap(Option.match({
          onNone: () =>
            Effect.fail(
              new UsageError({ message: "no management key: set OPENROUTER_API_KEY or pass --api-key-file (or use --fake)" })
            ),
          onSome: (key) => singleLine(Redacted.value(key), "OPENROUTER_API_KEY").pipe(Effect.flatMap(required("OPENROUTER_API_KEY")))
        }))
      )
  })

/**
 * A provider key: from the environment variable named by `--key-env` when given, else one line of
 * stdin (asked for without echo when stdin is a terminal). Empty is a usage error.
 */
export const readProviderKey = (keyEnv: Option.Option<string>): Effect.Effect<Redacted.Redacted<string>, UsageError, Stdio.Stdio> =>
  Option.match(keyEnv, {
    onSome: (name) =>
      Config.option(Config.Redacted(name)).pipe(
        Effect.mapError(() => new UsageError({ message: `environment variable ${name} cannot be read` })),
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(new UsageError({ message: `environment variable ${name} (from --key-env) is not set` })),
          onSome: (key) => singleLine(Redacted.value(key), `environment variable ${name}`)
        })),
        Effect.flatMap(required(`environment variable ${name}`))
      ),
    onNone: () =>
      Effect.flatMap(stdinIsTerminal, (terminal) =>
        terminal
          ? promptLine("Provider key (input hidden): ", { hidden: true }).pipe(Effect.flatMap(required("the provider key")))
          : readStdinToEnd.pipe(
            Effect.flatMap((text) => singleLine(text, "stdin")),
            Effect.flatMap(required("the provider key on stdin"))
          ))
  })
