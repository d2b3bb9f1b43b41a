// Test projects: unit (mocks), policy (the CrossGuard pack), connectivity (the report, with
// Cyclonus), servers (real nats-server and redis-server), gateway (the gateway process on real
// servers), faults (power loss and partitions: faultfs, network namespaces; root), e2e (the real
// CLI on the local cluster). `npm test` runs unit + policy.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["tests/unit/**/*.test.ts"], testTimeout: 60_000 } },
      { test: { name: "policy", include: ["tests/policy/**/*.test.ts"], testTimeout: 60_000 } },
      {
        // the connectivity report, our core against Cyclonus (needs `scripts/tools.sh cyclonus`)
        test: {
          name: "connectivity",
          include: ["tests/connectivity/**/*.test.ts"],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: "servers",
          include: ["tests/servers/**/*.test.ts"],
          globalSetup: ["tests/servers/global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "gateway",
          include: ["tests/gateway/**/*.test.ts"],
          globalSetup: ["tests/gateway/global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "faults",
          include: ["tests/faults/**/*.test.ts"],
          globalSetup: ["tests/faults/global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          testTimeout: 900_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
