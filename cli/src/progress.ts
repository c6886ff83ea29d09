/**
 * The progress line of a long listing: `reading keys: 200 of 450` on stderr, redrawn in place with a
 * carriage return. Only on a terminal, and only once a second page is needed: a one-page listing
 * stays quiet, and a redirected stderr never receives control characters.
 */
import * as Effect from "effect/Effect"
import type * as Stdio from "effect/Stdio"
import { stderrIsTerminal, writeStderr } from "./stdio.js"

/**
 * A progress line: `update` after each page; `clear` before printing rows to a terminal it may
 * share, and at the end.
 */
export interface Progress {
  readonly update: (read: number, total: number) => Effect.Effect<void>
  readonly clear: Effect.Effect<void>
}

const clearLine = "\r\x1b[K"

/** A progress line for keys read out of a total; it does nothing when stderr is not a terminal. */
export const makeProgress: Effect.Effect<Progress, never, Stdio.Stdio> = Effect.map(stderrIsTerminal, (terminal): Progress => {
  if (!terminal) return { update: () => Effect.void, clear: Effect.void }
  let shown = false
  return {
    update: (read, total) =>
      Effect.suspend(() => {
        if (!shown && read >= total) return Effect.void
        shown = true
        return writeStderr(`${clearLine}reading keys: ${read} of ${total}`)
      }),
    clear: Effect.suspend(() => {
      if (!shown) return Effect.void
      shown = false
      return writeStderr(clearLine)
    })
  }
})
