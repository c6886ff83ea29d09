/**
 * The CLI's own use of stdin and stderr. `@effect/platform`'s `Terminal` covers stdout (its size,
 * whether it is a terminal); it has no stderr, its `readLine` waits forever on an empty pipe, and it
 * echoes what is typed, so secrets and prompts go through these few functions instead.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * Whether stdin is a terminal, i.e. someone can answer a prompt.
 *
 * @since 0.1.0
 * @category terminal
 */
export const stdinIsTerminal: Effect.Effect<boolean> = Effect.sync(() => process.stdin.isTTY === true)

/**
 * Whether stderr is a terminal, where a progress line can be redrawn in place.
 *
 * @since 0.1.0
 * @category terminal
 */
export const stderrIsTerminal: Effect.Effect<boolean> = Effect.sync(() => process.stderr.isTTY === true)

/**
 * Writes text to stderr as is, without adding a newline.
 *
 * @since 0.1.0
 * @category output
 */
export const writeStderr = (text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    process.stderr.write(text, () => resume(Effect.void))
  })

/**
 * Everything on stdin up to its end, as text. For piped input.
 *
 * @since 0.1.0
 * @category input
 */
export const readStdinToEnd: Effect.Effect<string> = Effect.async<string>((resume) => {
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
 *
 * @since 0.1.0
 * @category input
 */
export const promptLine = (question: string, options: { readonly hidden: boolean }): Effect.Effect<Option.Option<string>> =>
  Effect.zipRight(
    writeStderr(question),
    Effect.async<Option.Option<string>>((resume) => {
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
