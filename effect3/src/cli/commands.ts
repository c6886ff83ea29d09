/**
 * The `byok` command tree: the global options (how to connect), each command's flags and help, and
 * the handlers of the commands small enough to read in place. Connection options come before the
 * command name (`byok --fake list`); output options after it (`byok list --format json`).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Byok } from "../Byok.js"
import { bulk, type BulkAction } from "./bulk.js"
import { byokLayer } from "./connection.js"
import { UsageError } from "./errors.js"
import { exportKeys, list } from "./listing.js"
import { formats, outputSettings, printOne } from "./output.js"
import { readProviderKey } from "./secretInput.js"

/**
 * The CLI's version, printed by `byok --version`; kept equal to the package's.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/** A command's help: a summary line, then what else to know, then examples. */
const help = (summary: string, examples: ReadonlyArray<string>, details: ReadonlyArray<string> = []): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    HelpDoc.p(summary),
    ...details.map((text) => HelpDoc.p(text)),
    HelpDoc.p(`Example:\n${examples.map((example) => `  $ ${example}`).join("\n")}`)
  ])

// Global options: how to reach the API. Given before the command name.

const fake = Options.boolean("fake").pipe(
  Options.withDescription("Run against a fresh in-memory fake seeded with demo credentials; needs no key.")
)
const baseUrl = Options.text("base-url").pipe(
  Options.withPseudoName("url"),
  Options.withDescription("The API's base URL (default: OPENROUTER_BASE_URL, else https://openrouter.ai/api/v1)."),
  Options.optional
)
const apiKeyFile = Options.file("api-key-file", { exists: "yes" }).pipe(
  Options.withPseudoName("path"),
  Options.withDescription("Read the management key from this file instead of OPENROUTER_API_KEY."),
  Options.optional
)

const root = Command.make("byok", { fake, baseUrl, apiKeyFile }, () =>
  new UsageError({ message: "a command is required: list, get, create, rotate, enable, disable, delete or export (see byok --help)" }))

/** Runs a command's effect against the API the global options describe. */
const connected = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(root, (global) => Effect.provide(effect, byokLayer(global)))

// Per-command options.

const format = Options.choice("format", formats).pipe(
  Options.withDescription("Output format; default table on a terminal, jsonl when piped."),
  Options.optional
)
const provider = Options.text("provider").pipe(
  Options.withPseudoName("slug"),
  Options.withDescription("Only credentials of this provider (e.g. openai)."),
  Options.optional
)
const workspaceId = Options.text("workspace-id").pipe(
  Options.withPseudoName("uuid"),
  Options.withDescription("Only credentials of this workspace (a UUID); default: the account's default workspace."),
  Options.optional
)
const keyEnv = Options.text("key-env").pipe(
  Options.withPseudoName("name"),
  Options.withDescription("Read the provider key from the environment variable of this name instead of stdin."),
  Options.optional
)
const id = Args.text({ name: "id" }).pipe(Args.withDescription("The credential's id (a UUID)."))

const listCommand = Command.make("list", { provider, workspaceId, format }, (options) => connected(list(options))).pipe(
  Command.withDescription(help(
    "Lists every credential, page by page, printing as it reads.",
    ["byok list", "byok list --provider openai --format json", "byok list --workspace-id 550e8400-e29b-41d4-a716-446655440000 --format csv > keys.csv"],
    ["Global credentials (no workspace) are listed with every workspace. A progress line shows on stderr while more than one page is read."]
  ))
)

const getCommand = Command.make("get", { id, format }, ({ format, id }) =>
  connected(Effect.gen(function*() {
    const key = yield* Effect.flatMap(Byok, (byok) => byok.get(id))
    const output = yield* outputSettings(format)
    yield* printOne(key, output.format, output.width)
  }))).pipe(
    Command.withDescription(help("Shows one credential.", ["byok get 00000000-0000-4000-8000-000000000001 --format json"]))
  )

const createCommand = Command.make("create", {
  provider: Options.text("provider").pipe(Options.withPseudoName("slug"), Options.withDescription("The provider the key is for (e.g. openai).")),
  name: Options.text("name").pipe(Options.withDescription("A name for the credential."), Options.optional),
  workspaceId,
  disabled: Options.boolean("disabled").pipe(Options.withDescription("Store it disabled.")),
  fallback: Options.boolean("fallback").pipe(Options.withDescription("Use it only as a fallback.")),
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
    })
    const output = yield* outputSettings(options.format)
    yield* printOne(created, output.format, output.width)
  }))).pipe(
    Command.withDescription(help(
      "Stores a new provider key.",
      [
        "byok create --provider openai --name Production < openai-key.txt",
        "byok create --provider anthropic --key-env ANTHROPIC_API_KEY"
      ],
      ["The key is read from stdin (one line; asked for without echo on a terminal) or from the variable named by --key-env, never from the command line, where ps and shell history would show it."]
    ))
  )

const rotateCommand = Command.make("rotate", { keyEnv, format, id }, (options) =>
  connected(Effect.gen(function*() {
    const key = yield* readProviderKey(options.keyEnv)
    const updated = yield* Effect.flatMap(Byok, (byok) => byok.update(options.id, { key }))
    const output = yield* outputSettings(options.format)
    yield* printOne(updated, output.format, output.width)
  }))).pipe(
    Command.withDescription(help(
      "Replaces a credential's provider key in place; its id and settings stay.",
      ["byok rotate 00000000-0000-4000-8000-000000000001 < new-key.txt", "byok rotate --key-env NEW_OPENAI_KEY 00000000-0000-4000-8000-000000000001"],
      ["The new key arrives as for create: stdin or --key-env."]
    ))
  )

const bulkCommand = (action: BulkAction, summary: string, examples: ReadonlyArray<string>) =>
  Command.make(action, {
    ids: Args.text({ name: "id" }).pipe(Args.withDescription("Credential ids; or select with --provider/--workspace-id."), Args.repeated),
    provider,
    workspaceId,
    dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Show what would change and send no change.")),
    yes: Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("Do not ask for confirmation.")),
    concurrency: Options.integer("concurrency").pipe(
      Options.withPseudoName("n"),
      Options.withDescription("How many changes to send at once (1 to 32)."),
      Options.withDefault(4)
    )
  }, (options) => connected(bulk({ ...options, action }))).pipe(
    Command.withDescription(help(summary, examples, [
      "Acts on the ids given, or on every credential that --provider/--workspace-id select, as list shows them, except that --workspace-id leaves out global credentials (they serve every workspace).",
      "A selection is confirmed on the terminal unless --yes is given; without a terminal it is refused. Credentials already in the wanted state are left alone (unchanged). Exits non-zero if any change failed, after the others were made."
    ]))
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
  "byok delete 00000000-0000-4000-8000-000000000004",
  "byok delete --provider mistral --workspace-id 7c9e6679-7425-40de-944b-e07fc1f90ae7 --dry-run"
])

const exportCommand = Command.make("export", {
  workspaceIds: Options.text("workspace-id").pipe(
    Options.withPseudoName("uuid"),
    Options.withDescription("A workspace to export (repeatable); default: the account's default workspace."),
    Options.repeated
  ),
  format: Options.choice("format", ["json", "csv"] as const).pipe(Options.withDescription("Output format."), Options.withDefault("json"))
}, (options) => connected(exportKeys(options))).pipe(
  Command.withDescription(help(
    "Writes every credential with every field, for an audit. No secrets: only the server's masked label.",
    ["byok export > byok-audit.json", "byok export --format csv --workspace-id 550e8400-e29b-41d4-a716-446655440000 --workspace-id 7c9e6679-7425-40de-944b-e07fc1f90ae7"],
    ["Global credentials appear once even when several workspaces are exported."]
  ))
)

/**
 * The whole command tree.
 *
 * @since 0.1.0
 * @category commands
 */
export const byok = root.pipe(
  Command.withDescription(help(
    "Manage OpenRouter bring-your-own-key provider credentials.",
    ["export OPENROUTER_API_KEY=sk-or-v1-...", "byok list", "byok --fake list --format json"],
    [
      "Commands: list, get, create, rotate, enable, disable, delete, export. Run byok <command> --help for each; try them with --fake, which needs no key.",
      "Connection options (--fake, --base-url, --api-key-file) go before the command; the management key comes from OPENROUTER_API_KEY or --api-key-file.",
      "Exit codes: 0 success; 1 usage or invalid input; 2 not found; 3 unauthorized or forbidden; 4 rate limited, server or transport error."
    ]
  )),
  Command.withSubcommands([
    listCommand,
    getCommand,
    createCommand,
    rotateCommand,
    enableCommand,
    disableCommand,
    deleteCommand,
    exportCommand
  ])
)

/**
 * The CLI as a function of `process.argv`.
 *
 * @since 0.1.0
 * @category commands
 */
export const cli = Command.run(byok, { name: "byok", version })
