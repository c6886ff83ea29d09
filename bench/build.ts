/**
 * Builds what the bench runs: each line of the library, compiled by `tsc` with the line's own
 * tsconfig.build.json (the files `npm run build` puts in dist/, so it is measured as installed), and
 * the bench's entry points, compiled by esbuild to run with plain `node` (no tsx loader in a measured
 * process).
 *
 * Where each file goes decides which Effect it runs on: packages stay external imports, resolved by
 * node from the file's own directory upwards. So the root's entry points (the workload runners, the
 * SDK and fetch clients) go to .bench-tmp/, and each line's (its compiled library, its clients and
 * cold starts; the server and the request-limit comparison for Effect 4) to that line's
 * .bench-tmp/: effect3/.bench-tmp/ finds effect3/node_modules first, effect4/.bench-tmp/ the
 * root's. The library is compiled there rather than to dist/ so that a build or a clean of dist/
 * while the bench runs (tests, packaging checks) neither breaks a run nor measures a half-written
 * library. A line's bench sources import the library from `../src/` so they typecheck without a
 * build; here those imports are pointed at the compiled files.
 */
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild"
import { execSync } from "node:child_process"
import { rmSync } from "node:fs"
import { join } from "node:path"
import { checkLine, type ClientName, isLineClient, type Line, lineOf, lines, type LineClient, transportOf } from "./clients.js"

export const root = join(import.meta.dirname, "..")
export const tmpDir = join(root, ".bench-tmp")
const lineTmp = (line: Line) => join(root, line, ".bench-tmp")

/** Processes the bench starts from the root's build: one client's workloads, one client's listing for peak RSS. */
export const entryFile = (entry: "workloads" | "rss") => join(tmpDir, "bench", `${entry}.js`)
/** Processes on Effect 4 alone: the bench server (its fake), the request-limit comparison. */
export const effect4File = (entry: "server" | "permits") => join(lineTmp("effect4"), `${entry}.js`)

/** The module a client's processes import it from. */
export const clientFile = (name: ClientName) =>
  isLineClient(name) ? join(lineTmp(lineOf(name)), `${transportOf(name)}.js`) : join(tmpDir, "bench", "clients", `${name}.js`)

/** Cold-start scripts: bare node, and each client imported as installed or bundled. */
export type ColdClient = LineClient | "sdk"
export type ColdScript = "bare" | ColdClient | `${ColdClient}.bundle`
export const coldFile = (script: ColdScript) => {
  const [client, bundle = ""] = script.split(".") as [ColdClient | "bare", string?]
  const suffix = bundle === "" ? ".js" : ".bundle.js"
  return client === "bare" || client === "sdk"
    ? join(tmpDir, "cold", `${client}${suffix}`)
    : join(lineTmp(lineOf(client)), "cold", `${transportOf(client)}${suffix}`)
}

/** Where a line's library is compiled to: `<line>/.bench-tmp/dist/<line>/src/`, beside `dist/shared/src/`, as in dist/. */
const libraryDir = (line: Line) => join(lineTmp(line), "dist")

/** `../src/X.js` → the compiled `X.js`; kept external (an import of the installed file) unless bundling. */
const srcToDist = (line: Line, external: boolean): Plugin => ({
  name: "src-to-dist",
  setup(build) {
    build.onResolve({ filter: /^(\.\.\/)+src\// }, (args) => ({
      path: join(libraryDir(line), line, "src", args.path.replace(/^(\.\.\/)+src\//, "")),
      external
    }))
  }
})

/**
 * Fails unless every `effect` file esbuild bundled for `line` came from that line's install: a
 * bundle resolves at build time, so the check of the process that runs it would see nothing.
 */
const checkBundle = (line: Line, metafile: Metafile) => {
  const expected = line === "effect3" ? "effect3/node_modules/effect/" : "node_modules/effect/"
  const effectFiles = Object.keys(metafile.inputs).filter((path) => /(^|\/)node_modules\/effect\//.test(path))
  const wrong = effectFiles.find((path) => !path.startsWith(expected))
  if (effectFiles.length === 0 || wrong !== undefined) throw new Error(`${line} bundle: effect bundled from ${wrong ?? "nowhere"}`)
}

// npm undici is CommonJS and requires node's built-ins: an ES module bundle of it needs a `require`.
const cjsRequire = `import { createRequire } from "node:module"; const require = createRequire(import.meta.url);`

const common: BuildOptions = { platform: "node", format: "esm", target: "node22", logLevel: "warning", absWorkingDir: root }
/** Only the bench's own modules are bundled in; every package and dist/ stay as installed. */
const external = (plugins: Array<Plugin> = []): BuildOptions => ({ ...common, bundle: true, packages: "external", plugins })
/** What an application bundled with esbuild would ship: everything in one minified file. */
const minified = (plugins: Array<Plugin> = []): BuildOptions => ({ ...common, bundle: true, minify: true, metafile: true, plugins })

const buildLine = async (line: Line) => {
  const bench = (file: string) => join(root, line, "bench", `${file}.ts`)
  const out = lineTmp(line)
  rmSync(out, { recursive: true, force: true })
  execSync(`npx tsc -p ${line}/tsconfig.build.json --outDir ${libraryDir(line)}`, { cwd: root, stdio: ["ignore", "inherit", "inherit"] })
  const entries = ["fetch", "undici", "cold/fetch", "cold/undici", ...(line === "effect4" ? ["server", "permits"] : [])]
  await build({ ...external([srcToDist(line, true)]), entryPoints: entries.map(bench), outbase: join(root, line, "bench"), outdir: out })
  for (const transport of ["fetch", "undici"] as const) {
    const { metafile } = await build({
      ...minified([srcToDist(line, false)]),
      ...(transport === "undici" ? { banner: { js: cjsRequire } } : {}),
      entryPoints: [bench(`cold/${transport}`)],
      outfile: join(out, "cold", `${transport}.bundle.js`)
    })
    checkBundle(line, metafile!)
  }
  // Node resolves the as-installed files' packages when they run: from where they are, the line's own install.
  for (const file of [clientFile(`${line}-fetch`), coldFile(`${line}-fetch`)]) checkLine(line, file)
}

export const buildAll = async () => {
  for (const dir of ["bench", "cold"]) rmSync(join(tmpDir, dir), { recursive: true, force: true })
  const bench = (file: string) => join(root, "bench", `${file}.ts`)
  await build({ ...external(), entryPoints: ["workloads", "rss", "clients/sdk", "clients/fetch"].map(bench), outdir: join(tmpDir, "bench") })
  await build({ ...external(), entryPoints: ["cold/bare", "cold/sdk"].map(bench), outdir: join(tmpDir, "cold") })
  await build({ ...minified(), entryPoints: [bench("cold/sdk")], outfile: coldFile("sdk.bundle") })
  for (const line of lines) await buildLine(line)
}
