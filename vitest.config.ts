import { defineConfig } from "vitest/config"

/**
 * The fast tier (`npm test`): every behaviour at least once, in well under half a minute. Files
 * named `*.full.test.ts` (the loopback fault matrix, load, the security sweep) run only in the
 * full tier, `vitest.full.config.ts`, which also scales the generated scenarios up.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.full.test.ts", "**/node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 20_000
  }
})
