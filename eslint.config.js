import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".bench-tmp/", "coverage/", "test/.readme/"] },
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
    // The library core runs wherever fetch exists: no Node-only import outside the loopback server.
    files: ["src/**/*.ts"],
    ignores: ["src/internal/fake/nodeServer.ts", "src/cli/**"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["node:*"], message: "The library core must not import Node-only modules." },
          { group: ["@effect/platform-node", "@effect/platform-node/*"], message: "Only the loopback fake server may use platform-node." },
          { group: ["**/cli/*", "./cli/*"], message: "The library must not import the CLI." }
        ]
      }]
    }
  },
  {
    // The CLI is a Node program: it may use @effect/platform-node, and reaches Node itself only
    // through @effect/platform services or `process`.
    files: ["src/cli/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{ group: ["node:*"], message: "Use an @effect/platform service (or `process`) in the CLI." }]
      }]
    }
  }
)
