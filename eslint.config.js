// ESLint over the whole TypeScript tree, with type information. The promise rules matter most
// here: in a promise-heavy core a forgotten `await` is a real bug class.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "docs/api/**", "**/*.cjs", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // A provider answers through a Promise even when it has the answer at once: the SPI's
      // methods are async by contract, with or without an await inside.
      "@typescript-eslint/require-await": "off",
      // The core's internal failures are plain objects on purpose (no stack capture on the fast
      // path); they never reach a user, who sees -1/t_errno or an XTIError.
      "@typescript-eslint/only-throw-error": ["error", {
        allow: [
          { from: "file", name: "XtiFailure", path: "src/core/failure.ts" },
          { from: "file", name: "PollFault", path: "src/poll.ts" },
          { from: "file", name: "NetdirFailure", path: "src/nametoaddr/constants.ts" },
        ],
      }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // chai's property assertions (`expect(x).to.be.empty`) are expressions by design.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-expressions": "off" },
  },
);
