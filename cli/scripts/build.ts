/**
 * Bundles the CLI, the Effect 4 library it imports by path, Effect and undici into one ESM file,
 * `dist/byok.mjs`: the package then has no dependencies to install, and Node reads one file at
 * start-up instead of resolving hundreds of modules.
 *
 * `--unbundled` writes the same sources file by file to `dist/unbundled/` (Node resolves `effect`
 * and `@effect/platform-node` from node_modules), for the start-up comparison in `startup.ts`.
 */
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const repo = path.resolve(root, "..")
const dist = path.join(root, "dist")
const entry = path.join(root, "src/bin.ts")

const common = {
  platform: "node",
  format: "esm",
  target: "node22",
  logLevel: "warning"
} as const satisfies esbuild.BuildOptions

/**
 * The testing kit's loopback server (`FakeByokApi.layerServer`) is reached only by a dynamic import
 * the CLI never makes (`--fake` serves in memory). Bundled, its static imports (`node:http`,
 * `node:tls`, `ws`) would still load at every start, so it is left out.
 */
const withoutLoopbackServer: esbuild.Plugin = {
  name: "without-loopback-server",
  setup(build) {
    build.onResolve({ filter: /\/internal\/fake\/nodeServer\.js$/ }, (args) =>
      args.importer.startsWith(path.join(repo, "effect4/src")) ? { path: args.path, namespace: "left-out" } : undefined)
    build.onLoad({ filter: /.*/, namespace: "left-out" }, () => ({
      contents: "export const listen = () => { throw new Error(\"the byok bundle has no loopback server\") }",
      loader: "js"
    }))
  }
}

const bundle = async () => {
  const outfile = path.join(dist, "byok.mjs")
  fs.rmSync(outfile, { force: true })
  const result = await esbuild.build({
    ...common,
    entryPoints: [entry],
    bundle: true,
    outfile,
    // Identifiers stay as written: minifying them too saved no start-up time and added memory, and
    // a defect's stack trace still reads as the source.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    plugins: [withoutLoopbackServer],
    banner: {
      // undici is CommonJS: esbuild turns its `require("node:…")` calls into a `require` that an
      // ES module has no binding for, so one is made here.
      js: [
        "#!/usr/bin/env node",
        "import { createRequire as __byokCreateRequire } from \"node:module\";",
        "const require = __byokCreateRequire(import.meta.url);"
      ].join("\n")
    }
  })
  fs.chmodSync(outfile, 0o755)
  const cjs = Object.entries(result.metafile.inputs).filter(([, input]) => input.format === "cjs").map(([file]) => file)
  if (cjs.length === 0) throw new Error("no CommonJS input any more: drop the require shim from the banner")
  const size = fs.statSync(outfile).size
  console.log(`${path.relative(repo, outfile)}: ${(size / 1024).toFixed(0)} KiB, ${Object.keys(result.metafile.inputs).length} modules`)
}

const unbundled = async () => {
  const outdir = path.join(dist, "unbundled")
  fs.rmSync(outdir, { recursive: true, force: true })
  const sources = (dir: string): Array<string> =>
    fs.readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .map((file) => path.join(dir, file))
  await esbuild.build({
    ...common,
    entryPoints: [...sources(path.join(root, "src")), ...sources(path.join(repo, "effect4/src")), ...sources(path.join(repo, "shared/src"))],
    outdir,
    outbase: repo,
    outExtension: { ".js": ".js" }
  })
  // Node reads these as ES modules only inside a package that says so.
  fs.writeFileSync(path.join(outdir, "package.json"), "{ \"type\": \"module\" }\n")
  console.log(`${path.relative(repo, path.join(outdir, "cli/src/bin.js"))}: unbundled`)
}

await (process.argv.includes("--unbundled") ? unbundled() : bundle())
