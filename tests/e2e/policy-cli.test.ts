// The policy pack through the real Pulumi CLI: `pulumi preview --policy-pack policy-pack` passes
// on the real program (dev and prod, prod's cluster target overridden for the local run) and
// fails on tests/policy/fixture-program (a default-allow namespace and a PDB-less StatefulSet)
// with both mandatory violations printed; on tests/policy/fixture-program-unknowns (values unknown
// at preview) the mandatory budget policy fails closed. Runs only where the toolchain is built
// (bin/pulumi, and the Kubernetes provider for the programs that use it).
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECONFIG, ROOT, type Result, must, saveArtifact, sh } from "./support";

const PACK = path.join(ROOT, "policy-pack");
const PACK_CONFIG = path.join(PACK, "config", "kgents-platform.json");
const FIXTURE = path.join(ROOT, "tests", "policy", "fixture-program");
const FIXTURE_STACK = "policy-e2e";
const UNKNOWNS = path.join(ROOT, "tests", "policy", "fixture-program-unknowns");
const localTarget = { KGENTS_KUBECONFIG: KUBECONFIG, KGENTS_KUBE_CONTEXT: "" };

const NAMESPACE_POLICY = "kubernetes-core-v1-namespace-require-default-deny-network-policy";
const PDB_POLICY = "kubernetes-apps-v1-statefulset-require-pod-disruption-budget";

function built(bin: string): boolean {
  try {
    return fs.statSync(path.join(ROOT, "bin", bin)).isFile(); // follows the symlink
  } catch {
    return false;
  }
}
const HAVE_CLI = built("pulumi") && built("pulumi-language-nodejs");
const HAVE_TOOLCHAIN = HAVE_CLI && built("pulumi-resource-kubernetes");

const output = (r: Result) => `${r.stdout}\n${r.stderr}`;

/** Lines of the CLI's "Policies:" section that report a violation at `level`. */
function violationLines(text: string, level: "mandatory" | "advisory"): string[] {
  return text.split("\n").filter((l) => l.includes(`[${level}]`));
}

describe.skipIf(!HAVE_TOOLCHAIN)("pulumi preview --policy-pack policy-pack (real CLI)", () => {
  beforeAll(() => {
    must("bash scripts/cluster.sh up", {}, 600_000);
    must(
      `cd "${FIXTURE}" && (pulumi stack select ${FIXTURE_STACK} 2>/dev/null || pulumi stack init ${FIXTURE_STACK})`,
    );
  });

  afterAll(() => {
    sh(`cd "${FIXTURE}" && pulumi stack rm ${FIXTURE_STACK} --yes --force`);
  });

  it.each([
    ["dev", {}],
    ["prod", localTarget],
  ] as const)("the real program's %s preview passes with no violation", (stack, env) => {
    // A stack of its own with the same config, so Pulumi.<stack>.yaml and the dev/prod stacks
    // other suites use are left untouched (`stack init` rewrites the config file it uses).
    const name = `policy-${stack}`;
    const file = path.join(ROOT, `Pulumi.${name}.yaml`);
    fs.copyFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), file);
    try {
      must(`pulumi stack select ${name} 2>/dev/null || pulumi stack init ${name}`);
      const r = sh(
        `pulumi preview --stack ${name} --non-interactive --policy-pack "${PACK}" --policy-pack-config "${PACK_CONFIG}"`,
        env,
        900_000,
      );
      saveArtifact(`policy-cli-${stack}.txt`, output(r));
      expect(r.code, output(r)).toBe(0);
      expect(r.stdout).toMatch(/\+ \d+ to create/);
      expect(r.stdout).toMatch(/✅ kgents-platform@v0\.1\.0/);
      expect(violationLines(output(r), "mandatory")).toEqual([]);
      expect(violationLines(output(r), "advisory")).toEqual([]);
    } finally {
      sh(`pulumi stack rm ${name} --yes --force`);
      fs.rmSync(file, { force: true });
    }
  });

  it("the fixture program exits non-zero and prints both mandatory violations", () => {
    const r = sh(
      `cd "${FIXTURE}" && pulumi preview --stack ${FIXTURE_STACK} --non-interactive --policy-pack "${PACK}"`,
      {},
      900_000,
    );
    const text = output(r);
    saveArtifact("policy-cli-fixture.txt", text);
    expect(r.code, text).not.toBe(0);
    const mandatory = violationLines(text, "mandatory");
    expect(mandatory.filter((l) => l.includes(NAMESPACE_POLICY)).length, text).toBe(2);
    expect(mandatory.filter((l) => l.includes(PDB_POLICY)).length, text).toBe(1);
    expect(mandatory.length, text).toBe(3);
    expect(text).toContain("Namespace open-shop is not isolated for Ingress traffic");
    expect(text).toContain("Namespace open-shop is not isolated for Egress traffic");
    expect(text).toContain(
      "StatefulSet open-shop/db (3 replicas) has no PodDisruptionBudget in namespace open-shop",
    );
    // The CLI names the offending resource by type and name after each policy.
    expect(text).toContain(`${NAMESPACE_POLICY}  (kubernetes:core/v1:Namespace: open-shop)`);
    expect(text).toContain(`${PDB_POLICY}  (kubernetes:apps/v1:StatefulSet: db)`);
  });
});

describe.skipIf(!HAVE_CLI)(
  "pulumi preview --policy-pack policy-pack with values unknown at preview",
  () => {
    beforeAll(() => {
      must(
        `cd "${UNKNOWNS}" && (pulumi stack select ${FIXTURE_STACK} 2>/dev/null || pulumi stack init ${FIXTURE_STACK})`,
      );
    });

    afterAll(() => {
      sh(`cd "${UNKNOWNS}" && pulumi stack rm ${FIXTURE_STACK} --yes --force`);
    });

    it("fails closed on the mandatory budget policy; advisories get CrossGuard's notice", () => {
      const r = sh(
        `cd "${UNKNOWNS}" && pulumi preview --stack ${FIXTURE_STACK} --non-interactive --policy-pack "${PACK}"`,
        {},
        600_000,
      );
      const text = output(r);
      saveArtifact("policy-cli-unknowns.txt", text);
      expect(r.code, text).not.toBe(0);
      const mandatory = violationLines(text, "mandatory");
      expect(mandatory, text).toEqual([
        expect.stringContaining(`${PDB_POLICY}  (kubernetes:apps/v1:StatefulSet: db)`),
      ]);
      expect(text).toContain(
        "cannot verify that StatefulSet shop/db has a matching PodDisruptionBudget: spec.template.metadata.labels.app of",
      );
      expect(text).toContain("Failing closed");
      // The namespace is provably default-deny: its policy does not fire.
      expect(text).not.toContain(NAMESPACE_POLICY);
      // Advisory policies keep CrossGuard's default for values they cannot see.
      expect(text).toContain(
        "can't run policy 'kubernetes-policy-v1-poddisruptionbudget-selector-matches-pods'",
      );
    });
  },
);
