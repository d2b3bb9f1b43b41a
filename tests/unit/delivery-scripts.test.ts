// Bad input to the delivery commands (pr-check, drift, readiness) stops before any work, with the
// argument, its value and the rule. The commands' real runs are in tests/e2e/delivery.test.ts.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");
const run = (script: string, args: string[]) => {
  const r = spawnSync("bash", [path.join(ROOT, "scripts", script), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 240_000,
  });
  return { code: r.status, err: r.stderr };
};

describe("pr-check", () => {
  it("an unknown step is refused, listing the steps", () => {
    const r = run("pr-check.sh", ["--only", "deploy"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "pr-check: unknown step 'deploy' (steps: typecheck lint workflows test preview)",
    );
  });

  it("a stack without a stack file, and an unknown argument, are refused", () => {
    expect(run("pr-check.sh", ["--stack", "staging"]).err).toContain(
      "pr-check: --stack staging: no Pulumi.staging.yaml",
    );
    const r = run("pr-check.sh", ["--fast"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("pr-check: unknown argument '--fast'");
  });
});

describe("drift", () => {
  it("needs a stack that has a stack file", () => {
    expect(run("drift.sh", []).err).toContain("drift: --stack is required");
    const r = run("drift.sh", ["--stack", "staging"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("drift: --stack staging: no Pulumi.staging.yaml");
  });
});

describe("readiness", () => {
  // Each run starts tsx (seconds on a loaded machine): three runs cover the three rules.
  it("needs a stack, a known one, and a sane drain timeout", { timeout: 300_000 }, () => {
    const none = run("readiness.sh", []);
    expect(none.code).toBe(2);
    expect(none.err).toContain("readiness: --stack is required");
    const unknown = run("readiness.sh", ["--stack", "staging"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(
      "readiness: --stack = staging: no Pulumi.staging.yaml in the project",
    );
    const timeout = run("readiness.sh", ["--stack", "prod", "--drain-timeout", "2"]);
    expect(timeout.code).toBe(2);
    expect(timeout.err).toContain(
      "readiness: --drain-timeout = 2: must be an integer number of seconds >= 10",
    );
  });
});
