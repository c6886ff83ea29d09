import { defineConfig } from "vitest/config"

/**
 * The fast tier (`npm test`): one run of each main path of the built binary, its help, and the
 * formatting rules in process. Files named `*.full.test.ts` (every command, format and exit code;
 * the README transcript) run only in the full tier, `vitest.full.config.ts`.
 *
 * Two workers on threads: one would leave a core idle while a file waits on the binaries it spawns.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.full.test.ts", "**/node_modules/**"],
    globalSetup: ["test/globalSetup.ts"],
    pool: "threads",
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000
  }
})
