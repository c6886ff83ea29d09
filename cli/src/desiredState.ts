/**
 * The desired-state file of `byok plan` and `byok apply`: its format as a Schema, how it is read
 * (YAML, or JSON for a `.json` file) and checked before any request, and the file `byok export
 * --format yaml` writes to adopt an existing account.
 *
 * Each entry is the whole desired state of one credential, named by its identity: provider,
 * workspace (`null` = global) and name. A flag or allowlist left out means the API's default
 * (false; null), so removing a line from the file resets that setting. The key is always a
 * reference (an environment variable, a file, a command), never the key itself: the file is meant
 * to be reviewed and committed.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import {
  AllowlistEntry,
  ApiKeyHash,
  type ByokKey,
  CreateByokKey,
  CredentialName,
  ProviderSlugInput,
  Uuid
} from "../../effect4/src/index.js"
import { printable } from "./output.js"

// ---------------------------------------------------------------------------------------------
// The format.

/** `{ env: NAME }`: the key is the value of this environment variable. */
export const EnvReference = Schema.Struct({
  env: Schema.String.check(
    Schema.isPattern(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "an environment variable name is letters, digits and _, not starting with a digit" })
  )
})

/** `{ file: PATH }`: the key is this file's one line; a relative path is from the desired file's folder. */
export const FileReference = Schema.Struct({
  file: Schema.String.check(Schema.isMinLength(1, { message: "a file reference needs a path" }))
})

/** `{ command: [PROGRAM, ...ARGS] }`: the key is the first line the command prints; no shell runs it. */
export const CommandReference = Schema.Struct({
  command: Schema.Array(Schema.String).check(Schema.isMinLength(1, { message: "a command reference needs at least the program" }))
})

/** Where a key is read from. Never the key itself. */
export const KeyReference = Schema.Union([EnvReference, FileReference, CommandReference])

/** Where a key is read from. */
export type KeyReference = typeof KeyReference.Type

const flag = Schema.optionalKey(Schema.Boolean)
const allowlist = (entry: Schema.Codec<string>) => Schema.optionalKey(Schema.NullOr(Schema.Array(entry)))

/**
 * One credential as the file wants it. The field schemas are the library's own (provider slug,
 * UUID, name, hash and allowlist entry rules); the rules across fields (list sizes, isFallback with
 * isByokOnly) are checked afterwards with the library's `CreateByokKey`.
 */
export const DesiredEntry = Schema.Struct({
  provider: ProviderSlugInput,
  /** Required and explicit: a UUID, or `null` for a global credential. */
  workspaceId: Schema.NullOr(Uuid),
  name: CredentialName,
  key: KeyReference,
  disabled: flag,
  isFallback: flag,
  isByokOnly: flag,
  isRequired: flag,
  declaredZdr: Schema.optionalKey(Schema.NullOr(Schema.Boolean)),
  allowedModels: allowlist(AllowlistEntry),
  allowedApiKeyHashes: allowlist(ApiKeyHash),
  allowedUserIds: allowlist(AllowlistEntry)
})

/** One credential as the file wants it. */
export interface DesiredEntry extends Schema.Schema.Type<typeof DesiredEntry> {}

/** The file: `credentials`, and optionally `version: 1`. */
export const DesiredFile = Schema.Struct({
  version: Schema.optionalKey(Schema.Literal(1)),
  credentials: Schema.Array(DesiredEntry)
})

/** The file. */
export interface DesiredFile extends Schema.Schema.Type<typeof DesiredFile> {}

// ---------------------------------------------------------------------------------------------
// Identities.

/** What plan matches a file entry and a live credential on. */
export interface Identity {
  readonly provider: string
  readonly workspaceId: string | null
  readonly name: string
}

/** An identity as a map key. */
export const identityKey = (identity: { readonly provider: string; readonly workspaceId: string | null; readonly name?: string | null | undefined }): string =>
  JSON.stringify([identity.provider, identity.workspaceId, identity.name ?? null])

/** A name as the plan shows it: quoted, so spaces and edges are visible, and safe for a terminal. */
export const quotedName = (name: string | null | undefined): string => name == null ? "(no name)" : printable(JSON.stringify(name))

/** `openai "Production" in 550e8400-…` or `groq "Shared" (global)`. */
export const identityText = (identity: { readonly provider: string; readonly workspaceId: string | null; readonly name?: string | null | undefined }): string =>
  printable(`${identity.provider} ${quotedName(identity.name)}`) +
  (identity.workspaceId === null ? " (global)" : ` in ${printable(identity.workspaceId)}`)

/** `credentials[2] (openai "Production" in …)`: an entry of the file by its index and, when readable, its identity. */
export const entryLabel = (index: number, raw: unknown): string => {
  const identity = rawIdentity(raw)
  return `credentials[${index}]${identity === undefined ? "" : ` (${identityText(identity)})`}`
}

const rawIdentity = (raw: unknown): Identity | undefined => {
  if (typeof raw !== "object" || raw === null) return undefined
  const { name, provider, workspaceId } = raw as Record<string, unknown>
  return typeof provider === "string" && typeof name === "string" && (typeof workspaceId === "string" || workspaceId === null)
    ? { provider, workspaceId, name }
    : undefined
}

// ---------------------------------------------------------------------------------------------
// Reading and checking.

/** The text of a desired-state file as data: JSON for a `.json` file, YAML otherwise. */
export const parseDesiredText = (text: string, source: string): Effect.Effect<unknown, ReadonlyArray<string>> =>
  source.toLowerCase().endsWith(".json") ? parseJson(text, source) : parseYaml(text, source)

const parseJson = (text: string, source: string): Effect.Effect<unknown, ReadonlyArray<string>> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    // The parser's message quotes the text around the error, which may be a key pasted by
    // mistake: only its position is kept.
    catch: (error) => {
      const at = /\(line (\d+) column (\d+)\)/.exec(String(error))
      return [`${source}${at === null ? "" : `:${at[1]}:${at[2]}`}: not valid JSON`]
    }
  })

/** YAML is loaded only when a file is read: the other commands never pay for it. */
const parseYaml = (text: string, source: string): Effect.Effect<unknown, ReadonlyArray<string>> =>
  Effect.flatMap(Effect.promise(() => import("yaml")), (YAML) => {
    // Without pretty errors the messages name what is wrong, not the text around it (which may
    // be a key pasted by mistake); the line counter still gives the position. A few messages end
    // in the offending text after a colon (`…extra characters: <text>`): that part is dropped.
    const lineCounter = new YAML.LineCounter()
    const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter })
    if (doc.errors.length > 0) {
      return Effect.fail(doc.errors.map((error) => {
        const { col, line } = lineCounter.linePos(error.pos[0])
        const what = error.message.split("\n")[0]!.replace(/: .*$/, "")
        return printable(`${source}:${line}:${col}: not valid YAML: ${what}`)
      }))
    }
    return Effect.succeed(doc.toJS({ maxAliasCount: 100 }) as unknown)
  })

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** The schema's words, in the file's terms. */
const reword = (message: string): string =>
  message === "Expected no excess property" ? "unknown field" : message === "Missing key" ? "required" : message

/** A path inside an entry as the file writes it: `allowedModels[3]`. */
const fieldPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((text, segment) => typeof segment === "number" ? `${text}[${segment}]` : text === "" ? String(segment) : `${text}.${String(segment)}`, "")

const referenceForms = "{ env: NAME }, { file: PATH } or { command: [PROGRAM, ARGS...] }"

/**
 * The problem with an entry's `key`, as one line: a key given as text is refused without ever
 * being quoted; a reference of a known kind keeps its own message; anything else names the forms.
 */
const keyProblem = (raw: unknown, issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>): string => {
  const key = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).key : undefined
  if (typeof key === "string") return `key: a literal key is not accepted; give a reference: ${referenceForms}`
  if (key === undefined) return `key: required: ${referenceForms}`
  const kinds = typeof key === "object" && key !== null ? Object.keys(key).filter((k) => ["env", "file", "command"].includes(k)) : []
  if (kinds.length === 1 && Object.keys(key as object).length === 1) {
    const own = issues.find((issue) => issue.path[0] === kinds[0] && issue.message !== "Expected no excess property")
    if (own !== undefined) return `key.${fieldPath(own.path)}: ${own.message}`
  }
  return `key: expected exactly one reference: ${referenceForms}`
}

/**
 * A schema failure of the whole file as problem lines: one per field, naming the entry by its
 * index and identity. The issues of an entry's `key` collapse to one line.
 */
const schemaProblems = (raw: unknown, issue: SchemaIssue.Issue, source: string): Array<string> => {
  const entries = typeof raw === "object" && raw !== null && Array.isArray((raw as Record<string, unknown>).credentials)
    ? (raw as { credentials: ReadonlyArray<unknown> }).credentials
    : []
  // Lines about the whole file first (index -1), then entry by entry.
  const lines: Array<{ readonly index: number; readonly text: string }> = []
  const keyIssues = new Map<number, Array<{ path: ReadonlyArray<PropertyKey>; message: string }>>()
  for (const { message, path = [] } of formatIssues(issue).issues) {
    const keys = path.map((segment) => typeof segment === "object" ? segment.key : segment)
    const index = keys[0] === "credentials" && typeof keys[1] === "number" ? keys[1] : undefined
    if (index === undefined) {
      lines.push({ index: -1, text: `${source}: ${keys.length === 0 ? "" : `${fieldPath(keys)}: `}${reword(message)}` })
    } else if (keys[2] === "key") {
      keyIssues.set(index, [...keyIssues.get(index) ?? [], { path: keys.slice(3), message }])
    } else {
      const field = keys.slice(2)
      lines.push({ index, text: `${source}: ${entryLabel(index, entries[index])}: ${field.length === 0 ? "" : `${fieldPath(field)}: `}${reword(message)}` })
    }
  }
  for (const [index, issues] of keyIssues) {
    lines.push({ index, text: `${source}: ${entryLabel(index, entries[index])}: ${keyProblem(entries[index], issues)}` })
  }
  return lines.sort((a, b) => a.index - b.index).map((line) => printable(line.text))
}

/** The create the entry stands for, with a stand-in key: what the library's rules are checked on. */
export const createInput = (entry: DesiredEntry, key: Redacted.Redacted<string>): CreateByokKey => ({
  provider: entry.provider,
  key,
  name: entry.name,
  ...(entry.workspaceId === null ? {} : { workspaceId: entry.workspaceId }),
  ...(entry.disabled === undefined ? {} : { disabled: entry.disabled }),
  ...(entry.isFallback === undefined ? {} : { isFallback: entry.isFallback }),
  ...(entry.isByokOnly === undefined ? {} : { isByokOnly: entry.isByokOnly }),
  ...(entry.isRequired === undefined ? {} : { isRequired: entry.isRequired }),
  ...(entry.declaredZdr === undefined ? {} : { declaredZdr: entry.declaredZdr }),
  ...(entry.allowedModels === undefined ? {} : { allowedModels: entry.allowedModels }),
  ...(entry.allowedApiKeyHashes === undefined ? {} : { allowedApiKeyHashes: entry.allowedApiKeyHashes }),
  ...(entry.allowedUserIds === undefined ? {} : { allowedUserIds: entry.allowedUserIds })
})

const checkCreate = Schema.encodeUnknownResult(CreateByokKey)
const standIn = Redacted.make("stand-in: the key is read later")

/** The library's rules across fields (list sizes, isFallback with isByokOnly), entry by entry. */
const libraryProblems = (file: DesiredFile, source: string): Array<string> =>
  file.credentials.flatMap((entry, index) =>
    Result.match(checkCreate(createInput(entry, standIn), { errors: "all" }), {
      onSuccess: () => [],
      onFailure: (error) =>
        formatIssues(error.issue).issues.map(({ message, path = [] }) => {
          const field = fieldPath(path.map((segment) => typeof segment === "object" ? segment.key : segment))
          return printable(`${source}: ${entryLabel(index, entry)}: ${field === "" ? "" : `${field}: `}${message}`)
        })
    })
  )

/** Entries with the identity of an earlier one: plan could not tell which of them a live credential is. */
const duplicateProblems = (file: DesiredFile, source: string): Array<string> => {
  const first = new Map<string, number>()
  return file.credentials.flatMap((entry, index) => {
    const key = identityKey(entry)
    const earlier = first.get(key)
    if (earlier === undefined) {
      first.set(key, index)
      return []
    }
    return [`${source}: ${entryLabel(index, entry)}: the same provider, workspace and name as credentials[${earlier}]`]
  })
}

/**
 * The file's data checked against the format and the library's rules: the file, or every problem
 * found, one line each (`<source>: credentials[i] (<identity>): <field>: <problem>`). Never quotes
 * a key.
 */
export const decodeDesired = (raw: unknown, source: string): Result.Result<DesiredFile, ReadonlyArray<string>> => {
  const decoded = Schema.decodeUnknownResult(DesiredFile)(raw, { errors: "all", onExcessProperty: "error" })
  if (Result.isFailure(decoded)) return Result.fail(schemaProblems(raw, decoded.failure.issue, source))
  const file = lowercaseWorkspaces(decoded.success)
  const problems = [...libraryProblems(file, source), ...duplicateProblems(file, source)]
  return problems.length > 0 ? Result.fail(problems) : Result.succeed(file)
}

/** A UUID may be written in capitals; the API answers in lowercase, and identities must compare equal. */
const lowercaseWorkspaces = (file: DesiredFile): DesiredFile => ({
  ...file,
  credentials: file.credentials.map((entry) => entry.workspaceId === null ? entry : { ...entry, workspaceId: entry.workspaceId.toLowerCase() })
})

// ---------------------------------------------------------------------------------------------
// Writing: `byok export --format yaml`.

/**
 * An environment variable name for a credential's key, from its provider and name
 * (`OPENAI_PRODUCTION_KEY`), made unique among `taken` with a number.
 */
export const envNameFor = (provider: string, name: string, taken: Set<string>): string => {
  const words = `${provider} ${name}`.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "")
  const stem = /^[0-9]/.test(words) ? `KEY_${words}` : words
  let candidate = `${stem}_KEY`
  for (let n = 2; taken.has(candidate); n++) candidate = `${stem}_KEY_${n}`
  taken.add(candidate)
  return candidate
}

/** A live credential as a file entry: its identity, a key reference to fill in, and only the settings that are not the API's defaults. */
const exportedEntry = (key: ByokKey & { readonly name: string }, envName: string) => ({
  provider: key.provider,
  workspaceId: key.workspaceId,
  name: key.name,
  key: { env: envName },
  ...(key.disabled ? { disabled: true } : {}),
  ...(key.isFallback ? { isFallback: true } : {}),
  ...(key.isByokOnly ? { isByokOnly: true } : {}),
  ...(key.isRequired ? { isRequired: true } : {}),
  ...(key.declaredZdr === null ? {} : { declaredZdr: key.declaredZdr }),
  ...(key.allowedModels === null ? {} : { allowedModels: key.allowedModels }),
  ...(key.allowedApiKeyHashes === null ? {} : { allowedApiKeyHashes: key.allowedApiKeyHashes }),
  ...(key.allowedUserIds === null ? {} : { allowedUserIds: key.allowedUserIds })
})

const hasName = (key: ByokKey): key is ByokKey & { readonly name: string } => typeof key.name === "string" && key.name.length > 0

const exportHeader = [
  " The desired state of these credentials, for byok plan and byok apply (written by byok export).",
  " Each key is a reference to fill in: { env: NAME }, { file: PATH } or { command: [PROGRAM, ARGS...] }.",
  " A flag or allowlist left out means the API's default (false; null)."
].join("\n")

/**
 * The desired-state file for `keys`, as YAML. Credentials without a name cannot be matched by
 * identity and are left out; their ids are returned so the caller can say so.
 */
export const exportYaml = (
  keys: ReadonlyArray<ByokKey>
): Effect.Effect<{ readonly text: string; readonly unnamed: ReadonlyArray<ByokKey> }> =>
  Effect.map(Effect.promise(() => import("yaml")), (YAML) => {
    const taken = new Set<string>()
    const named = keys.filter(hasName)
    const doc = new YAML.Document({ version: 1, credentials: named.map((key) => exportedEntry(key, envNameFor(key.provider, key.name, taken))) })
    doc.commentBefore = exportHeader
    // References and allowlists on one line each: an entry then reads as one block.
    YAML.visit(doc, {
      Pair: (_, pair) => {
        const field = YAML.isScalar(pair.key) ? pair.key.value : undefined
        if ((field === "key" || (typeof field === "string" && field.startsWith("allowed"))) && YAML.isCollection(pair.value)) {
          pair.value.flow = true
        }
      }
    })
    return { text: doc.toString({ lineWidth: 0 }), unnamed: keys.filter((key) => !hasName(key)) }
  })
