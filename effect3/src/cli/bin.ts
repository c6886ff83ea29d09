#!/usr/bin/env node
/**
 * The `byok` executable: runs the command tree on Node, prints any failure as one line on stderr,
 * and exits with the code of its class (see `errors.ts`).
 *
 * @since 0.1.0
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { cli } from "./commands.js"
import { describeError, ExitCode, exitCodeOf } from "./errors.js"

// A reader that stops early (`byok list | head`) closes the pipe. What is left to print is dropped
// and the command still finishes: a bulk change is never cut off half-way by its reader.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error
})

const main = cli(process.argv).pipe(
  Effect.as<number>(ExitCode.success),
  Effect.catchAll((error) =>
    // @effect/cli has already printed its own usage errors, with help.
    ValidationError.isValidationError(error)
      ? Effect.succeed(exitCodeOf(error))
      : Effect.as(Console.error(describeError(error)), exitCodeOf(error))
  ),
  Effect.catchAllDefect((defect) => Effect.as(Console.error(`InternalError: ${Cause.pretty(Cause.die(defect))}`), ExitCode.internal)),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) {
      // Not process.exit: that could cut off output still flowing into a pipe.
      process.exitCode = exit.value as number
    } else {
      onExit(Cause.isInterruptedOnly(exit.cause) ? ExitCode.interrupted : ExitCode.internal)
    }
  }
})
