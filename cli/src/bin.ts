/**
 * The `byok` executable: runs the command tree on Node, prints any failure as one line on stderr,
 * and exits with the code of its class (see `errors.ts`).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as CliConfig from "effect/cli/CliConfig"
import * as CliError from "effect/cli/CliError"
import * as Command from "effect/cli/Command"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as TerminalCapabilities from "effect/cli/TerminalCapabilities"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { byok, version } from "./commands.js"
import { ChangesPending, describeError, ExitCode, exitCodeOf } from "./errors.js"
import * as Help from "./help.js"
import * as Platform from "./platform.js"

// A reader that stops early (`byok list | head`) closes the pipe. What is left to print is dropped
// and the command still finishes: a bulk change is never cut off half-way by its reader.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error
})

/**
 * Effect's built-in flags but two: `--log-level`, since the CLI logs nothing, and `--wizard`, whose
 * prompts draw with escape sequences even into a pipe and would put a flag-by-flag questionnaire
 * in front of commands that change credentials.
 */
const cliConfig = CliConfig.layer({
  builtIns: [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Completions]
})

const main = Command.run(byok, { version }).pipe(
  Effect.as<number>(ExitCode.success),
  Effect.catch((error) =>
    // The parser's errors have already been printed, by the presenter in help.ts; a plan with
    // changes is no error at all, and has printed itself.
    CliError.isCliError(error) || error instanceof ChangesPending
      ? Effect.succeed(exitCodeOf(error))
      : Effect.as(Console.error(describeError(error)), exitCodeOf(error))
  ),
  Effect.catchDefect((defect) => Effect.as(Console.error(`InternalError: ${Cause.pretty(Cause.die(defect))}`), ExitCode.internal)),
  Effect.provide(Layer.mergeAll(Help.layer, cliConfig, TerminalCapabilities.layer).pipe(Layer.provideMerge(Platform.layer)))
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) {
      // Not process.exit: that could cut off output still flowing into a pipe.
      process.exitCode = exit.value as number
    } else {
      onExit(Cause.hasInterruptsOnly(exit.cause) ? ExitCode.interrupted : ExitCode.internal)
    }
  }
})
