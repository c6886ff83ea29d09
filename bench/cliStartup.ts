/**
 * Where BENCHMARKS.md keeps the byok CLI's start-up figures. `npm run startup -w cli -- --write`
 * measures them and writes this section; `npm run bench` does not measure them and carries the
 * section over as it is.
 */
export const cliStartupBegin = "<!-- cli start-up: written by `npm run startup -w cli -- --write` -->"
export const cliStartupEnd = "<!-- end of cli start-up -->"

/** The section, markers included, or "" when the file has none. */
export const cliStartupSection = (markdown: string): string => {
  const begin = markdown.indexOf(cliStartupBegin)
  const end = markdown.indexOf(cliStartupEnd)
  return begin === -1 || end === -1 ? "" : markdown.slice(begin, end + cliStartupEnd.length)
}

/** `markdown` with its section replaced by `body` (appended when it has none). */
export const withCliStartupSection = (markdown: string, body: string): string => {
  const section = `${cliStartupBegin}\n${body.trim()}\n${cliStartupEnd}`
  const current = cliStartupSection(markdown)
  return current === "" ? `${markdown.trimEnd()}\n\n${section}\n` : markdown.replace(current, section)
}
