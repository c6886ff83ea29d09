/**
 * Faults the fake acts out instead of (or after) answering normally, as data, and their
 * constructors. Each line's testing kit publishes these as `Fault`, with `delay` taking its own
 * `Duration`.
 */
import { errorBody } from "./fakeApi.js"

/** A fault to inject. */
export type Fault =
  | {
    readonly _tag: "Respond"
    /** `success`: the success status of the operation the request is for. */
    readonly status: number | "success"
    readonly headers: Readonly<Record<string, string>>
    readonly body: string
    /** Run the real handler first (so a create is stored), then answer with this instead. */
    readonly afterHandling: boolean
  }
  | { readonly _tag: "MapBody"; readonly f: (wire: any) => unknown }
  | { readonly _tag: "AddHeaders"; readonly headers: Readonly<Record<string, string>> }
  | { readonly _tag: "Delay"; readonly millis: number }
  | { readonly _tag: "ActLater"; readonly millis: number }
  | { readonly _tag: "Reset"; readonly afterHandling: boolean }
  | { readonly _tag: "ResetMidBody" }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Refuse" }

/** Constructors of faults, except `delay`, whose duration each line takes in its own `Duration`. */
export const faults = {
  /** Answer with `status` and the documented error body (or `body`, a string sent as is). `afterHandling` acts first: a create is stored, then this is the answer. */
  status: (
    status: number,
    options: { readonly body?: string; readonly headers?: Record<string, string>; readonly afterHandling?: boolean } = {}
  ): Fault => ({
    _tag: "Respond",
    status,
    headers: { "content-type": "application/json", ...options.headers },
    body: options.body ?? JSON.stringify(errorBody(status)),
    afterHandling: options.afterHandling ?? false
  }),
  /**
   * Answer with a raw body: truncated JSON, HTML, an empty string. The operation's success status
   * (201 for create, 200 otherwise) and a JSON content type unless given.
   */
  body: (
    body: string,
    options: { readonly status?: number; readonly contentType?: string; readonly headers?: Record<string, string> } = {}
  ): Fault => ({
    _tag: "Respond",
    status: options.status ?? "success",
    headers: { "content-type": options.contentType ?? "application/json", ...options.headers },
    body,
    afterHandling: false
  }),
  /** Answer normally, with the JSON body rewritten by `f` (drop a field, add one, change a type). */
  mapBody: (f: (wire: any) => unknown): Fault => ({ _tag: "MapBody", f }),
  /** Answer normally, with these response headers added (an `x-request-id`, say). */
  headers: (headers: Record<string, string>): Fault => ({ _tag: "AddHeaders", headers }),
  /** Wait this many milliseconds on the transport's clock, then answer normally. */
  delayMillis: (millis: number): Fault => ({ _tag: "Delay", millis }),
  /**
   * Never answer, and act on the request this many milliseconds later on the transport's clock (a
   * create is stored then), whether or not the client is still waiting.
   */
  actLaterMillis: (millis: number): Fault => ({ _tag: "ActLater", millis }),
  /** Drop the connection with no response; `afterHandling` acts first (a create is stored). */
  reset: (options: { readonly afterHandling?: boolean } = {}): Fault => ({
    _tag: "Reset",
    afterHandling: options.afterHandling ?? false
  }),
  /** Answer normally but break the connection half-way through the body. */
  resetMidBody: { _tag: "ResetMidBody" } as Fault,
  /** Never answer. */
  hang: { _tag: "Hang" } as Fault,
  /** Refuse the connection (in memory; the loopback server can only drop it, as `reset`). */
  refuse: { _tag: "Refuse" } as Fault
} as const
