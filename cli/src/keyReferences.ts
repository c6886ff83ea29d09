/**
 * Reading the keys a desired-state file refers to: an environment variable, a file (relative to
 * the desired file's folder), or the first line a command prints (run without a shell, in that
 * folder). Every key is `Redacted` from the moment it is read, and no message here ever holds one.
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import * as Path from "effect/Path"
import type * as PlatformError from "effect/PlatformError"
import * as ChildProcess from "effect/process/ChildProcess"
import type { ChildProcessSpawner } from "effect/process/ChildProcessSpawner"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { KeyReference } from "./desiredState.js"
import { printable } from "./output.js"
import { secretText } from "./secretInput.js"

/** A key reference that gave no key. `message` says why, never what was read. */
export class KeyUnreadable extends Schema.TaggedError<KeyUnreadable>()("KeyUnreadable", {
  message: Schema.String
}) {}

/** How long a key command may run: a command waiting for input nobody gives must not hang a plan. */
export const commandTimeout = Duration.seconds(30)

const unreadable = (message: string) => new KeyUnreadable({ message: printable(message) })

/** The one line of `text`, by the rule every secret read from a variable or a file follows. */
const oneLine = (text: string, source: string): Effect.Effect<Redacted.Redacted<string>, KeyUnreadable> => {
  const read = secretText(text)
  switch (read._tag) {
    case "Line":
      return Effect.succeed(Redacted.make(read.line))
    case "Empty":
      return Effect.fail(unreadable(`${source} is empty`))
    case "SeveralLines":
      return Effect.fail(unreadable(`${source} holds more than one line; expected only the key`))
  }
}

const fromEnv = (name: string): Effect.Effect<Redacted.Redacted<string>, KeyUnreadable> =>
  Config.option(Config.Redacted(name)).pipe(
    Effect.mapError(() => unreadable(`environment variable ${name} cannot be read`)),
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(unreadable(`environment variable ${name} is not set`)),
      onSome: (value) => oneLine(Redacted.value(value), `environment variable ${name}`)
    }))
  )

const reasonOf = (error: PlatformError.PlatformError): string => error.reason._tag

const fromFile = (file: string, baseDir: string): Effect.Effect<Redacted.Redacted<string>, KeyUnreadable, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path.resolve(baseDir, file)).pipe(
      Effect.mapError((error) => unreadable(`file ${file} cannot be read (${reasonOf(error)})`))
    )
    return yield* oneLine(text, `file ${file}`)
  })

const utf8 = new TextDecoder()

/**
 * Runs the command with the terminal's stdin and stderr (a password manager may ask for a
 * passphrase there) and its stdout captured; the key is the first line of stdout.
 */
const fromCommand = (
  argv: ReadonlyArray<string>,
  baseDir: string
): Effect.Effect<Redacted.Redacted<string>, KeyUnreadable, ChildProcessSpawner> => {
  const [program, ...args] = argv as readonly [string, ...Array<string>]
  const shown = `command ${printable(program)}`
  const run = Effect.scoped(Effect.gen(function*() {
    const handle = yield* ChildProcess.make(program, args, {
      cwd: baseDir,
      stdin: "inherit",
      stderr: "inherit",
      // In the terminal's process group, so a prompt on /dev/tty works and Ctrl-C reaches it.
      detached: false,
      forceKillAfter: Duration.seconds(2)
    })
    const chunks = yield* Stream.runCollect(handle.stdout)
    const exitCode = yield* handle.exitCode
    return { exitCode, text: chunks.map((chunk) => utf8.decode(chunk, { stream: true })).join("") + utf8.decode() }
  }))
  return run.pipe(
    Effect.mapError((error: PlatformError.PlatformError) => unreadable(`${shown} could not run (${reasonOf(error)})`)),
    Effect.timeoutOption(commandTimeout),
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(unreadable(`${shown} did not finish within ${Duration.format(commandTimeout)}`)),
      onSome: ({ exitCode, text }) => {
        if (exitCode !== 0) return Effect.fail(unreadable(`${shown} failed (exit ${exitCode})`))
        const first = text.split(/\r?\n/)[0] ?? ""
        return first.trim().length === 0
          ? Effect.fail(unreadable(`${shown} printed no key on its first line`))
          : Effect.succeed(Redacted.make(first))
      }
    }))
  )
}

/** The key a reference names; `baseDir` is the desired file's folder. */
export const readKeyReference = (
  reference: KeyReference,
  baseDir: string
): Effect.Effect<Redacted.Redacted<string>, KeyUnreadable, FileSystem.FileSystem | Path.Path | ChildProcessSpawner> =>
  "env" in reference ? fromEnv(reference.env) : "file" in reference ? fromFile(reference.file, baseDir) : fromCommand(reference.command, baseDir)
