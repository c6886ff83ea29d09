/**
 * Installs the Effect 3 line's own dependencies into effect3/node_modules.
 *
 * The Effect 3 line is not an npm workspace: both lines publish as `effect-openrouter-byok` (1.x and
 * 2.x), and npm refuses two workspaces of one name. So it keeps its own lockfile, and the root
 * install runs this afterwards: `npm ci` there when the root ran `npm ci`, `npm install` otherwise.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const line = fileURLToPath(new URL("../effect3/", import.meta.url))
const command = process.env.npm_command === "ci" ? "ci" : "install"

// Settings that point an install somewhere else, inherited from the root's npm, must not reach this one.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) =>
    !/^npm_config_(?:prefix|global|location|workspaces?|include_workspace_root|save.*|package_lock_only|dry_run)$/i.test(name)
  )
)

console.log(`effect3: npm ${command}`)
const npm = process.env.npm_execpath
const result = npm
  ? spawnSync(process.execPath, [npm, command, "--no-audit", "--no-fund"], { cwd: line, env, stdio: "inherit" })
  : spawnSync("npm", [command, "--no-audit", "--no-fund"], { cwd: line, env, stdio: "inherit", shell: process.platform === "win32" })
process.exitCode = result.status ?? 1
