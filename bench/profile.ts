/**
 * Reads a `.cpuprofile` written by `node --cpu-prof` and lists where the time went: the functions
 * with the most self time, and self time per package (effect, @effect/platform, undici, ...).
 */
import { readFileSync } from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}
interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** Where a script lives: a package name, the library (a line's own code or the shared code), node's own modules, or the VM. */
const origin = (url: string) => {
  if (url === "") return "(vm: gc, idle, native)"
  if (url.startsWith("node:")) return "node internals"
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (pkg !== null) return pkg[1]!
  const library = /\/\.bench-tmp\/dist\/([^/]+)\//.exec(url)
  if (library !== null) return `effect-openrouter-byok (${library[1]})`
  if (url.includes("/.bench-tmp/")) return "bench"
  return url
}

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\/.*?node_modules\//, "")
    .replace(/^file:\/\/.*?\/\.bench-tmp\/dist\//, "")
    .replace(/^file:\/\/.*?\/\.bench-tmp\//, "bench/")

export interface ProfileSummary {
  readonly totalMs: number
  readonly functions: ReadonlyArray<{ readonly name: string; readonly where: string; readonly ms: number }>
  readonly origins: ReadonlyArray<{ readonly origin: string; readonly ms: number }>
}

export const summarise = (file: string, top = 25): ProfileSummary => {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfMs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000))

  const functions = new Map<string, { name: string; where: string; ms: number }>()
  const origins = new Map<string, number>()
  let totalMs = 0
  for (const [id, ms] of selfMs) {
    const { functionName, lineNumber, url } = byId.get(id)!.callFrame
    const name = functionName || "(anonymous)"
    const where = url === "" ? "" : `${shortUrl(url)}:${lineNumber + 1}`
    const key = `${name} ${where}`
    const entry = functions.get(key) ?? { name, where, ms: 0 }
    entry.ms += ms
    functions.set(key, entry)
    origins.set(origin(url), (origins.get(origin(url)) ?? 0) + ms)
    totalMs += ms
  }
  return {
    totalMs,
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
    origins: [...origins].map(([origin, ms]) => ({ origin, ms })).sort((a, b) => b.ms - a.ms)
  }
}

export const format = (title: string, summary: ProfileSummary): string => {
  const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1)}%`
  return [
    `## ${title} (${summary.totalMs.toFixed(0)} ms sampled)`,
    "",
    "| self ms | share | package |",
    "| ---: | ---: | --- |",
    ...summary.origins.map((o) => `| ${o.ms.toFixed(0)} | ${pct(o.ms)} | ${o.origin} |`),
    "",
    "| self ms | share | function | where |",
    "| ---: | ---: | --- | --- |",
    ...summary.functions.map((f) => `| ${f.ms.toFixed(0)} | ${pct(f.ms)} | \`${f.name}\` | ${f.where} |`),
    ""
  ].join("\n")
}
