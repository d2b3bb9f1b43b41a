// The npm SDKs and the Go-built toolchain come from one release each: a drift between the npm
// pins (package.json and what package-lock.json installs) and tools/versions.env fails here.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");
const env = Object.fromEntries(
  fs
    .readFileSync(path.join(ROOT, "tools", "versions.env"), "utf8")
    .split("\n")
    .filter((l) => /^[A-Z0-9_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
) as Record<string, string>;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  engines: { node: string };
};
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string }>;
};
const bare = (v: string | undefined) => (v ?? "").replace(/^v/, "");

describe("npm pins match the toolchain pins", () => {
  it.each([
    ["@pulumi/kubernetes", "PULUMI_KUBERNETES_VERSION"],
    ["@pulumi/pulumi", "PULUMI_VERSION"],
  ])("%s is pinned exactly to %s, and the lock installs it", (name, key) => {
    expect(env[key]).toBeDefined();
    expect(pkg.dependencies[name]).toBe(bare(env[key]));
    expect(lock.packages[`node_modules/${name}`]?.version).toBe(bare(env[key]));
  });

  it("the pinned Node LTS satisfies the engines floor", () => {
    const floor = Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    expect(floor).toBeGreaterThanOrEqual(22);
    expect(Number(bare(env.NODE_VERSION).split(".")[0])).toBeGreaterThanOrEqual(floor);
  });
});
