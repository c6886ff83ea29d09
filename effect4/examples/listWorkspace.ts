/**
 * Every credential of a workspace, as a table.
 *
 *   OPENROUTER_API_KEY=sk-or-... npx tsx examples/listWorkspace.ts [workspace-id]
 *
 * Without a workspace id, the API lists the default workspace.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Stream } from "effect"
import { pathToFileURL } from "node:url"
import { Byok, type ByokError, type ByokKey } from "../src/index.js"

/** Every credential of `workspaceId` (the default workspace when absent), reading as many pages as there are. */
export const listWorkspace = (workspaceId?: string): Effect.Effect<ReadonlyArray<ByokKey>, ByokError.ListError, Byok> =>
  Byok.use((byok) => Stream.runCollect(byok.stream(workspaceId === undefined ? {} : { workspaceId })))

const columns: ReadonlyArray<readonly [title: string, cell: (key: ByokKey) => string]> = [
  ["ID", (key) => key.id],
  ["PROVIDER", (key) => key.provider],
  ["LABEL", (key) => key.label],
  ["STATUS", (key) => (key.disabled ? "disabled" : "enabled")],
  ["CREATED", (key) => key.createdAt.toISOString().slice(0, 10)],
  ["NAME", (key) => key.name ?? ""]
]

/** The credentials as lines of aligned columns, the header first. */
export const formatTable = (keys: ReadonlyArray<ByokKey>): ReadonlyArray<string> => {
  const rows = [columns.map(([title]) => title), ...keys.map((key) => columns.map(([, cell]) => cell(key)))]
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd())
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  listWorkspace(process.argv[2]).pipe(
    Effect.flatMap((keys) => Console.log([...formatTable(keys), "", `${keys.length} credential(s)`].join("\n"))),
    Effect.provide(Byok.layerConfig()),
    Effect.provide(NodeHttpClient.layerUndici),
    NodeRuntime.runMain
  )
}
