/**
 * A create whose outcome is unknown, settled: wait for the server to finish what it may still be
 * doing, look for the credential it could have stored, and either take it, or send the create
 * again and remove the first one if it shows up after all. What counts as a match, and what each
 * look decides, is the shared rule (`shared/src/createRecovery.ts`); every look, resend and
 * removal is an ordinary operation of the client, so it has the pipeline's retries, spans, request
 * limit and scrubbing.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import * as Recovery from "../../../shared/src/createRecovery.js"
import { isAmbiguousCreateFailure } from "../../../shared/src/retryRule.js"
import type { CreateRecovery, RecoverOptions } from "../Byok.js"
import * as ByokError from "../ByokError.js"
import type { CreateByokKey, StreamByokKeys } from "../ByokInput.js"
import type { ByokKey } from "../ByokKey.js"
import * as RetryPolicy from "../RetryPolicy.js"

/** The operations recovery uses, from the client itself. */
export interface Operations {
  readonly create: (input: CreateByokKey) => Effect.Effect<ByokKey, ByokError.CreateError>
  readonly stream: (options: StreamByokKeys) => Stream.Stream<ByokKey, ByokError.ListError>
  readonly delete: (id: string) => Effect.Effect<void, ByokError.DeleteError>
}

/** The failures that leave a create's outcome open. */
type Ambiguous = ByokError.InternalServer | ByokError.ApiError | ByokError.TransportError

const isAmbiguous = (error: ByokError.CreateError): error is Ambiguous =>
  isAmbiguousCreateFailure({ _tag: error._tag, ...("status" in error ? { status: error.status } : {}), ...("reason" in error ? { reason: error.reason } : {}) })

/** The recovery settings, checked: a settle period and a clock-skew allowance that are durations. */
const settingsOf = (recover: true | RecoverOptions) => {
  const options: RecoverOptions = recover === true ? {} : recover
  const settle = options.settle === undefined ? Option.some(Duration.millis(Recovery.defaultSettleMillis)) : Duration.fromInput(options.settle)
  const clockSkew = options.clockSkew === undefined
    ? Option.some(Duration.millis(Recovery.defaultClockSkewMillis))
    : Duration.fromInput(options.clockSkew)
  const issues = [
    ...(Option.isNone(settle) ? ["recover.settle: must be a duration"] : []),
    ...(Option.isNone(clockSkew) ? ["recover.clockSkew: must be a duration"] : [])
  ]
  return issues.length > 0 || Option.isNone(settle) || Option.isNone(clockSkew)
    ? Result.fail(new ByokError.InvalidRequest({ operation: "create", message: `invalid create options: ${issues.join("; ")}`, issues }))
    : Result.succeed({ settle: settle.value, clockSkew: clockSkew.value, onRecovery: options.onRecovery })
}

/** An event on the operation's span. */
const event = (name: string, attributes: Record<string, unknown>) =>
  Effect.flatMap(Effect.option(Effect.currentSpan), (span) =>
    Option.isNone(span)
      ? Effect.void
      : Effect.clockWith((clock) => Effect.sync(() => span.value.event(name, clock.currentTimeNanosUnsafe(), attributes))))

/**
 * `create` with recovery. `maxRetryAfter` bounds the server's `Retry-After` as the settle period,
 * as it bounds the waits before retries.
 */
export const createRecovering = (
  operations: Operations,
  input: CreateByokKey,
  recover: true | RecoverOptions,
  maxRetryAfter: Duration.Duration
): Effect.Effect<ByokKey, ByokError.RecoveringCreateError> =>
  Result.match(settingsOf(recover), {
    onFailure: Effect.fail,
    onSuccess: ({ clockSkew, onRecovery, settle }) =>
      Effect.gen(function*() {
        const sent: Recovery.SentCreate = { ...input, keyText: Redacted.isRedacted(input.key) ? Redacted.value(input.key) : "" }
        const since = (yield* Clock.currentTimeMillis) - Duration.toMillis(clockSkew)
        const report = (recovery: CreateRecovery) =>
          Effect.as(
            Effect.andThen(
              event(`byok.create.${recovery._tag === "DuplicateRemoved" ? "duplicate_removed" : recovery._tag.toLowerCase()}`, {
                "byok.key_id": recovery.key.id,
                ...(recovery._tag === "DuplicateRemoved" ? { "byok.removed_id": recovery.removed } : {})
              }),
              onRecovery === undefined ? Effect.void : onRecovery(recovery)
            ),
            recovery.key
          )

        /** Waits as long as the server asked, when it asked for no longer than the client waits out; the settle period otherwise. */
        const settleAfter = (error: Ambiguous) => {
          const retryAfter = RetryPolicy.retryAfterOf(error)
          return Effect.sleep(
            retryAfter !== undefined && Duration.isLessThanOrEqualTo(retryAfter, maxRetryAfter) ? retryAfter : settle
          )
        }
        /** The live credentials of the provider and workspace the create went to. */
        const look = Stream.runCollect(operations.stream({
          provider: input.provider,
          ...(input.workspaceId !== undefined ? { workspaceId: input.workspaceId } : {})
        }))
        const unknown = (candidates: ReadonlyArray<ByokKey>, error: Ambiguous) =>
          new ByokError.CreateOutcomeUnknown({
            message: `the create's outcome is unknown: ${candidates.length === 0 ? "no" : candidates.length} matching credential${
              candidates.length === 1 ? "" : "s"
            } found after ${error._tag}`,
            candidates: candidates.map((key) => key.id),
            error
          })

        const first = yield* Effect.result(operations.create(input))
        if (Result.isSuccess(first)) return first.success
        const error = first.failure
        if (!isAmbiguous(error)) return yield* Effect.fail(error)
        yield* event("byok.create.ambiguous", { "error.type": error._tag })
        yield* settleAfter(error)
        const found = Recovery.judgeLook(yield* look, sent, since)
        if (found._tag === "Take") return yield* report({ _tag: "Recovered", key: found.key })
        if (found._tag === "Unknown") return yield* Effect.fail(unknown(found.candidates, error))

        // Nothing stored yet: send it again, then look once more for the first attempt arriving late.
        const second = yield* Effect.result(operations.create(input))
        if (Result.isFailure(second)) {
          const again = second.failure
          if (!isAmbiguous(again)) return yield* Effect.fail(again)
          yield* settleAfter(again)
          const late = Recovery.judgeLook(yield* look, sent, since)
          return late._tag === "Take"
            ? yield* report({ _tag: "Recovered", key: late.key })
            : yield* Effect.fail(unknown(late._tag === "Unknown" ? late.candidates : [], again))
        }
        const created = second.success
        yield* Effect.sleep(settle)
        const last = Recovery.judgeLastLook(yield* look, created, sent, since)
        if (last._tag === "Retried") return yield* report({ _tag: "Retried", key: created })
        if (last._tag === "Unknown") return yield* Effect.fail(unknown(last.candidates, error))
        const duplicate = last.duplicate
        // Gone already is as good: someone removed it first. Still there: the caller has two, and must know.
        const removed = yield* Effect.result(Effect.catchTag(operations.delete(duplicate.id), "NotFound", () => Effect.void))
        if (Result.isFailure(removed)) return yield* Effect.fail(unknown([created, duplicate], error))
        return yield* report({ _tag: "DuplicateRemoved", key: created, removed: duplicate.id })
      }).pipe(
        Effect.withSpan("Byok.create", { kind: "internal", attributes: { "byok.create.recover": true } }, { captureStackTrace: false })
      )
  })
