import { describe, expect, it } from "@effect/vitest"
import { checkReadmeExamples, readmeExamples } from "../../scripts/check-readme-examples.js"

/** `npm run typecheck` runs the same check; here it is part of the full tier too. */
describe("README examples", () => {
  it("has usage examples to check", () => {
    const blocks = readmeExamples()
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    expect(blocks.some((b) => b.includes("byok.stream("))).toBe(true)
  })

  it("every example type-checks", { timeout: 120_000 }, () => {
    expect(checkReadmeExamples()).toEqual([])
  })
})
