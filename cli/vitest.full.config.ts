import { defineConfig } from "vitest/config"

/** The full tier (`npm run test:full`): every test file. */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    env: { BYOK_TEST_TIER: "full" },
    globalSetup: ["test/globalSetup.ts"],
    pool: "threads",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000
  }
})
