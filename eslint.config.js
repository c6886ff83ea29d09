import js from "@eslint/js"
import tseslint from "typescript-eslint"

/** The Effect packages, which shared code must never import: each line brings its own. */
const effectPackages = ["effect", "effect/*", "@effect/*"]

export default tseslint.config(
  {
    ignores: ["**/dist/", "**/node_modules/", "**/.bench-tmp/", "coverage/", "**/test/.readme/", "**/docs/examples/"]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-control-regex": "off",
      // `interface X extends Schema.Type<typeof X> {}` gives a schema's type a readable name, as Effect does.
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }]
    }
  },
  {
    // Plain Node scripts, run before anything is compiled.
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } }
  },
  {
    // Shared code is Effect-free: both lines import it, and an Effect import here would resolve to
    // whichever Effect sits beside the repository root, not the line's own.
    files: ["shared/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: effectPackages, message: "Shared code must not import Effect: each line supplies its own." },
          { group: ["vitest", "@effect/vitest"], message: "Shared behaviour asserts with node:assert; each line's runner registers it." }
        ]
      }]
    }
  },
  {
    // The root bench runs every client: an Effect import here would load Effect 4 into the SDK's and
    // the Effect 3 line's processes. Line-specific bench code lives in effect3/bench and effect4/bench.
    files: ["bench/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{ group: effectPackages, message: "The root bench must not import Effect: put it in the line's own bench/." }]
      }]
    }
  },
  {
    files: ["shared/test/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{ group: effectPackages, message: "Shared code must not import Effect: each line supplies its own." }]
      }]
    }
  },
  {
    files: ["shared/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: effectPackages, message: "Shared code must not import Effect: each line supplies its own." },
          { group: ["node:*"], message: "The libraries run wherever fetch exists: no Node-only module." }
        ]
      }]
    }
  },
  {
    // A library's core runs wherever fetch exists: no Node-only import outside the loopback server.
    files: ["effect3/src/**/*.ts", "effect4/src/**/*.ts"],
    ignores: ["effect3/src/internal/fake/nodeServer.ts", "effect4/src/internal/fake/nodeServer.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["node:*"], message: "The library core must not import Node-only modules." },
          { group: ["@effect/platform-node", "@effect/platform-node/*"], message: "Only the loopback fake server may use platform-node." }
        ]
      }]
    }
  },
  {
    // The CLI is a Node program: it reaches Node itself through Effect's platform services or `process`.
    files: ["cli/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{ group: ["node:*"], message: "Use an Effect platform service (or `process`) in the CLI." }]
      }]
    }
  }
)
