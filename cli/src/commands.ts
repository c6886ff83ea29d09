/**
 * The `byok` command tree: the connection flags, each command's flags and help, and the handlers
 * of the commands small enough to read in place. Connection flags come before the command name
 * (`byok --fake list`); output flags after it (`byok list --format json`).
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Byok } from "../../effect4/src/index.js"
import { bulk, type BulkAction } from "./bulk.js"
import { byokLayer } from "./connection.js"
import { UsageError } from "./errors.js"
import { exportKeys, list } from "./listing.js"
import { describeRecovery, formats, outputSettings, printOne } from "./output.js"
import { readProviderKey } from "./secretInput.js"

/** The CLI's version, printed by `byok --version`; kept equal to the package's. */
export const version = "1.0.0"

/**
 * A command's help: a summary (also its line in the list of commands), what else to know, and
 * examples, each a command line as typed after the prompt.
 */
const help = (summary: string, examples: ReadonlyArray<string>, details: ReadonlyArray<string> = []) =>
  <Name extends string, Input, ContextInput, E, R>(self: Command.Command<Name, Input, ContextInput, E, R>) =>
    self.pipe(
      Command.withShortDescription(summary),
      Command.withDescription([summary, ...details].join("\n\n")),
      Command.withExamples(examples.map((command) => ({ command })))
    )

/** A boolean flag that is off unless given; `--no-NAME` is not accepted. */
const switchFlag = (name: string, description: string) =>
  Flag.Boolean(name).pipe(Flag.withoutNegation, Flag.withDescription(description), Flag.withDefault(false))

// Connection flags: how to reach the API. Given before the command name.

const fake = switchFlag("fake", "Run against a fresh in-memory fake seeded with demo credentials; needs no key.")
const baseUrl = Flag.String("base-url").pipe(
  Flag.withMetavar("url"),
  Flag.withDescription("The API's base URL (default: OPENROUTER_BASE_URL, else https://openrouter.ai/api/v1)."),
  Flag.optional
)
const apiKeyFile = Flag.File("api-key-file", { mustExist: true }).pipe(
  Flag.withMetavar("path"),
  Flag.withDescription("Read the management key from this file instead of OPENROUTER_API_KEY."),
  Flag.optional
)

const root = Command.make("byok", {}, () =>
  Effect.fail(
    new UsageError({ message: "a command is required: list, get, create, rotate, enable, disable, delete, export, plan or apply (see byok --help)" })
  )).pipe(
    Command.withSharedFlags({ fake, baseUrl, apiKeyFile })
  )

/** Runs a command's effect against the API the connection flags describe. */
const connected = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(root, (connection) => Effect.provide(effect, byokLayer(connection)))

// Per-command flags.

const format = Flag.Literals("format", formats).pipe(
  Flag.withDescription("Output format; default table on a terminal, jsonl when piped."),
  Flag.optional
)
const provider = Flag.String("provider").pipe(
  Flag.withMetavar("slug"),
  Flag.withDescription("Only credentials of this provider (e.g. openai)."),
  Flag.optional
)
const workspaceId = Flag.String("workspace-id").pipe(
  Flag.withMetavar("uuid"),
  Flag.withDescription("Only credentials of this workspace (a UUID); default: the account's default workspace."),
  Flag.optional
)
const keyEnv = Flag.String("key-env").pipe(
  Flag.withMetavar("name"),
  Flag.withDescription("Read the provider key from the environment variable of this name instead of stdin."),
  Flag.optional
)
/** For the commands that change credentials in bulk. */
const yes = switchFlag("yes", "Do not ask for confirmation.").pipe(Flag.withAlias("y"))
const concurrency = Flag.Int("concurrency").pipe(
  Flag.withMetavar("n"),
  Flag.withDescription("How many changes to send at once, 1 to 32 (default 4)."),
  Flag.withDefault(4)
)
const id = Argument.String("id").pipe(Argument.withDescription("The credential's id (a UUID)."))

const listCommand = Command.make("list", { provider, workspaceId, format }, (options) => connected(list(options))).pipe(
  help(
    "Lists every credential, page by page, printing as it reads.",
    ["byok list", "byok list --provider openai --format json", "byok list --workspace-id 550e8400-e29b-41d4-a716-446655440000 --format csv > keys.csv"],
    ["Global credentials (no workspace) are listed with every workspace. A progress line shows on stderr while more than one page is read."]
  )
)

/** The workspace a credential is looked up in, for the commands that read credentials by id. */
const lookupWorkspaceId = Flag.String("workspace-id").pipe(
  Flag.withMetavar("uuid"),
  Flag.withDescription("Look the id up in this workspace (a UUID); default: the account's default workspace."),
  Flag.optional
)

const getCommand = Command.make("get", { id, workspaceId: lookupWorkspaceId, format }, ({ format, id, workspaceId }) =>
  connected(Effect.gen(function*() {
    const key = yield* Byok.use((byok) => byok.get(id, Option.match(workspaceId, { onNone: () => ({}), onSome: (workspaceId) => ({ workspaceId }) })))
    const output = yield* outputSettings(format)
    yield* printOne(key, output.format, output.width)
  }))).pipe(
    help(
      "Shows one credential.",
      [
        "byok get 00000000-0000-4000-8000-000000000001 --format json",
        "byok get 00000000-0000-4000-8000-000000000006 --workspace-id 7c9e6679-7425-40de-944b-e07fc1f90ae7"
      ],
      ["A credential is found in the workspace it belongs to (--workspace-id, else the account's default workspace); a global credential is found from any. Elsewhere it is not found (exit 2)."]
    )
  )

const createCommand = Command.make("create", {
  provider: Flag.String("provider").pipe(Flag.withMetavar("slug"), Flag.withDescription("The provider the key is for (e.g. openai).")),
  name: Flag.String("name").pipe(Flag.withMetavar("text"), Flag.withDescription("A name for the credential."), Flag.optional),
  workspaceId: Flag.String("workspace-id").pipe(
    Flag.withMetavar("uuid"),
    Flag.withDescription("The workspace to store it in (a UUID); default: the account's default workspace."),
    Flag.optional
  ),
  disabled: switchFlag("disabled", "Store it disabled."),
  fallback: switchFlag("fallback", "Use it only as a fallback."),
  keyEnv,
  format
}, (options) =>
  connected(Effect.gen(function*() {
    const key = yield* readProviderKey(options.keyEnv)
    const byok = yield* Byok
    const created = yield* byok.create({
      provider: options.provider,
      key,
      ...Option.match(options.name, { onNone: () => ({}), onSome: (name) => ({ name }) }),
      ...Option.match(options.workspaceId, { onNone: () => ({}), onSome: (workspaceId) => ({ workspaceId }) }),
      ...(options.disabled ? { disabled: true } : {}),
      ...(options.fallback ? { isFallback: true } : {})
    }, { recover: { onRecovery: (recovery) => Console.error(describeRecovery(recovery)) } })
    const output = yield* outputSettings(options.format)
    yield* printOne(created, output.format, output.width)
  }))).pipe(
    help(
      "Stores a new provider key.",
      [
        "byok create --provider openai --name Production < openai-key.txt",
        "byok create --provider anthropic --key-env ANTHROPIC_API_KEY"
      ],
      [
        "The key is read from stdin (one line; asked for without echo on a terminal) or from the variable named by --key-env, never from the command line, where ps and shell history would show it.",
        "If the answer is lost (a timeout, a reset, a server error after sending), byok looks before it sends again, so a create ends with exactly one credential; what it did is said on stderr. When it cannot tell, it fails with CreateOutcomeUnknown naming the candidates (exit 4) and changes nothing more."
      ]
    )
  )

const rotateCommand = Command.make("rotate", { keyEnv, format, id }, (options) =>
  connected(Effect.gen(function*() {
    const key = yield* readProviderKey(options.keyEnv)
    const updated = yield* Byok.use((byok) => byok.update(options.id, { key }))
    const output = yield* outputSettings(options.format)
    yield* printOne(updated, output.format, output.width)
  }))).pipe(
    help(
      "Replaces a credential's provider key in place; its id and settings stay.",
      ["byok rotate 00000000-0000-4000-8000-000000000001 < new-key.txt", "byok rotate --key-env NEW_OPENAI_KEY 00000000-0000-4000-8000-000000000001"],
      ["The new key arrives as for create: stdin or --key-env."]
    )
  )

const bulkCommand = <Action extends BulkAction>(action: Action, summary: string, examples: ReadonlyArray<string>) =>
  Command.make(action, {
    ids: Argument.String("id").pipe(
      Argument.withDescription("Credential ids; or select with --provider/--workspace-id."),
      Argument.variadic()
    ),
    provider,
    workspaceId: Flag.String("workspace-id").pipe(
      Flag.withMetavar("uuid"),
      Flag.withDescription("Without ids: only credentials of this workspace (a UUID). With ids: look them up in it."),
      Flag.optional
    ),
    dryRun: switchFlag("dry-run", "Show what would change and send no change."),
    yes,
    concurrency
  }, (options) => connected(bulk({ ...options, action }))).pipe(
    help(summary, examples, [
      "Acts on the ids given, or on every credential that --provider/--workspace-id select, as list shows them, except that --workspace-id leaves out global credentials (they serve every workspace).",
      `${action === "delete" ? "A delete cannot be undone: it is always confirmed" : "A selection is confirmed"} on the terminal unless --yes is given; without a terminal it is refused. Credentials already in the wanted state are left alone (unchanged). Exits non-zero if any change failed, after the others were made.`
    ])
  )

const enableCommand = bulkCommand("enable", "Enables credentials.", [
  "byok enable 00000000-0000-4000-8000-000000000003",
  "byok enable --provider openai --yes"
])
const disableCommand = bulkCommand("disable", "Disables credentials.", [
  "byok disable 00000000-0000-4000-8000-000000000001 00000000-0000-4000-8000-000000000002",
  "byok disable --provider openai --dry-run",
  "byok disable --workspace-id 7c9e6679-7425-40de-944b-e07fc1f90ae7 --yes"
])
const deleteCommand = bulkCommand("delete", "Deletes credentials.", [
  "byok delete 00000000-0000-4000-8000-000000000004 --yes",
  "byok delete --provider mistral --workspace-id 7c9e6679-7425-40de-944b-e07fc1f90ae7 --dry-run"
])

// plan and apply: credentials as a reviewed file. Their module is loaded only when they run.

const planning = Effect.promise(() => import("./planApply.js"))

const desiredFile = Flag.String("file").pipe(
  Flag.withAlias("f"),
  Flag.withMetavar("path"),
  Flag.withDescription("The desired-state file, YAML (or JSON for a .json file).")
)
const planFlags = {
  prune: switchFlag("prune", "Delete the credentials in scope that the file does not name."),
  rotate: Flag.String("rotate").pipe(
    Flag.withMetavar("name"),
    Flag.withDescription("Send this entry's key even if the label looks like it (repeatable; PROVIDER/NAME when names are shared)."),
    Flag.atLeast(0),
    Flag.withDefault([])
  ),
  providers: Flag.String("provider").pipe(
    Flag.withMetavar("slug"),
    Flag.withDescription("Plan for this provider (repeatable); default: the providers the file names."),
    Flag.atLeast(0),
    Flag.withDefault([])
  ),
  workspaceIds: Flag.String("workspace-id").pipe(
    Flag.withMetavar("uuid"),
    Flag.withDescription("Plan for this workspace, a UUID or global (repeatable); default: the workspaces the file names."),
    Flag.atLeast(0),
    Flag.withDefault([])
  )
}

const fileFormat = [
  "The file lists credentials: each with provider, workspaceId (a UUID, or null for a global one) and name, which together are its identity; the flags disabled, isFallback, isByokOnly, isRequired, declaredZdr; the allowlists allowedModels, allowedApiKeyHashes, allowedUserIds; and key, a reference: { env: NAME }, { file: PATH } (from the file's folder) or { command: [PROGRAM, ARGS...] } (no shell; the first line it prints). A flag or allowlist left out means the API's default (false; null): each entry is the whole desired state of its credential. byok export --format yaml writes such a file for an existing account.",
  "Scope: the workspaces and providers the file names (--provider and --workspace-id replace either). Only live credentials in scope are read and changed; those the file does not name are kept, or deleted with --prune."
]

const planCommand = Command.make("plan", {
  file: desiredFile,
  format: Flag.Literals("format", ["table", "json"] as const).pipe(
    Flag.withDescription("table (default): a diff to read; json: the plan, stable for scripts."),
    Flag.withDefault("table")
  ),
  out: Flag.String("out").pipe(
    Flag.withMetavar("path"),
    Flag.withDescription("Also save the plan here, for byok apply --plan-file (no keys in it)."),
    Flag.optional
  ),
  ...planFlags
}, (options) => connected(Effect.flatMap(planning, (m) => m.plan(options)))).pipe(
  help(
    "Shows what apply would change to make the live credentials match a desired-state file.",
    [
      "byok plan -f byok.yaml",
      "byok plan -f byok.yaml --prune --out byok.plan",
      "byok plan -f byok.yaml --rotate Production --format json"
    ],
    [
      ...fileFormat,
      "Each credential is created (+), updated field by field (~), rotated (~, when its live label is certainly not the file's key, or --rotate names it), replaced (-/+: created anew, then the old one deleted, when only its provider or workspace changed), deleted (-, with --prune) or unchanged (=). A label that cannot tell is said so; --rotate sends the key anyway. Keys are read only to compare them with the labels; they are never printed or saved.",
      "Exit codes: 0 no changes; 2 changes pending (not \"not found\"); 1 an invalid file, a key that cannot be read, or several live credentials with one identity; 3 and 4 as for every command."
    ]
  )
)

const applyCommand = Command.make("apply", {
  file: desiredFile.pipe(Flag.optional),
  planFile: Flag.String("plan-file").pipe(
    Flag.withMetavar("path"),
    Flag.withDescription("Apply a plan saved by byok plan --out, if the live credentials have not moved since."),
    Flag.optional
  ),
  ...planFlags,
  yes,
  concurrency
}, (options) => connected(Effect.flatMap(planning, (m) => m.apply(options)))).pipe(
  help(
    "Makes the live credentials match a desired-state file: the plan, shown, confirmed, then carried out.",
    [
      "byok apply -f byok.yaml",
      "byok apply -f byok.yaml --prune --yes",
      "byok apply --plan-file byok.plan --yes"
    ],
    [
      ...fileFormat,
      "The plan is shown and confirmed on the terminal unless --yes is given; without a terminal it is refused. Creates, updates and rotations go first, then deletes; a replaced credential is deleted only once its new one exists. A create whose answer is lost is settled as byok create does. A failed change does not stop the others; each is listed, and the exit code is the worst among them. Run twice, the second apply has nothing to do.",
      "With --plan-file, the live credentials are read again: if they moved since the plan was saved, or the plan would now differ, nothing is sent (exit 1)."
    ]
  )
)

const exportCommand = Command.make("export", {
  workspaceIds: Flag.String("workspace-id").pipe(
    Flag.withMetavar("uuid"),
    Flag.withDescription("A workspace to export (repeatable); default: the account's default workspace."),
    Flag.atLeast(0),
    Flag.withDefault([])
  ),
  format: Flag.Literals("format", ["json", "csv", "yaml"] as const).pipe(
    Flag.withDescription("Output format (default json); yaml writes a desired-state file for byok plan."),
    Flag.withDefault("json")
  )
}, (options) => connected(exportKeys(options))).pipe(
  help(
    "Writes every credential with every field, for an audit. No secrets: only the server's masked label.",
    [
      "byok export > byok-audit.json",
      "byok export --format csv --workspace-id 550e8400-e29b-41d4-a716-446655440000 --workspace-id 7c9e6679-7425-40de-944b-e07fc1f90ae7",
      "byok export --format yaml > byok.yaml"
    ],
    [
      "Global credentials appear once even when several workspaces are exported.",
      "--format yaml writes the desired-state file of byok plan and byok apply, to adopt an existing account: each key is a reference to fill in ({ env: OPENAI_PRODUCTION_KEY }, named after the provider and name). A credential without a name is left out, and said so on stderr."
    ]
  )
)

/** The whole command tree. */
export const byok = root.pipe(
  help(
    "Manage OpenRouter bring-your-own-key provider credentials.",
    ["export OPENROUTER_API_KEY=sk-or-v1-...", "byok list", "byok --fake list --format json"],
    [
      "Run byok <command> --help for each command; try them with --fake, which needs no key.",
      "Connection flags (--fake, --base-url, --api-key-file) go before the command; the management key comes from OPENROUTER_API_KEY or --api-key-file.",
      "Exit codes: 0 success; 1 usage or invalid input; 2 not found (for plan: changes pending); 3 unauthorized or forbidden; 4 rate limited, server or transport error."
    ]
  ),
  Command.withSubcommands([
    listCommand,
    getCommand,
    createCommand,
    rotateCommand,
    enableCommand,
    disableCommand,
    deleteCommand,
    exportCommand,
    planCommand,
    applyCommand
  ])
)
