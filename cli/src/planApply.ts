/**
 * `byok plan` and `byok apply`: read the desired-state file (or a saved plan), read the keys it
 * refers to, read the live credentials in its scope, compute the plan (`plan.ts`), and show it;
 * `apply` then carries it out. The API is the state: nothing is kept between runs but what
 * `--out` saves, which holds no secret.
 *
 * Loaded only when one of the two commands runs, so the other commands do not pay for it.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import * as Path from "effect/Path"
import type { ChildProcessSpawner } from "effect/process/ChildProcessSpawner"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Stdio from "effect/Stdio"
import * as Stream from "effect/Stream"
import { Byok, type ByokError, type ByokKey, ProviderSlugInput, Uuid } from "../../effect4/src/index.js"
import { createInput, decodeDesired, type DesiredEntry, type DesiredFile, entryLabel, parseDesiredText } from "./desiredState.js"
import { ApplyFailed, ChangesPending, describeError, DesiredStateInvalid, PlanConflict, PlanStale, UsageError } from "./errors.js"
import { readKeyReference } from "./keyReferences.js"
import { countOf, describeKey, describeRecovery, printable } from "./output.js"
import {
  type Action,
  computePlan,
  changeCount,
  inScope,
  liveStateText,
  planJson,
  type PlannedEntry,
  renderPlan,
  resolveRotate,
  rotateSelectors,
  type Scope,
  scopeOfEntries,
  settingFields,
  summarize
} from "./plan.js"
import { checkConcurrency } from "./bulk.js"
import { confirmOrRefuse, stdinIsTerminal } from "./stdio.js"

/** What plan and apply share: the file, and what narrows or widens what they do. */
export interface PlanFlags {
  readonly prune: boolean
  readonly rotate: ReadonlyArray<string>
  readonly providers: ReadonlyArray<string>
  readonly workspaceIds: ReadonlyArray<string>
}

/** The flags of `byok plan`. */
export interface PlanOptions extends PlanFlags {
  readonly file: string
  readonly format: "table" | "json"
  readonly out: Option.Option<string>
}

/** The flags of `byok apply`. */
export interface ApplyOptions extends PlanFlags {
  readonly file: Option.Option<string>
  readonly planFile: Option.Option<string>
  readonly yes: boolean
  readonly concurrency: number
}

type Services = Byok | FileSystem.FileSystem | Path.Path | ChildProcessSpawner | Stdio.Stdio

/** Prints each problem on its own line of stderr, then fails with the error that sums them up. */
const refuse = <E>(problems: ReadonlyArray<string>, error: E): Effect.Effect<never, E> =>
  Effect.andThen(Effect.forEach(problems, (line) => Console.error(printable(line)), { discard: true }), Effect.fail(error))


// ---------------------------------------------------------------------------------------------
// The desired state.

/** A desired state ready to plan from: the file's entries and where relative references start. */
interface Desired {
  readonly source: string
  readonly baseDir: string
  readonly file: DesiredFile
}

/** Decodes `raw` as a desired-state file, or reports every problem and fails. */
const checkDesired = (raw: unknown, source: string): Effect.Effect<DesiredFile, DesiredStateInvalid> =>
  Result.match(decodeDesired(raw, source), {
    onSuccess: Effect.succeed,
    onFailure: (problems) =>
      refuse(problems, new DesiredStateInvalid({ message: `${countOf(problems.length, "problem")} in ${printable(source)}; nothing was sent` }))
  })

const readText = (file: string): Effect.Effect<string, DesiredStateInvalid, FileSystem.FileSystem> =>
  FileSystem.FileSystem.use((fs) => fs.readFileString(file)).pipe(
    Effect.catch((error) =>
      refuse(
        [`${file}: cannot be read (${error.reason._tag})`],
        new DesiredStateInvalid({ message: `cannot read ${printable(file)}; nothing was sent` })
      )
    )
  )

const readDesired = (file: string): Effect.Effect<Desired, DesiredStateInvalid, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const text = yield* readText(file)
    const raw = yield* parseDesiredText(text, file).pipe(
      Effect.catch((problems) => refuse(problems, new DesiredStateInvalid({ message: `${printable(file)} cannot be parsed; nothing was sent` })))
    )
    return { source: file, baseDir: path.dirname(path.resolve(file)), file: yield* checkDesired(raw, file) }
  })

/** The scope: the file's, each half replaced by the flags that give it. */
const scopeOf = (flags: PlanFlags, entries: ReadonlyArray<DesiredEntry>): Effect.Effect<Scope, UsageError> => {
  const fromFile = scopeOfEntries(entries)
  const badWorkspace = flags.workspaceIds.find((w) => w !== "global" && !Schema.is(Uuid)(w))
  if (badWorkspace !== undefined) return Effect.fail(new UsageError({ message: "--workspace-id must be a UUID or global" }))
  const badProvider = flags.providers.find((p) => !Schema.is(ProviderSlugInput)(p))
  if (badProvider !== undefined) return Effect.fail(new UsageError({ message: "--provider must be a provider slug (e.g. openai)" }))
  return Effect.succeed({
    workspaceIds: flags.workspaceIds.length > 0 ? Array.from(new Set(flags.workspaceIds.map((w) => w === "global" ? null : w.toLowerCase()))) : fromFile.workspaceIds,
    providers: flags.providers.length > 0 ? Array.from(new Set(flags.providers)) : fromFile.providers
  })
}

/**
 * The keys of the entries in scope, read one entry at a time (a command may ask something on the
 * terminal). Every unreadable reference is reported before failing.
 */
const readKeys = (
  desired: Desired,
  indexes: ReadonlyArray<number>
): Effect.Effect<Array<PlannedEntry>, DesiredStateInvalid, FileSystem.FileSystem | Path.Path | ChildProcessSpawner> =>
  Effect.gen(function*() {
    const results = yield* Effect.forEach(indexes, (index) => {
      const entry = desired.file.credentials[index]!
      return Effect.result(Effect.map(readKeyReference(entry.key, desired.baseDir), (key) => ({ index, entry, key })))
    })
    const problems = results.flatMap((result, i) =>
      Result.isFailure(result) ? [`${desired.source}: ${entryLabel(indexes[i]!, desired.file.credentials[indexes[i]!])}: key: ${result.failure.message}`] : []
    )
    if (problems.length > 0) {
      return yield* refuse(problems, new DesiredStateInvalid({ message: `${countOf(problems.length, "key")} could not be read; nothing was sent` }))
    }
    return results.flatMap((result) => Result.isSuccess(result) ? [result.success] : [])
  })

/** Node's process spawner, loaded only when a key is read from a command: it is no part of start-up. */
const withSpawner = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, Exclude<R, ChildProcessSpawner> | FileSystem.FileSystem | Path.Path> =>
  Effect.flatMap(
    Effect.promise(() => import("@effect/platform-node/NodeChildProcessSpawner")),
    (spawner) => Effect.provide(effect, spawner.layer)
  )

// ---------------------------------------------------------------------------------------------
// The live state.

/**
 * The live credentials in scope, each once. A workspace's listing includes the global
 * credentials; with no workspace named, the default workspace's listing brings them.
 */
const readLive = (scope: Scope): Effect.Effect<Array<ByokKey>, ByokError.ListError, Byok> =>
  Effect.gen(function*() {
    if (scope.workspaceIds.length === 0 || scope.providers.length === 0) return []
    const byok = yield* Byok
    const uuids = scope.workspaceIds.filter((w): w is string => w !== null)
    // One provider in scope: the server filters, so the others are never read.
    const provider = scope.providers.length === 1 ? { provider: scope.providers[0]! } : {}
    const listings = uuids.length > 0 ? uuids.map((workspaceId) => ({ workspaceId, ...provider })) : [provider]
    const pages = yield* Effect.forEach(listings, (options) => Stream.runCollect(byok.stream(options)), { concurrency: 4 })
    const byId = new Map<string, ByokKey>()
    for (const key of pages.flat()) if (!byId.has(key.id)) byId.set(key.id, key)
    return Array.from(byId.values()).filter((key) => inScope(scope, key))
  })

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("")

/** A digest of the live state a plan was computed from: a saved plan is refused once it moves. */
const digestOf = (live: ReadonlyArray<ByokKey>): Effect.Effect<string> =>
  Effect.promise(() => crypto.subtle.digest("SHA-256", new TextEncoder().encode(liveStateText(live)))).pipe(
    Effect.map((bytes) => `sha256:${hex(bytes)}`)
  )

// ---------------------------------------------------------------------------------------------
// Planning.

/** A computed plan and what it was computed from. */
interface Planned {
  readonly desired: Desired
  readonly scope: Scope
  readonly actions: ReadonlyArray<Action>
  readonly liveDigest: string
  readonly entries: ReadonlyArray<PlannedEntry>
}

/** Everything but the reading of the desired state: keys, live state, the plan itself. */
const planFrom = (
  desired: Desired,
  scope: Scope,
  flags: Pick<PlanFlags, "prune" | "rotate">
): Effect.Effect<Planned, UsageError | DesiredStateInvalid | PlanConflict | ByokError.ListError, Services> =>
  Effect.gen(function*() {
    const entries = desired.file.credentials
    const rotate = yield* Result.match(resolveRotate(flags.rotate, entries), {
      onSuccess: Effect.succeed,
      onFailure: (problems) => Effect.fail(new UsageError({ message: problems.join("; ") }))
    })
    const indexes = entries.flatMap((entry, index) => inScope(scope, entry) ? [index] : [])
    const needsSpawner = indexes.some((index) => "command" in entries[index]!.key)
    const read = readKeys(desired, indexes)
    const planned = needsSpawner ? yield* withSpawner(read) : yield* read
    const live = yield* readLive(scope)
    const actions = yield* Result.match(computePlan({ entries: planned, live, prune: flags.prune, rotate }), {
      onSuccess: Effect.succeed,
      onFailure: (problems) =>
        refuse(
          problems.map((problem) => `${desired.source}: ${entryLabel(problem.entry, entries[problem.entry])}: ${problem.message}`),
          new PlanConflict({ message: `${countOf(problems.length, "entry", "entries")} cannot be planned without guessing; nothing was sent` })
        )
    })
    return { desired, scope, actions, liveDigest: yield* digestOf(live), entries: planned }
  })

/** The plan as a terminal shows it, with a word on the entries the flags left out. */
const showPlan = (planned: Planned): Effect.Effect<void> => {
  const entries = planned.desired.file.credentials
  // The entries the flags' narrower scope left out.
  const outOfScope = entries.length - planned.entries.length
  const outside = outOfScope > 0
    ? [`${countOf(outOfScope, "entry", "entries")} of ${printable(planned.desired.source)} outside --provider/--workspace-id, not planned`, ""]
    : []
  return Console.log([...outside, ...renderPlan(planned.actions, planned.scope, rotateSelectors(entries))].join("\n"))
}

// ---------------------------------------------------------------------------------------------
// Saved plans.

/** A plan saved by `--out`: the desired entries with their references, never a key. */
const PlanFile = Schema.Struct({
  byokPlan: Schema.Literal(1),
  source: Schema.String,
  baseDir: Schema.String,
  desired: Schema.Unknown,
  prune: Schema.Boolean,
  rotate: Schema.Array(Schema.String),
  scope: Schema.Struct({ workspaceIds: Schema.Array(Schema.NullOr(Uuid)), providers: Schema.Array(ProviderSlugInput) }),
  liveDigest: Schema.String,
  actions: Schema.Array(Schema.Unknown)
})

const planFileText = (planned: Planned, flags: Pick<PlanFlags, "prune" | "rotate">): string =>
  JSON.stringify(
    {
      byokPlan: 1,
      source: planned.desired.source,
      baseDir: planned.desired.baseDir,
      desired: planned.desired.file,
      prune: flags.prune,
      rotate: flags.rotate,
      scope: planned.scope,
      liveDigest: planned.liveDigest,
      actions: planned.actions
    } satisfies typeof PlanFile.Encoded,
    null,
    2
  ) + "\n"

const writePlanFile = (file: string, text: string): Effect.Effect<void, UsageError, FileSystem.FileSystem> =>
  FileSystem.FileSystem.use((fs) => fs.writeFileString(file, text)).pipe(
    Effect.mapError((error) => new UsageError({ message: `cannot write --out ${printable(file)} (${error.reason._tag})` }))
  )

/** A saved plan, recomputed against the live state of now; refused when anything moved. */
const replan = (
  planFile: string
): Effect.Effect<Planned, UsageError | DesiredStateInvalid | PlanConflict | PlanStale | ByokError.ListError, Services> =>
  Effect.gen(function*() {
    const text = yield* readText(planFile)
    const raw = yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => undefined }).pipe(
      Effect.catch(() => refuse([`${planFile}: not valid JSON`], new DesiredStateInvalid({ message: `${printable(planFile)} is not a saved plan; nothing was sent` })))
    )
    const saved = yield* Schema.decodeUnknownEffect(PlanFile)(raw).pipe(
      Effect.catch(() =>
        refuse([`${planFile}: not a plan saved by byok plan --out`], new DesiredStateInvalid({ message: `${printable(planFile)} is not a saved plan; nothing was sent` }))
      )
    )
    const desired = { source: saved.source, baseDir: saved.baseDir, file: yield* checkDesired(saved.desired, saved.source) }
    const planned = yield* planFrom(desired, saved.scope, saved)
    if (planned.liveDigest !== saved.liveDigest) {
      return yield* new PlanStale({
        message: "the live credentials changed since the plan was saved; run byok plan again (nothing was sent)"
      })
    }
    if (JSON.stringify(planned.actions) !== JSON.stringify(saved.actions)) {
      return yield* new PlanStale({
        message: "the plan's actions differ from the saved ones (a key or the file changed); run byok plan again (nothing was sent)"
      })
    }
    return planned
  })

// ---------------------------------------------------------------------------------------------
// byok plan

/**
 * `byok plan`: shows (and with `--out` saves) what apply would do. Exits 0 with no changes and 2
 * (`ChangesPending`) with some.
 */
export const plan = (
  options: PlanOptions
): Effect.Effect<void, UsageError | DesiredStateInvalid | PlanConflict | ChangesPending | ByokError.ListError, Services> =>
  Effect.gen(function*() {
    const desired = yield* readDesired(options.file)
    const scope = yield* scopeOf(options, desired.file.credentials)
    const planned = yield* planFrom(desired, scope, options)
    if (options.format === "json") {
      yield* Console.log(JSON.stringify(planJson(planned.actions, planned.scope, planned.liveDigest), null, 2))
    } else {
      yield* showPlan(planned)
    }
    if (Option.isSome(options.out)) yield* writePlanFile(options.out.value, planFileText(planned, options))
    const changes = changeCount(summarize(planned.actions))
    if (changes > 0) return yield* new ChangesPending({ message: `${countOf(changes, "change")} pending` })
  })

// ---------------------------------------------------------------------------------------------
// byok apply

/** What became of one action. */
type Outcome =
  | { readonly _tag: "Done"; readonly line: string; readonly created?: ByokKey }
  | { readonly _tag: "Failed"; readonly line: string; readonly error: ByokError.ByokError }
  | { readonly _tag: "Skipped" }


const entryRefText = (action: { readonly provider: string; readonly name: string }) => printable(`(${action.provider}, ${action.name})`)

/** The update body for an action's setting changes: each changed field's new value. */
const updateBody = (action: { readonly changes: ReadonlyArray<{ readonly field: string; readonly to: unknown }> }) =>
  Object.fromEntries(
    action.changes.filter((change) => (settingFields as ReadonlyArray<string>).includes(change.field)).map((change) => [change.field, change.to])
  )

const outcome = <A>(
  effect: Effect.Effect<A, ByokError.ByokError>,
  done: (value: A) => Outcome,
  failed: string
): Effect.Effect<Outcome> =>
  Effect.match(effect, {
    onSuccess: done,
    onFailure: (error): Outcome => ({ _tag: "Failed", line: `failed ${failed}: ${describeError(error)}`, error })
  })

/** The first pass: every create (replacements' too), update and rotation. */
const firstPass = (action: Action, entries: ReadonlyMap<number, PlannedEntry>): Effect.Effect<Outcome, never, Byok> =>
  Effect.gen(function*() {
    const byok = yield* Byok
    switch (action.action) {
      case "create":
      case "replace": {
        const planned = entries.get(action.entry)!
        const create = byok.create(createInput(planned.entry, planned.key), {
          recover: { onRecovery: (recovery) => Console.error(describeRecovery(recovery)) }
        })
        return yield* outcome(
          create,
          (created): Outcome => ({ _tag: "Done", line: `created ${describeKey(created)}`, created }),
          `${action.action} ${entryRefText(action)}`
        )
      }
      case "update":
        return yield* outcome(
          byok.update(action.id, updateBody(action)),
          (updated): Outcome => ({ _tag: "Done", line: `updated ${describeKey(updated)}` }),
          `update ${describeKey(action)}`
        )
      case "rotate":
        return yield* outcome(
          byok.update(action.id, { ...updateBody(action), key: entries.get(action.entry)!.key }),
          (rotated): Outcome => ({ _tag: "Done", line: `rotated ${describeKey(rotated)}` }),
          `rotate ${describeKey(action)}`
        )
      case "delete":
      case "unchanged":
      case "keep":
        return { _tag: "Skipped" }
    }
  })

/** The second pass: deletes, and a replacement's old credential once its new one exists. */
const secondPass = (action: Action, first: Outcome): Effect.Effect<Outcome, never, Byok> =>
  Effect.gen(function*() {
    const byok = yield* Byok
    if (action.action === "delete") {
      return yield* outcome(byok.delete(action.id), (): Outcome => ({ _tag: "Done", line: `deleted ${describeKey(action)}` }), `delete ${describeKey(action)}`)
    }
    if (action.action === "replace" && first._tag === "Done") {
      const created = first.created!
      return yield* outcome(
        byok.delete(action.replaces.id),
        (): Outcome => ({ _tag: "Done", line: `replaced ${describeKey(action.replaces)} by ${describeKey(created)}` }),
        `replace ${entryRefText(action)}: created ${created.id}, then deleting ${action.replaces.id}`
      )
    }
    return first
  })

const checkApplyFlags = (options: ApplyOptions): Effect.Effect<void, UsageError> => {
  if (Option.isSome(options.file) === Option.isSome(options.planFile)) {
    return Effect.fail(new UsageError({ message: "apply: give -f FILE or --plan-file PLANFILE (one of them)" }))
  }
  const planFlags = options.prune || options.rotate.length > 0 || options.providers.length > 0 || options.workspaceIds.length > 0
  if (Option.isSome(options.planFile) && planFlags) {
    return Effect.fail(
      new UsageError({ message: "apply: --prune, --rotate, --provider and --workspace-id come from the saved plan; give them to byok plan" })
    )
  }
  return checkConcurrency(options.concurrency)
}

/**
 * `byok apply`: the plan, shown, confirmed, and carried out with bounded concurrency: creates,
 * updates and rotations first; then deletes, a replacement's old credential only once its new one
 * exists. A failed action does not stop the others; each is reported, and the exit code is the
 * worst among them.
 */
export const apply = (
  options: ApplyOptions
): Effect.Effect<void, UsageError | DesiredStateInvalid | PlanConflict | PlanStale | ApplyFailed | ByokError.ListError, Services> =>
  Effect.gen(function*() {
    yield* checkApplyFlags(options)
    // Decided before anything is read: a key command may prompt, and a script must not hang.
    if (!options.yes && !(yield* stdinIsTerminal)) {
      return yield* new UsageError({ message: "apply: refusing to apply without --yes when stdin is not a terminal (review with byok plan)" })
    }
    const planned = Option.isSome(options.planFile)
      ? yield* replan(options.planFile.value)
      : yield* Effect.gen(function*() {
        const desired = yield* readDesired(Option.getOrThrow(options.file))
        return yield* planFrom(desired, yield* scopeOf(options, desired.file.credentials), options)
      })
    yield* showPlan(planned)
    const summary = summarize(planned.actions)
    const changes = changeCount(summary)
    if (changes > 0 && !options.yes) yield* confirmOrRefuse(`Apply ${countOf(changes, "change")}?`)
    // What was done, set apart from the plan above it.
    if (changes > 0) yield* Console.log("")

    const entries = new Map(planned.entries.map((entry) => [entry.index, entry]))
    const concurrency = { concurrency: options.concurrency }
    // Printed in the plan's order once each pass is over, so a run reads the same however the
    // requests finished.
    const report = (outcomes: ReadonlyArray<Outcome>, only: (action: Action) => boolean) =>
      Effect.forEach(outcomes, (result, i) => {
        if (!only(planned.actions[i]!)) return Effect.void
        return result._tag === "Done" ? Console.log(result.line) : result._tag === "Failed" ? Console.error(printable(result.line)) : Effect.void
      }, { discard: true })

    const first = yield* Effect.forEach(planned.actions, (action) => firstPass(action, entries), concurrency)
    yield* report(first, (action) => action.action !== "replace")
    const second = yield* Effect.forEach(planned.actions, (action, i) => secondPass(action, first[i]!), concurrency)
    yield* report(second, (action) => action.action === "delete" || action.action === "replace")

    const done = (kind: Action["action"]) => second.filter((result, i) => result._tag === "Done" && planned.actions[i]!.action === kind).length
    const failures = second.flatMap((result) => result._tag === "Failed" ? [result.error] : [])
    yield* Console.log(
      `apply: ${done("create")} created, ${done("update")} updated, ${done("rotate")} rotated, ${done("replace")} replaced, ` +
        `${done("delete")} deleted, ${summary.unchanged} unchanged, ${failures.length} failed`
    )
    if (failures.length > 0) {
      return yield* new ApplyFailed({
        message: `${failures.length} of ${countOf(changes, "change")} failed`,
        tags: failures.map((error) => error._tag)
      })
    }
  })
