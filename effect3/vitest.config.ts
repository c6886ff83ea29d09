import { defineConfig } from "vitest/config"

/**
 * The fast tier (`npm test`): every behaviour at least once, in well under half a minute. Files
 * named `*.full.test.ts` (the loopback fault matrix, load, the security sweep) run only in the
 * full tier, `vitest.full.config.ts`, which also scales the generated scenarios up.
 *
 * Two workers on threads: vitest's default on a 2-core machine is a single worker, which leaves a
 * core idle while each file imports Effect.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.full.test.ts", "**/node_modules/**"],
    pool: "threads",
    minWorkers: 2,
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000
  }
})
