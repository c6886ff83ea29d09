/**
 * The CLI's failure vocabulary and the one rule that turns a failure into a line on stderr and an
 * exit code. Library errors (`ByokError`) keep their tags; the CLI adds `UsageError` for input it
 * rejects itself, `BulkFailed` and `ApplyFailed` for changes that partly failed, the refusals of
 * `plan` and `apply` (`DesiredStateInvalid`, `PlanConflict`, `PlanStale`), and `ChangesPending`,
 * the outcome of a plan that found something to do.
 */
import * as CliError from "effect/cli/CliError"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import { printable } from "./output.js"

/**
 * Input the CLI rejects before talking to the API: an empty key on stdin, a missing management
 * key, contradictory flags. The message never holds the value that was rejected.
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

/**
 * A bulk change in which some credentials failed. Each failure has already been reported on its
 * own line; `tags` holds their error tags so the exit code can follow the worst of them.
 */
export class BulkFailed extends Schema.TaggedError<BulkFailed>()("BulkFailed", {
  message: Schema.String,
  tags: Schema.Array(Schema.String)
}) {}

/**
 * A desired-state file (or a saved plan) that cannot be planned from: each problem has already been
 * reported on its own line, naming the entry and the field. Nothing was sent.
 */
export class DesiredStateInvalid extends Schema.TaggedError<DesiredStateInvalid>()("DesiredStateInvalid", {
  message: Schema.String
}) {}

/**
 * The file and the live credentials cannot be matched without guessing (several live credentials
 * with one identity, a global credential that would have to be created). Each problem has already
 * been reported on its own line. Nothing was sent.
 */
export class PlanConflict extends Schema.TaggedError<PlanConflict>()("PlanConflict", {
  message: Schema.String
}) {}

/** A saved plan whose live state or actions moved since it was made. Nothing was sent. */
export class PlanStale extends Schema.TaggedError<PlanStale>()("PlanStale", {
  message: Schema.String
}) {}

/**
 * A plan found changes to make: `byok plan` exits 2, as `terraform plan -detailed-exitcode` does.
 * Not a failure; the plan itself is the report, so no line is printed for it.
 */
export class ChangesPending extends Schema.TaggedError<ChangesPending>()("ChangesPending", {
  message: Schema.String
}) {}

/**
 * An apply in which some changes failed, as `BulkFailed` is for a bulk change: each failure was
 * reported on its own line, and the exit code follows the worst of `tags`.
 */
export class ApplyFailed extends Schema.TaggedError<ApplyFailed>()("ApplyFailed", {
  message: Schema.String,
  tags: Schema.Array(Schema.String)
}) {}

/** The exit codes, one per class of outcome. */
export const ExitCode = {
  /** Everything asked for was done. */
  success: 0,
  /** Bad flags or arguments, invalid input, or a request the server rejected as malformed. */
  usage: 1,
  /** No credential with that id. */
  notFound: 2,
  /** `byok plan` only: the plan has changes to apply (not a failure). */
  changesPending: 2,
  /** The management key is missing, invalid or not allowed to do this. */
  unauthorized: 3,
  /** Rate limited, a server failure, a transport failure or an unreadable answer: trying later may help. */
  unavailable: 4,
  /** A bug in the CLI itself (a defect), as `sysexits.h`'s EX_SOFTWARE. */
  internal: 70,
  /** Interrupted (Ctrl-C), as shells report SIGINT. */
  interrupted: 130
} as const

/** One of the exit codes. */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode]

/**
 * The exit code of an error tag: the single place that maps failures to exit codes. Unknown tags
 * count as unavailable, the class that tells a script "not your input; look at the message".
 */
export const exitCodeOfTag = (tag: string): ExitCode => {
  switch (tag) {
    case "UsageError":
    case "InvalidRequest":
    case "BadRequest":
    case "DesiredStateInvalid":
    case "PlanConflict":
    case "PlanStale":
      return ExitCode.usage
    case "ChangesPending":
      return ExitCode.changesPending
    case "NotFound":
      return ExitCode.notFound
    case "Unauthorized":
    case "Forbidden":
      return ExitCode.unauthorized
    case "RateLimited":
    case "InternalServer":
    case "ApiError":
    case "TransportError":
    case "DecodeError":
    default:
      return ExitCode.unavailable
  }
}

/**
 * The exit code of any failure the CLI can end with. Every error of the argument parser is a usage
 * error. A bulk change or an apply that partly failed exits with the largest code among its
 * failures: a script retrying on 4 then sees what is left.
 */
export const exitCodeOf = (error: unknown): ExitCode => {
  if (CliError.isCliError(error)) return ExitCode.usage
  if (error instanceof BulkFailed || error instanceof ApplyFailed) {
    return error.tags.reduce<ExitCode>((worst, tag) => Math.max(worst, exitCodeOfTag(tag)) as ExitCode, ExitCode.success)
  }
  return exitCodeOfTag(tagOf(error))
}

const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string" ? error._tag : "UnknownError"

const field = (error: unknown, name: string): unknown =>
  typeof error === "object" && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined

/**
 * An error as one line: `<Tag>: <message>`, then ` (retry after …)` when the server asked to wait
 * and ` (request id: X)` when the server sent one. Control characters from the server become `?`.
 */
export const describeError = (error: unknown): string => {
  const message = field(error, "message")
  const text = typeof message === "string" && message.length > 0 ? message : String(error)
  const retryAfter = field(error, "retryAfter")
  const requestId = field(error, "requestId")
  // Server messages can span lines; the contract with scripts is one line per error.
  let line = `${tagOf(error)}: ${text.replace(/\s*[\r\n]+\s*/g, " ").trim()}`
  if (Duration.isDuration(retryAfter)) line += ` (retry after ${Duration.format(retryAfter)})`
  if (typeof requestId === "string" && requestId.length > 0) line += ` (request id: ${requestId})`
  // A create whose outcome is unknown names what it found, for the operator to decide.
  const candidates = field(error, "candidates")
  if (Array.isArray(candidates) && candidates.length > 0) line += ` (candidates: ${candidates.join(", ")})`
  return printable(line)
}
