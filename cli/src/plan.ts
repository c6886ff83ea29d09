/**
 * What `byok plan` computes, with no effect and no request: the actions that take the live
 * credentials in scope to the file's desired state, and how they read on a terminal and as JSON.
 *
 * An entry matches the live credential with its identity (provider, workspace, name). Matched, it
 * is updated field by field, rotated when the live label is certainly another key's (or
 * `--rotate` says so), or left unchanged. Unmatched, it is created, or replaces the one unmatched
 * live credential with its name under another provider or workspace (the API cannot move one).
 * Live credentials the file does not name are deleted with `--prune` and kept otherwise. Nothing
 * is guessed: several live credentials with one identity stop the plan.
 */
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type { ByokKey } from "../../effect4/src/index.js"
import { labelVerdict, type LabelVerdict } from "../../shared/src/createRecovery.js"
import { type DesiredEntry, identityKey, quotedName } from "./desiredState.js"
import { printable, toJson } from "./output.js"

// ---------------------------------------------------------------------------------------------
// Scope.

/** The workspaces (`null` = global) and providers a plan reads and may change. */
export interface Scope {
  readonly workspaceIds: ReadonlyArray<string | null>
  readonly providers: ReadonlyArray<string>
}

const distinct = <A>(values: ReadonlyArray<A>): Array<A> => Array.from(new Set(values))

/** The scope a file names: its entries' workspaces and providers, in the order they first appear. */
export const scopeOfEntries = (entries: ReadonlyArray<DesiredEntry>): Scope => ({
  workspaceIds: distinct(entries.map((entry) => entry.workspaceId)),
  providers: distinct(entries.map((entry) => entry.provider))
})

/** Whether a credential (or an entry) lies in the scope. */
export const inScope = (scope: Scope, credential: { readonly provider: string; readonly workspaceId: string | null }): boolean =>
  scope.workspaceIds.includes(credential.workspaceId) && scope.providers.includes(credential.provider)

// ---------------------------------------------------------------------------------------------
// Settings.

/** The settings an entry sets, beside its identity and key. */
export const settingFields = [
  "disabled",
  "isFallback",
  "isByokOnly",
  "isRequired",
  "declaredZdr",
  "allowedModels",
  "allowedApiKeyHashes",
  "allowedUserIds"
] as const

/** One of the settings. */
export type SettingField = typeof settingFields[number]

type SettingValue = boolean | null | ReadonlyArray<string>

/** The entry's settings, a left-out one as the API's default: the file is the whole desired state. */
const desiredSettings = (entry: DesiredEntry): Record<SettingField, SettingValue> => ({
  disabled: entry.disabled ?? false,
  isFallback: entry.isFallback ?? false,
  isByokOnly: entry.isByokOnly ?? false,
  isRequired: entry.isRequired ?? false,
  declaredZdr: entry.declaredZdr ?? null,
  allowedModels: entry.allowedModels ?? null,
  allowedApiKeyHashes: entry.allowedApiKeyHashes ?? null,
  allowedUserIds: entry.allowedUserIds ?? null
})

/** An allowlist is a set: the order it is written in is no change. */
const sameSetting = (a: SettingValue, b: SettingValue): boolean => {
  if (Array.isArray(a) && Array.isArray(b)) {
    const sorted = (list: ReadonlyArray<string>) => [...list].sort().join("\n")
    return a.length === b.length && sorted(a) === sorted(b)
  }
  return a === b
}

/** A field's value before and after. */
export interface FieldChange {
  readonly field: SettingField | "provider" | "workspaceId"
  readonly from: SettingValue | string
  readonly to: SettingValue | string
}

const settingChanges = (entry: DesiredEntry, live: ByokKey): Array<FieldChange> => {
  const desired = desiredSettings(entry)
  return settingFields.flatMap((field) => sameSetting(live[field], desired[field]) ? [] : [{ field, from: live[field], to: desired[field] }])
}

// ---------------------------------------------------------------------------------------------
// Actions.

/** A live credential, as an action names it. */
export interface CredentialRef {
  readonly id: string
  readonly provider: string
  readonly workspaceId: string | null
  readonly name: string | null
}

interface EntryRef {
  /** The entry's index in the file's `credentials`. */
  readonly entry: number
  readonly provider: string
  readonly workspaceId: string | null
  readonly name: string
}

/**
 * One step of a plan, as `--format json` prints it and a saved plan holds it. `keyCheck` is what
 * the live label says of the file's key: `consistent`, `different` (so the key is rotated) or
 * `cannot tell` (a label not in the `xx-...abcd` form; `--rotate` sends the key anyway).
 */
export type Action =
  | EntryRef & { readonly action: "create" }
  | EntryRef & { readonly action: "update"; readonly id: string; readonly changes: ReadonlyArray<FieldChange>; readonly keyCheck: LabelVerdict }
  | EntryRef & {
    readonly action: "rotate"
    readonly id: string
    readonly changes: ReadonlyArray<FieldChange>
    readonly keyCheck: LabelVerdict
    /** `label`: the live label is another key's; `forced`: `--rotate` named the entry. */
    readonly reason: "label" | "forced"
    readonly label: string
  }
  | EntryRef & { readonly action: "replace"; readonly replaces: CredentialRef; readonly changes: ReadonlyArray<FieldChange> }
  | EntryRef & { readonly action: "unchanged"; readonly id: string; readonly keyCheck: LabelVerdict; readonly label: string }
  | CredentialRef & { readonly action: "delete" }
  | CredentialRef & { readonly action: "keep" }

/** The kinds of action, in the order the summary counts them. */
export type ActionKind = Action["action"]

/** An entry of the file with its key, read from its reference. */
export interface PlannedEntry {
  readonly index: number
  readonly entry: DesiredEntry
  readonly key: Redacted.Redacted<string>
}

/** What a plan is computed from: the entries and the live credentials in scope. */
export interface PlanInput {
  readonly entries: ReadonlyArray<PlannedEntry>
  readonly live: ReadonlyArray<ByokKey>
  /** Delete the live credentials in scope that the file does not name. */
  readonly prune: boolean
  /** The entries `--rotate` names, by index: their key is sent whatever the label says. */
  readonly rotate: ReadonlySet<number>
}

/** Why an entry cannot be planned without guessing. */
export interface PlanProblem {
  readonly entry: number
  readonly message: string
}

const refOf = (key: ByokKey): CredentialRef => ({ id: key.id, provider: key.provider, workspaceId: key.workspaceId, name: key.name ?? null })

const entryRef = ({ entry, index }: PlannedEntry): EntryRef => ({
  entry: index,
  provider: entry.provider,
  workspaceId: entry.workspaceId,
  name: entry.name
})

/** The live credentials by identity; a credential without a name has none and matches no entry. */
const byIdentity = (live: ReadonlyArray<ByokKey>): Map<string, Array<ByokKey>> => {
  const groups = new Map<string, Array<ByokKey>>()
  for (const key of live) {
    if (key.name == null) continue
    const id = identityKey(key)
    const group = groups.get(id)
    if (group === undefined) groups.set(id, [key])
    else group.push(key)
  }
  return groups
}

/** The step for an entry that matches a live credential. */
const matchedAction = (planned: PlannedEntry, live: ByokKey, forced: boolean): Action => {
  const changes = settingChanges(planned.entry, live)
  const keyCheck = labelVerdict(live.label, Redacted.value(planned.key))
  const ref = entryRef(planned)
  if (forced || keyCheck === "different") {
    return { action: "rotate", id: live.id, ...ref, changes, keyCheck, reason: forced ? "forced" : "label", label: live.label }
  }
  return changes.length > 0
    ? { action: "update", id: live.id, ...ref, changes, keyCheck }
    : { action: "unchanged", id: live.id, ...ref, keyCheck, label: live.label }
}

/**
 * The unmatched live credential an unmatched entry replaces: the only one with its name under
 * another provider or workspace, and claimed by no other entry. Anything less certain is a create
 * (the old one then shows as not in the file).
 */
const replacements = (unmatched: ReadonlyArray<PlannedEntry>, spare: ReadonlyArray<ByokKey>): Map<number, ByokKey> => {
  const candidates = new Map(unmatched.map((planned) => [
    planned.index,
    spare.filter((key) =>
      key.name === planned.entry.name && (key.provider !== planned.entry.provider || key.workspaceId !== planned.entry.workspaceId)
    )
  ]))
  const claims = new Map<string, number>()
  for (const found of candidates.values()) if (found.length === 1) claims.set(found[0]!.id, (claims.get(found[0]!.id) ?? 0) + 1)
  const chosen = new Map<number, ByokKey>()
  for (const [index, found] of candidates) if (found.length === 1 && claims.get(found[0]!.id) === 1) chosen.set(index, found[0]!)
  return chosen
}

const identityChanges = (entry: DesiredEntry, old: ByokKey): Array<FieldChange> => [
  ...(old.provider === entry.provider ? [] : [{ field: "provider" as const, from: old.provider, to: entry.provider }]),
  ...(old.workspaceId === entry.workspaceId ? [] : [{ field: "workspaceId" as const, from: old.workspaceId ?? null, to: entry.workspaceId }])
]

/**
 * The plan: the actions in the file's order, then the live credentials the file does not name;
 * or, when the file and the live state cannot be matched without guessing, every such problem.
 */
export const computePlan = (input: PlanInput): Result.Result<ReadonlyArray<Action>, ReadonlyArray<PlanProblem>> => {
  const groups = byIdentity(input.live)
  const problems: Array<PlanProblem> = []
  const taken = new Set<string>()
  const matched = new Map<number, ByokKey>()
  const unmatched: Array<PlannedEntry> = []
  for (const planned of input.entries) {
    const found = groups.get(identityKey(planned.entry)) ?? []
    found.forEach((key) => taken.add(key.id))
    if (found.length > 1) {
      problems.push({
        entry: planned.index,
        message: `${found.length} live credentials have this identity (${found.map((key) => key.id).join(", ")}); ` +
          "plan does not guess which one the entry is: rename or delete all but one"
      })
    } else if (found.length === 1) {
      matched.set(planned.index, found[0]!)
    } else {
      unmatched.push(planned)
    }
  }
  const spare = input.live.filter((key) => !taken.has(key.id))
  const replaced = replacements(unmatched, spare)
  for (const planned of unmatched) {
    // The create body has no way to say "global": such a credential can be adopted, not made.
    if (planned.entry.workspaceId === null) {
      problems.push({
        entry: planned.index,
        message: "workspaceId: no live global credential has this identity, and the API cannot create a global credential " +
          "(it creates in a workspace): give the workspace's UUID"
      })
    }
  }
  if (problems.length > 0) return Result.fail(problems)

  const replacedIds = new Set(Array.from(replaced.values(), (key) => key.id))
  const actions: Array<Action> = input.entries.flatMap((planned): Array<Action> => {
    const live = matched.get(planned.index)
    if (live !== undefined) return [matchedAction(planned, live, input.rotate.has(planned.index))]
    const old = replaced.get(planned.index)
    if (old !== undefined) return [{ action: "replace", ...entryRef(planned), replaces: refOf(old), changes: identityChanges(planned.entry, old) }]
    return [{ action: "create", ...entryRef(planned) }]
  })
  for (const key of spare) {
    if (!replacedIds.has(key.id)) actions.push({ action: input.prune ? "delete" : "keep", ...refOf(key) })
  }
  return Result.succeed(actions)
}

// ---------------------------------------------------------------------------------------------
// --rotate.

const selectorsOf = (entry: DesiredEntry): ReadonlyArray<string> => [
  entry.name,
  `${entry.provider}/${entry.name}`,
  `${entry.workspaceId ?? "global"}/${entry.provider}/${entry.name}`
]

/**
 * The entries `--rotate` values name. A value is an entry's name; when several entries share it,
 * `PROVIDER/NAME`, and when that is still shared, `WORKSPACE/PROVIDER/NAME` (`global` for a
 * global one). A value that names no entry, or more than one, is refused.
 */
export const resolveRotate = (
  values: ReadonlyArray<string>,
  entries: ReadonlyArray<DesiredEntry>
): Result.Result<ReadonlySet<number>, ReadonlyArray<string>> => {
  const chosen = new Set<number>()
  const problems: Array<string> = []
  const selectorOf = rotateSelectors(entries)
  for (const value of distinct(values)) {
    const found = entries.flatMap((entry, index) => selectorsOf(entry).includes(value) ? [index] : [])
    if (found.length === 1) chosen.add(found[0]!)
    else if (found.length === 0) problems.push(`--rotate ${printable(JSON.stringify(value))} names no entry of the file`)
    else {
      problems.push(
        `--rotate ${printable(JSON.stringify(value))} names ${found.length} entries; name one as ` +
          found.map((index) => printable(JSON.stringify(selectorOf(index)))).join(" or ")
      )
    }
  }
  return problems.length > 0 ? Result.fail(problems) : Result.succeed(chosen)
}

/** For each entry, the shortest `--rotate` value that names it alone; the file's selectors are counted once. */
export const rotateSelectors = (entries: ReadonlyArray<DesiredEntry>): (index: number) => string => {
  const uses = new Map<string, number>()
  for (const entry of entries) for (const selector of selectorsOf(entry)) uses.set(selector, (uses.get(selector) ?? 0) + 1)
  return (index) => {
    const own = selectorsOf(entries[index]!)
    return own.find((selector) => uses.get(selector) === 1) ?? own[2]!
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a plan.

/** How many actions of each kind. */
export type Summary = Record<ActionKind, number>

/** Counts the actions by kind. */
export const summarize = (actions: ReadonlyArray<Action>): Summary => {
  const summary: Summary = { create: 0, update: 0, rotate: 0, replace: 0, delete: 0, unchanged: 0, keep: 0 }
  for (const action of actions) summary[action.action]++
  return summary
}

/** How many changes applying the plan would send. */
export const changeCount = (summary: Summary): number =>
  summary.create + summary.update + summary.rotate + summary.replace + summary.delete

/** Whether applying the plan would send anything. */
export const hasChanges = (summary: Summary): boolean => changeCount(summary) > 0

/** The live state a plan was computed from, as text to digest: every field of each credential, by id. */
export const liveStateText = (live: ReadonlyArray<ByokKey>): string =>
  JSON.stringify([...live].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0).map(toJson))

/** The plan as `--format json` prints it: stable, fields only ever added. */
export const planJson = (actions: ReadonlyArray<Action>, scope: Scope, liveDigest: string) => {
  const summary = summarize(actions)
  return { scope, liveDigest, changes: hasChanges(summary), summary, actions }
}

const marks: Record<ActionKind, readonly [string, string]> = {
  create: ["+", "create"],
  update: ["~", "update"],
  rotate: ["~", "rotate"],
  replace: ["-/+", "replace"],
  delete: ["-", "delete"],
  unchanged: ["=", "unchanged"],
  keep: [" ", "kept"]
}

const show = (value: unknown): string => printable(JSON.stringify(value))

/** A `--rotate` value as typed in a shell: quoted when it holds anything but plain characters. */
const shellWord = (text: string): string => /^[A-Za-z0-9_./:-]+$/.test(text) ? text : show(text)

const details = (action: Action, selector: (entry: number) => string): Array<string> => {
  const changeLines = "changes" in action ? action.changes.map((change) => `${change.field}: ${show(change.from)} → ${show(change.to)}`) : []
  switch (action.action) {
    case "rotate":
      return [
        action.reason === "forced" ? "key: sent, as --rotate asks" : `key: the label ${printable(action.label)} is not this key's`,
        ...changeLines
      ]
    case "update":
    case "unchanged": {
      const cannotTell = action.keyCheck === "cannot tell"
        ? [`key: cannot tell from the label whether it is this key (--rotate ${shellWord(selector(action.entry))} sends it)`]
        : []
      return [...cannotTell, ...changeLines]
    }
    case "replace":
      return [...changeLines, `replaces ${action.replaces.id}: deleted once the new one is created`]
    case "keep":
      return ["not in the file (kept; --prune deletes)"]
    case "create":
    case "delete":
      return []
  }
}

const actionLine = (action: Action): string => {
  const [mark, verb] = marks[action.action]
  const id = "id" in action ? ` (${action.id})` : ""
  return `  ${mark.padEnd(4)}${verb.padEnd(10)}${printable(action.provider)} ${quotedName(action.name)}${id}`
}

/** The summary line: what would change, or that nothing would. */
export const summaryLine = (summary: Summary): string => {
  const kept = summary.keep > 0 ? `, ${summary.keep} not in the file (kept)` : ""
  if (hasChanges(summary)) {
    return `Plan: ${summary.create} to create, ${summary.update} to update, ${summary.rotate} to rotate, ` +
      `${summary.replace} to replace, ${summary.delete} to delete, ${summary.unchanged} unchanged${kept}.`
  }
  return summary.unchanged + summary.keep === 0 ? "No changes: nothing in scope." : `No changes: ${summary.unchanged} unchanged${kept}.`
}

/**
 * The plan as a terminal shows it: grouped by workspace in the scope's order, one line per
 * credential with a mark (`+` create, `~` update or rotate, `-/+` replace, `-` delete, `=`
 * unchanged), the details indented under it, and the summary last.
 */
export const renderPlan = (actions: ReadonlyArray<Action>, scope: Scope, selector: (entry: number) => string): Array<string> => {
  const lines: Array<string> = []
  const byWorkspace = new Map<string | null, Array<Action>>()
  for (const action of actions) {
    const here = byWorkspace.get(action.workspaceId)
    if (here === undefined) byWorkspace.set(action.workspaceId, [action])
    else here.push(action)
  }
  for (const workspaceId of distinct([...scope.workspaceIds, ...byWorkspace.keys()])) {
    const here = byWorkspace.get(workspaceId)
    if (here === undefined) continue
    lines.push(workspaceId === null ? "global" : `workspace ${printable(workspaceId)}`)
    for (const action of here) lines.push(actionLine(action), ...details(action, selector).map((detail) => `        ${detail}`))
  }
  if (lines.length > 0) lines.push("")
  lines.push(summaryLine(summarize(actions)))
  return lines
}
