// Table-driven fixture cases: every YAML file under fixtures/ names a policy and lists cases
// with the exact violations (URN and message fragment) the policy must report.
import { describe, expect, it } from "vitest";
import { policies } from "../../policy-pack/policies";
import { runPolicy, type Violation } from "../support/crossguard";
import { caseResources, loadFixtures } from "./fixtures";

const fixtures = loadFixtures();

function sortByUrn<T extends { urn: string }>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) => a.urn.localeCompare(b.urn));
}

describe("policy fixtures", () => {
  it("cover every policy of the pack, with passing and failing cases and named sources", () => {
    expect(fixtures.map((f) => f.policy).sort()).toEqual(policies.map((p) => p.name).sort());
    for (const f of fixtures) {
      expect(f.file).toBe(`${f.policy}.yaml`);
      expect(f.sources.length).toBeGreaterThan(0);
      expect(f.cases.some((c) => c.expect.length === 0 && !c.cantRun)).toBe(true);
      expect(f.cases.some((c) => c.expect.length > 0)).toBe(true);
      for (const c of f.cases) expect(c.source, `${f.file}: ${c.name}`).toMatch(/\S/);
    }
  });

  // The classes of bypasses and false positives of issue 11: each needs cases on both sides.
  const CLASSES = [
    "everyone",
    "undeclared-namespace",
    "budgets",
    "unreadable",
    "other-cluster",
    "host-network",
    "dns",
    "split-default-deny",
    "unknown-namespace-name",
  ];
  it.each(CLASSES)("class %s has failing and passing cases", (cls) => {
    const cases = fixtures.flatMap((f) => f.cases).filter((c) => c.class === cls);
    expect(cases.some((c) => c.expect.length > 0)).toBe(true);
    expect(cases.some((c) => c.expect.length === 0 && !c.cantRun)).toBe(true);
  });

  it("tags every case with a known class or none", () => {
    for (const c of fixtures.flatMap((f) => f.cases)) {
      if (c.class !== undefined) expect(CLASSES, c.name).toContain(c.class);
    }
  });

  for (const f of fixtures) {
    const policy = policies.find((p) => p.name === f.policy);
    describe(f.policy, () => {
      it.each(f.cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
        if (!policy) throw new Error(`${f.file} names unknown policy ${f.policy}`);
        const result = await runPolicy(policy, caseResources(f, c), c.config ?? {});
        const got = sortByUrn(result.violations);
        const want = sortByUrn(c.expect);
        const show = (vs: readonly Violation[]) =>
          vs.map((v) => `${v.urn}: ${v.message}`).join("\n");
        expect(
          got.map((v) => v.urn),
          show(got),
        ).toEqual(want.map((w) => w.urn));
        // Same URN may appear more than once: each expected fragment must be in a distinct message.
        const remaining = [...got];
        for (const w of want) {
          const i = remaining.findIndex(
            (v) => v.urn === w.urn && v.message.includes(w.message ?? ""),
          );
          expect(
            i,
            `no violation on ${w.urn} containing "${w.message ?? ""}" in:\n${show(got)}`,
          ).not.toBe(-1);
          remaining.splice(i, 1);
        }
        expect(result.cantRun.length > 0, result.cantRun.join("\n")).toBe(c.cantRun ?? false);
      });
    });
  }
});
