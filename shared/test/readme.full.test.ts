import { describe, expect, it } from "vitest"
import { checkReadmeExamples, readmeExamples } from "../../scripts/check-readme-examples.js"

/** `npm run typecheck` runs the same check; here it is part of the full tier too. */
describe("README examples", () => {
  it("has usage examples to check, for both lines", () => {
    const blocks = readmeExamples()
    expect(blocks.filter((b) => b.line === "effect4").length).toBeGreaterThanOrEqual(4)
    expect(blocks.filter((b) => b.line === "effect3").length).toBeGreaterThanOrEqual(1)
    expect(blocks.some((b) => b.code.includes("byok.stream("))).toBe(true)
  })

  it("every example type-checks against its line", { timeout: 120_000 }, () => {
    expect(checkReadmeExamples()).toEqual([])
  })
})
