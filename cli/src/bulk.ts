/**
 * `enable`, `disable` and `delete`, on named ids or on every credential a filter selects: read the
 * selection, leave alone what is already in the wanted state, confirm (a selection, and any
 * delete), apply with bounded
 * concurrency, and sum up. One failed credential does not stop the others; it is reported on its
 * own line and makes the run exit non-zero.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type * as Stdio from "effect/Stdio"
import * as Stream from "effect/Stream"
import { Byok, type ByokError, type ByokKey } from "../../effect4/src/index.js"
import { BulkFailed, describeError, UsageError } from "./errors.js"
import { type Filters, streamOptions } from "./listing.js"
import { countOf, describeKey, printable } from "./output.js"
import { confirmOrRefuse, stdinIsTerminal } from "./stdio.js"

/**
 * What a bulk command does to each selected credential.
 */
export type BulkAction = "enable" | "disable" | "delete"

/**
 * The flags of a bulk command: ids or filters, and how to go about it.
 */
export interface BulkOptions extends Filters {
  readonly action: BulkAction
  readonly ids: ReadonlyArray<string>
  readonly dryRun: boolean
  readonly yes: boolean
  readonly concurrency: number
}

const words: Record<BulkAction, { readonly done: string; readonly already: string }> = {
  enable: { done: "enabled", already: "already enabled" },
  disable: { done: "disabled", already: "already disabled" },
  delete: { done: "deleted", already: "" }
}

/**
 * Whether `action` would change `key`: enabling an enabled key (or disabling a disabled one) is
 * not sent and counts as unchanged; a delete always changes.
 */
export const needsChange = (action: BulkAction, key: ByokKey): boolean =>
  action === "enable" ? key.disabled : action === "disable" ? !key.disabled : true

interface Failure {
  readonly id: string
  readonly error: ByokError.ByokError
}

const reportFailure = (failure: Failure) => Console.error(`failed ${printable(failure.id)}: ${describeError(failure.error)}`)

/**
 * The selected credentials, the named ids that could not be read, and how many global credentials
 * a workspace selection left out.
 */
const select = (options: BulkOptions, byFilter: boolean) =>
  Effect.gen(function*() {
    const byok = yield* Byok
    if (byFilter) {
      const listed = yield* Stream.runCollect(byok.stream(streamOptions(options)))
      // A workspace's listing includes the global credentials, which serve every workspace: acting
      // on them because one workspace was named would reach all the others. `--provider` alone
      // (the default workspace's listing) still selects them.
      const keys = Option.isSome(options.workspaceId) ? listed.filter((key) => key.workspaceId !== null) : listed
      return { keys, failures: [] as ReadonlyArray<Failure>, skippedGlobal: listed.length - keys.length }
    }
    const ids = Array.from(new Set(options.ids))
    const lookup = Option.match(options.workspaceId, { onNone: () => ({}), onSome: (workspaceId) => ({ workspaceId }) })
    const results = yield* Effect.forEach(ids, (id) => Effect.result(byok.get(id, lookup)), { concurrency: options.concurrency })
    const keys: Array<ByokKey> = []
    const failures: Array<Failure> = []
    results.forEach((result, i) =>
      Result.match(result, { onFailure: (error) => failures.push({ id: ids[i]!, error }), onSuccess: (key) => keys.push(key) })
    )
    return { keys, failures, skippedGlobal: 0 }
  })

const apply = (action: BulkAction, key: ByokKey): Effect.Effect<void, ByokError.ByokError, Byok> =>
  Byok.use((byok) =>
    action === "delete" ? byok.delete(key.id) : Effect.asVoid(byok.update(key.id, { disabled: action === "disable" })))

/** `--concurrency`, as bulk changes and `apply` take it. */
export const checkConcurrency = (concurrency: number): Effect.Effect<void, UsageError> =>
  Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 32
    ? Effect.void
    : Effect.fail(new UsageError({ message: "--concurrency must be an integer from 1 to 32" }))

const confirmListed = 20

const confirm = (action: BulkAction, changes: ReadonlyArray<ByokKey>): Effect.Effect<void, UsageError> =>
  Effect.gen(function*() {
    // Enough to recognise the selection; `--dry-run` lists all of it.
    for (const key of changes.slice(0, confirmListed)) yield* Console.error(`  ${action} ${describeKey(key)}`)
    if (changes.length > confirmListed) yield* Console.error(`  … and ${changes.length - confirmListed} more`)
    yield* confirmOrRefuse(`${action[0]!.toUpperCase()}${action.slice(1)} ${countOf(changes.length, "credential")}?`)
  })

/**
 * Runs a bulk command. Exits non-zero (`BulkFailed`) when any credential failed, after the others
 * were done; with `--dry-run` nothing is written, only read.
 */
export const bulk = (
  options: BulkOptions
): Effect.Effect<void, UsageError | BulkFailed | ByokError.ListError, Byok | Stdio.Stdio> =>
  Effect.gen(function*() {
    const { action } = options
    // With ids, --workspace-id says where to look them up; without, it selects.
    const byFilter = options.ids.length === 0
    if (!byFilter && Option.isSome(options.provider)) {
      return yield* new UsageError({ message: `${action}: give ids or --provider, not both` })
    }
    if (byFilter && Option.isNone(options.provider) && Option.isNone(options.workspaceId)) {
      return yield* new UsageError({ message: `${action}: give at least one id, or select with --provider/--workspace-id` })
    }
    yield* checkConcurrency(options.concurrency)
    // A filter can select more than the operator expects, and a delete cannot be undone, so both
    // are confirmed; decided before any request.
    const mustConfirm = (byFilter || action === "delete") && !options.dryRun && !options.yes
    if (mustConfirm && !(yield* stdinIsTerminal)) {
      const what = byFilter ? "a selection" : "credentials"
      return yield* new UsageError({
        message: `${action}: refusing to ${action} ${what} without --yes when stdin is not a terminal (preview with --dry-run)`
      })
    }

    const selection = yield* select(options, byFilter)
    const failures: Array<Failure> = [...selection.failures]
    yield* Effect.forEach(failures, reportFailure)
    if (selection.skippedGlobal > 0) {
      yield* Console.log(`skipped ${countOf(selection.skippedGlobal, "global credential")}: not scoped to the workspace (select with --provider alone)`)
    }
    const changes: Array<ByokKey> = []
    const unchanged: Array<ByokKey> = []
    for (const key of selection.keys) (needsChange(action, key) ? changes : unchanged).push(key)
    for (const key of unchanged) yield* Console.log(`unchanged ${describeKey(key)}: ${words[action].already}`)

    let changed = 0
    if (options.dryRun) {
      for (const key of changes) yield* Console.log(`would ${action} ${describeKey(key)}`)
    } else {
      if (mustConfirm && changes.length > 0) yield* confirm(action, changes)
      yield* Effect.forEach(
        changes,
        (key) =>
          apply(action, key).pipe(
            Effect.matchEffect({
              onFailure: (error) => {
                const failure = { id: key.id, error }
                failures.push(failure)
                return reportFailure(failure)
              },
              onSuccess: () => {
                changed++
                return Console.log(`${words[action].done} ${describeKey(key)}`)
              }
            })
          ),
        { concurrency: options.concurrency, discard: true }
      )
    }

    yield* Console.log(
      options.dryRun
        ? `${action} (dry run, nothing sent): ${changes.length} would change, ${unchanged.length} unchanged, ${failures.length} failed`
        : `${action}: ${changed} changed, ${unchanged.length} unchanged, ${failures.length} failed`
    )
    if (failures.length > 0) {
      const total = selection.keys.length + selection.failures.length
      return yield* new BulkFailed({
        message: `${failures.length} of ${countOf(total, "credential")} failed`,
        tags: failures.map((f) => f.error._tag)
      })
    }
  })
