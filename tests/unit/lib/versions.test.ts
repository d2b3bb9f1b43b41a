// One versions file (tools/versions.env) for TypeScript and shell alike: bash sources it to the
// same values lib/versions.ts reads, the images follow it, and the npm pins (package.json and
// what package-lock.json installs) and the Node LTS agree with the toolchain it pins.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  IMAGES,
  NATS_VERSION,
  parseVersionsFile,
  REDIS_VERSION,
  VERSIONS,
  VERSIONS_FILE,
} from "../../../lib/versions";
import { ROOT } from "../../support/stack-files";

const pkg = (file: string) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as {
    dependencies: Record<string, string>;
    engines: { node: string };
  };
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string }>;
};
const bare = (v: string | undefined) => v?.replace(/^v/, "");

describe("versions file", () => {
  it("is read the same by bash and by TypeScript", () => {
    const keys = Object.keys(VERSIONS);
    expect(keys).toEqual(
      expect.arrayContaining([
        "PULUMI_VERSION",
        "PULUMI_KUBERNETES_VERSION",
        "NATS_SERVER_VERSION",
        "REDIS_VERSION",
      ]),
    );
    const script = `set -eu; source "${VERSIONS_FILE}"; ${keys.map((k) => `printf '%s=%s\\n' ${k} "$${k}"`).join("; ")}`;
    const out = execFileSync("bash", ["-c", script], { cwd: ROOT, encoding: "utf8" });
    expect(parseVersionsFile(out)).toEqual(VERSIONS);
  });

  it("rejects a line bash and TypeScript could read differently", () => {
    expect(() => parseVersionsFile('A="1"')).toThrow(/line 1: .*KEY=value/);
    expect(() => parseVersionsFile("A=$B")).toThrow(/KEY=value/);
    expect(parseVersionsFile("# c\n\nA=v1.2.3\n")).toEqual({ A: "v1.2.3" });
  });

  it("pins the images the program deploys", () => {
    expect(NATS_VERSION).toBe(bare(VERSIONS.NATS_SERVER_VERSION));
    expect(IMAGES.nats).toBe(`nats:${NATS_VERSION}-alpine`);
    expect(IMAGES.redis).toBe(`redis:${REDIS_VERSION}-alpine`);
  });

  it.each([
    ["@pulumi/kubernetes", "PULUMI_KUBERNETES_VERSION"],
    ["@pulumi/pulumi", "PULUMI_VERSION"],
  ])("pins npm %s exactly to %s, and the lock installs it", (name, key) => {
    expect(VERSIONS[key]).toBeDefined();
    expect(pkg("package.json").dependencies[name]).toBe(bare(VERSIONS[key]));
    expect(lock.packages[`node_modules/${name}`]?.version).toBe(bare(VERSIONS[key]));
  });

  it("pins the policy pack's SDK to the same Pulumi release", () => {
    expect(pkg("policy-pack/package.json").dependencies["@pulumi/pulumi"]).toBe(
      bare(VERSIONS.PULUMI_VERSION),
    );
  });

  it("pins a Node LTS that satisfies the engines floor", () => {
    const floor = Number(/>=\s*(\d+)/.exec(pkg("package.json").engines.node)?.[1]);
    expect(floor).toBeGreaterThanOrEqual(22);
    expect(Number(bare(VERSIONS.NODE_VERSION)?.split(".")[0])).toBeGreaterThanOrEqual(floor);
  });
});
