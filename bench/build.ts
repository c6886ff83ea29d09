/**
 * Builds what the bench runs: the library (`npm run build` → dist/, so it is measured as installed)
 * and the bench's own entry points, compiled by esbuild into .bench-tmp/ to run with plain `node`
 * (no tsx loader in a measured process). Bench sources import the library from `../src/` so they
 * typecheck without a build; here those imports are pointed at the built `dist/` files.
 */
import { build, type BuildOptions, type Plugin } from "esbuild"
import { execSync } from "node:child_process"
import { rmSync } from "node:fs"
import { join } from "node:path"

export const root = join(import.meta.dirname, "..")
export const tmpDir = join(root, ".bench-tmp")

/** `../src/X.js` → `<root>/dist/X.js`; kept external (an import of the installed file) unless bundling. */
const srcToDist = (external: boolean): Plugin => ({
  name: "src-to-dist",
  setup(build) {
    build.onResolve({ filter: /^(\.\.\/)+src\// }, (args) => ({
      path: join(root, "dist", args.path.replace(/^(\.\.\/)+src\//, "")),
      external
    }))
  }
})

/** Processes the bench starts: the server, one client's workloads, one client's listing for peak RSS. */
export type Entry = "server" | "workloads" | "rss"
export const entryFile = (entry: Entry) => join(tmpDir, "bench", `${entry}.js`)

/** Cold-start scripts: bare node, and each client imported as installed or bundled. */
type ColdClient = "ours" | "ours-undici" | "sdk"
const coldClients: ReadonlyArray<ColdClient> = ["ours", "ours-undici", "sdk"]
export type ColdScript = "bare" | ColdClient | `${ColdClient}.bundle`
export const coldFile = (script: ColdScript) => join(tmpDir, "cold", `${script}.js`)

const cjsRequire = `import { createRequire } from "node:module"; const require = createRequire(import.meta.url);`

const common: BuildOptions = { platform: "node", format: "esm", target: "node20", logLevel: "warning" }

export const buildAll = async () => {
  execSync("npm run build", { cwd: root, stdio: ["ignore", "ignore", "inherit"] })
  rmSync(join(tmpDir, "bench"), { recursive: true, force: true })
  rmSync(join(tmpDir, "cold"), { recursive: true, force: true })
  const bench = (file: string) => join(root, "bench", file)
  // Only the bench's own modules are bundled in; every package and dist/ stay as installed.
  const external: BuildOptions = { ...common, bundle: true, packages: "external", plugins: [srcToDist(true)] }
  // Split, so each client's module (and the packages it imports) loads only when that client is made.
  await build({
    ...external,
    splitting: true,
    entryPoints: ["server", "workloads", "rss"].map((e) => bench(`${e}.ts`)),
    outdir: join(tmpDir, "bench")
  })
  await build({ ...external, entryPoints: ["bare", ...coldClients].map((e) => bench(`cold/${e}.ts`)), outdir: join(tmpDir, "cold") })
  // What an application bundled with esbuild would ship: everything in one minified file.
  for (const client of coldClients) {
    await build({
      ...common,
      bundle: true,
      minify: true,
      // npm undici is CommonJS and requires node's built-ins: an ES module bundle of it needs a `require`.
      ...(client === "ours-undici" ? { banner: { js: cjsRequire } } : {}),
      plugins: [srcToDist(false)],
      entryPoints: [bench(`cold/${client}.ts`)],
      outfile: coldFile(`${client}.bundle`)
    })
  }
}
