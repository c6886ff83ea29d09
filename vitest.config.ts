import { defineConfig } from "vitest/config"

/**
 * The tests of what the two lines share and that needs no Effect: date parsing, the contract drift
 * report. Each line's own suite (effect3/, effect4/) runs the shared behaviour description.
 */
export default defineConfig({
  test: {
    include: ["shared/test/**/*.test.ts"],
    exclude: process.env.BYOK_TEST_TIER === "full" ? ["**/node_modules/**"] : ["**/*.full.test.ts", "**/node_modules/**"],
    pool: "threads",
    maxWorkers: 2
  }
})
