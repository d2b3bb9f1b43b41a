// Lint rules: typescript-eslint's type-aware recommended set, plus the async hygiene
// rules that matter for Pulumi programs (no floating promises, no Outputs in templates).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "bin/**",
      ".local/**",
      ".build/**",
      "dist/**",
      "artifacts/**",
      "tools/**",
      "**/*.mjs",
      "**/*.mts",
      "**/*.js",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
