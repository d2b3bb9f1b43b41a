// scripts/connectivity.ts on bad input: a clear message naming the value and the rule, exit 2,
// before anything is rendered or asked.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/connectivity/stack";

function cli(...args: string[]) {
  const r = spawnSync("npx", ["tsx", "scripts/connectivity.ts", ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("connectivity CLI input errors", () => {
  it("names an unknown stack", () => {
    const r = cli("staging", "--manifests", "/nonexistent");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stack = "staging": no Pulumi.staging.yaml in the repo');
  });

  it("names an unknown option and prints the usage", () => {
    const r = cli("dev", "--liv");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option --liv");
    expect(r.stderr).toContain("usage: npm run connectivity -- <stack>");
  });

  it("refuses --live together with --manifests", () => {
    const r = cli("dev", "--live", "--manifests", "x");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--live and --manifests exclude each other");
  });

  it("names the document and field of a malformed manifest", () => {
    const dir = mkdtempSync(join(tmpdir(), "kgents-conn-bad-"));
    writeFileSync(join(dir, "a.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {}\n");
    const r = cli("dev", "--manifests", dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /a\.yaml document 0: metadata\.name = undefined: must be a non-empty string/,
    );
  });
});
