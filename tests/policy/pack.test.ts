// The pack as a whole: names, metadata on every policy, config schemas with a default for every
// property, enforcement levels, and the manifest files the CLI reads.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { policies } from "../../policy-pack/policies";

const PACK = path.join(__dirname, "../../policy-pack");

describe("policy pack", () => {
  it("names every policy kubernetes-<group>-<version>-<kind>-..., once, with a file of that name", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    const files = fs.readdirSync(path.join(PACK, "policies")).filter((f) => f !== "index.ts");
    expect(files.sort()).toEqual(names.map((n) => `${n}.ts`).sort());
    for (const n of names)
      expect(n).toMatch(/^kubernetes-(core|apps|policy|networking)-v1-[a-z]+-[a-z0-9-]+$/);
  });

  it("enforces the two mandatory policies and advises the rest", () => {
    expect(Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]))).toEqual({
      "kubernetes-core-v1-namespace-require-default-deny-network-policy": "mandatory",
      "kubernetes-apps-v1-statefulset-require-pod-disruption-budget": "mandatory",
      "kubernetes-policy-v1-poddisruptionbudget-allow-voluntary-evictions": "advisory",
      "kubernetes-policy-v1-poddisruptionbudget-selector-matches-pods": "advisory",
      "kubernetes-networking-v1-networkpolicy-selector-matches-pods": "advisory",
      "kubernetes-apps-v1-statefulset-jetstream-pdb-keeps-quorum": "advisory",
      "kubernetes-networking-v1-networkpolicy-namespace-selector-immutable-label": "advisory",
    });
  });

  it.each(policies.map((p) => [p.name, p] as const))("%s carries full metadata", (_n, p) => {
    expect(p.description.length).toBeGreaterThan(40);
    expect(["low", "medium", "high", "critical"]).toContain(p.severity);
    expect(p.framework?.name).toMatch(/\S/);
    expect(p.framework?.version).toMatch(/\S/);
    expect(p.framework?.reference).toMatch(/\S/);
    expect(p.framework?.specification).toMatch(/\S/);
    expect(p.remediationSteps).toMatch(/^1\. .+\n2\. /s);
    expect(p.url).toMatch(/^https:\/\/[a-z.]+\//);
    expect(p.tags).toContain("kubernetes");
  });

  it.each(policies.map((p) => [p.name, p] as const))(
    "%s has a config schema with a default and description per key",
    (_n, p) => {
      const props = p.configSchema.properties;
      expect(Object.keys(props)).toEqual(
        expect.arrayContaining(["failClosedOnUnknown", "exemptNamespaces"]),
      );
      for (const [k, s] of Object.entries(props)) {
        expect(s.default, k).toBeDefined();
        expect(s.description, k).toMatch(/\S/);
      }
      expect(props.failClosedOnUnknown?.default).toBe(p.enforcementLevel === "mandatory");
    },
  );

  it("cites CIS Kubernetes 5.3.2 on the default-deny policy and NSA/CISA on the network advisories", () => {
    const by = (n: string) => policies.find((p) => p.name === n);
    expect(
      by("kubernetes-core-v1-namespace-require-default-deny-network-policy")?.framework,
    ).toMatchObject({
      name: "CIS Kubernetes Benchmark",
      reference: "5.3.2",
    });
    for (const n of [
      "kubernetes-networking-v1-networkpolicy-selector-matches-pods",
      "kubernetes-networking-v1-networkpolicy-namespace-selector-immutable-label",
    ]) {
      expect(by(n)?.framework?.name).toBe("NSA/CISA Kubernetes Hardening Guidance");
    }
  });

  it("has the manifest files the CLI needs: PulumiPolicy.yaml (nodejs) and a versioned package.json", () => {
    const manifest = YAML.parse(
      fs.readFileSync(path.join(PACK, "PulumiPolicy.yaml"), "utf8"),
    ) as Record<string, unknown>;
    expect(manifest.runtime).toBe("nodejs");
    const pkg = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")) as {
      version: string;
      dependencies: Record<string, string>;
    };
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(pkg.dependencies)).toEqual(
      expect.arrayContaining(["@pulumi/policy", "@pulumi/pulumi"]),
    );
  });

  it("keeps the analysis core free of Pulumi imports", () => {
    const dir = path.join(PACK, "analysis");
    const files = fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const src = fs.readFileSync(path.join(dir, f), "utf8");
      expect(src, f).not.toMatch(/from\s+["']@pulumi\//);
      expect(src, f).not.toMatch(/require\(["']@pulumi\//);
    }
  });

  it("ships a project pack config that names only real policies and schema keys", () => {
    const cfg = JSON.parse(
      fs.readFileSync(path.join(PACK, "config/kgents-platform.json"), "utf8"),
    ) as Record<string, Record<string, unknown>>;
    for (const [name, c] of Object.entries(cfg)) {
      const p = policies.find((x) => x.name === name);
      expect(p, name).toBeDefined();
      for (const k of Object.keys(c)) {
        if (k !== "enforcementLevel")
          expect(Object.keys(p?.configSchema.properties ?? {}), k).toContain(k);
      }
    }
  });
});
