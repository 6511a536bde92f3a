import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "core/**/*.test.ts",
      "adapters/**/*.test.ts",
      "apps/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    // Every test file that opens PGlite pays ~3 s: keep them few, and let
    // integration files run in parallel processes.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
