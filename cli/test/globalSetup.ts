/**
 * Builds the bundle the tests spawn when it is missing or older than any source it is built from.
 * `npm test` builds it first anyway (`pretest`); this covers running vitest directly after an edit.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const repo = path.resolve(root, "..")
const bundle = path.join(root, "dist/byok.mjs")

const newest = (entry: string): number => {
  const stat = fs.statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  return fs.readdirSync(entry).reduce((latest, name) => Math.max(latest, newest(path.join(entry, name))), stat.mtimeMs)
}

export default function setup() {
  const built = fs.statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? 0
  const sources = ["cli/src", "cli/scripts/build.ts", "cli/package.json", "effect4/src", "shared/src"].map((p) => path.join(repo, p))
  if (built > Math.max(...sources.map(newest))) return
  try {
    execFileSync(process.execPath, [path.join(repo, "node_modules/tsx/dist/cli.mjs"), "scripts/build.ts"], { cwd: root, stdio: "pipe", encoding: "utf8" })
  } catch (error: any) {
    throw new Error(`building the bundle failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`)
  }
}
