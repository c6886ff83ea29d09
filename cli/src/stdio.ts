/**
 * The CLI's own use of stdin and stderr. Whether a stream is a terminal comes from Effect's `Stdio`;
 * reading a secret does not: `Terminal.readLine` echoes what is typed, and a prompt needs raw mode
 * to hide it, so prompts and stdin reads talk to `process.stdin` through these few functions.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stdio from "effect/Stdio"
import { UsageError } from "./errors.js"

/** Whether stdin is a terminal, i.e. someone can answer a prompt. */
export const stdinIsTerminal: Effect.Effect<boolean, never, Stdio.Stdio> = Stdio.Stdio.use((stdio) => stdio.stdinIsTerminal)

/** Whether stderr is a terminal, where a progress line can be redrawn in place. */
export const stderrIsTerminal: Effect.Effect<boolean, never, Stdio.Stdio> = Stdio.Stdio.use((stdio) => stdio.stderrIsTerminal)

/** Writes text to stderr as is, without adding a newline. */
export const writeStderr = (text: string): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    process.stderr.write(text, () => resume(Effect.void))
  })

/** Everything on stdin up to its end, as text. For piped input. */
export const readStdinToEnd: Effect.Effect<string> = Effect.callback<string>((resume) => {
  const stdin = process.stdin
  const chunks: Array<string> = []
  const onData = (chunk: string) => {
    chunks.push(chunk)
  }
  const onEnd = () => {
    cleanup()
    resume(Effect.succeed(chunks.join("")))
  }
  const cleanup = () => {
    stdin.off("data", onData)
    stdin.off("end", onEnd)
    stdin.off("error", onEnd)
    stdin.pause()
  }
  stdin.setEncoding("utf8")
  stdin.on("data", onData)
  stdin.once("end", onEnd)
  // A stdin that cannot be read (closed, a directory) is read as what arrived so far: usually nothing.
  stdin.once("error", onEnd)
  stdin.resume()
  return Effect.sync(cleanup)
})

/**
 * Asks a question on stderr and reads one line typed at the terminal. With `hidden`, what is typed
 * is not echoed (for keys). `None` when the input ended (Ctrl-D) before a line; Ctrl-C interrupts.
 */
export const promptLine = (question: string, options: { readonly hidden: boolean }): Effect.Effect<Option.Option<string>> =>
  Effect.andThen(
    writeStderr(question),
    Effect.callback<Option.Option<string>>((resume) => {
      const stdin = process.stdin
      let line = ""
      // A hidden line's Enter is not echoed, and an ended input has none: end the prompt's line ourselves.
      const finish = (result: Effect.Effect<Option.Option<string>>, echoedNewline = false) => {
        cleanup()
        if (options.hidden || !echoedNewline) process.stderr.write("\n")
        resume(result)
      }
      // In raw mode every key arrives as typed, so line editing is ours: Enter, Backspace, Ctrl-C, Ctrl-D.
      const onData = (chunk: string) => {
        for (const char of chunk) {
          if (char === "\r" || char === "\n") return finish(Effect.succeed(Option.some(line)), true)
          if (char === "\u0003") return finish(Effect.interrupt)
          if (char === "\u0004") return finish(Effect.succeed(line.length > 0 ? Option.some(line) : Option.none()))
          if (char === "\u007f" || char === "\b") line = line.slice(0, -1)
          else if (char >= " ") line += char
        }
      }
      const onEnd = () => finish(Effect.succeed(line.length > 0 ? Option.some(line) : Option.none()))
      const cleanup = () => {
        stdin.off("data", onData)
        stdin.off("end", onEnd)
        if (options.hidden && stdin.isTTY) stdin.setRawMode(false)
        stdin.pause()
      }
      stdin.setEncoding("utf8")
      if (options.hidden && stdin.isTTY) stdin.setRawMode(true)
      stdin.on("data", onData)
      stdin.once("end", onEnd)
      stdin.resume()
      return Effect.sync(cleanup)
    })
  )

/** Asks a y/N question on the terminal; anything but y or yes refuses, and nothing is done. */
export const confirmOrRefuse = (question: string): Effect.Effect<void, UsageError> =>
  Effect.flatMap(promptLine(`${question} [y/N] `, { hidden: false }), (answer) =>
    Option.exists(answer, (text) => /^\s*y(es)?\s*$/i.test(text))
      ? Effect.void
      : Effect.fail(new UsageError({ message: "not confirmed; nothing was changed" })))
