// The policy pack through the real Pulumi CLI and the upstream Kubernetes provider:
// - `pulumi preview --policy-pack policy-pack` passes on the real program (dev and prod, prod's
//   cluster target overridden for the local run);
// - fails on tests/policy/fixture-program (a default-allow namespace and a PDB-less StatefulSet)
//   with both mandatory violations printed;
// - on tests/policy/fixture-program-classes, one case per class of issue 11 (yaml/v2 and Patch
//   resources included), reports exactly the expected violations, with and without the
//   match-dependencies opt-out;
// - on tests/policy/fixture-program-unknowns (values unknown at preview) the mandatory budget
//   policy fails closed;
// - `pulumi up --skip-preview` on tests/policy/fixture-program-skip-preview stops the hostNetwork
//   Deployment before it is created (resource policy), and creates the rest.
// Runs only where the toolchain is built (bin/pulumi and the Kubernetes provider).
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECONFIG, ROOT, type Result, must, saveArtifact, sh } from "./support";

const PACK = path.join(ROOT, "policy-pack");
const PACK_CONFIG = path.join(PACK, "config", "kgents-platform.json");
const FIXTURE = path.join(ROOT, "tests", "policy", "fixture-program");
const FIXTURE_STACK = "policy-e2e";
const UNKNOWNS = path.join(ROOT, "tests", "policy", "fixture-program-unknowns");
const CLASSES = path.join(ROOT, "tests", "policy", "fixture-program-classes");
const SKIP_PREVIEW = path.join(ROOT, "tests", "policy", "fixture-program-skip-preview");
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
    // Its own namespaces too: the preview's server-side dry run is answered by the cluster, and
    // what a dev or prod deployment left live under kgents-* (a StatefulSet whose immutable fields
    // have changed since) would fail the preview for reasons that say nothing about the pack.
    const config = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    if (!/^config:\n/m.test(config)) throw new Error(`Pulumi.${stack}.yaml has no config: block`);
    fs.writeFileSync(
      file,
      config.replace(/^config:\n/m, `config:\n  kgents:namespacePrefix: pcli-${stack}\n`),
    );
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

describe.skipIf(!HAVE_TOOLCHAIN)(
  "pulumi preview --policy-pack policy-pack with values unknown at preview",
  () => {
    beforeAll(() => {
      must("bash scripts/cluster.sh up", {}, 600_000);
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
        "cannot verify that StatefulSet shop/db has a working PodDisruptionBudget: spec.template.metadata.labels.app of",
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

/** A violation the classes program must produce: policy, resource (type: name), message part. */
interface Expected {
  readonly policy: string;
  readonly resource: string | RegExp;
  readonly message: string;
}

/** Each mandatory violation block: its header line and the text up to the next header. */
function mandatoryBlocks(text: string): { header: string; body: string }[] {
  const lines = text.split("\n");
  const out: { header: string; body: string }[] = [];
  for (const [i, l] of lines.entries()) {
    if (!/\[(mandatory|advisory)\]/.test(l)) continue;
    const next = lines.findIndex((x, j) => j > i && /\[(mandatory|advisory)\]/.test(x));
    if (l.includes("[mandatory]")) {
      out.push({ header: l, body: lines.slice(i + 1, next < 0 ? undefined : next).join(" ") });
    }
  }
  return out;
}

function expectExactly(text: string, want: readonly Expected[]): void {
  const got = mandatoryBlocks(text);
  const left = [...got];
  for (const w of want) {
    const i = left.findIndex(
      (b) =>
        b.header.includes(w.policy) &&
        (typeof w.resource === "string"
          ? b.header.includes(`(${w.resource})`)
          : w.resource.test(b.header)) &&
        b.body.replace(/\s+/g, " ").includes(w.message),
    );
    expect(
      i,
      `no mandatory violation ${w.policy} on ${String(w.resource)} with "${w.message}" in:\n${text}`,
    ).not.toBe(-1);
    left.splice(i, 1);
  }
  expect(
    left.map((b) => b.header),
    text,
  ).toEqual([]);
}

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CLASS_CASES: readonly Expected[] = [
  {
    policy: NAMESPACE_POLICY,
    resource: `${NP}: c1-not-system`,
    message: "(selects every namespace but kube-system, new ones included) without a podSelector",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: "kubernetes:apps/v1:Deployment: c2-in-default",
    message: "namespace default is isolated for Ingress traffic",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: "kubernetes:apps/v1:Deployment: c2-in-default",
    message: "namespace default is isolated for Egress traffic",
  },
  {
    policy: PDB_POLICY,
    resource: "kubernetes:apps/v1:StatefulSet: c3-db",
    message:
      "StatefulSet c3-budgets/db (3 replicas) has no working PodDisruptionBudget: PodDisruptionBudget c3-budgets/db protects nothing: minAvailable 0 keeps no pod",
  },
  {
    policy: PDB_POLICY,
    resource: "kubernetes:policy/v1:PodDisruptionBudget: c3-db",
    message: "PodDisruptionBudget c3-budgets/db protects nothing",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: "kubernetes:networking.k8s.io/v1:NetworkPolicyPatch: c4-reopen",
    message: "re-opens Ingress for every pod of namespace c4-unreadable",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: `${NP}: c4-unreadable-default-deny`,
    message: "re-opens Ingress for every pod of namespace c4-unreadable",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: /\(kubernetes:networking\.k8s\.io\/v1:NetworkPolicy: \S*yaml-open\)/,
    message: "NetworkPolicy c4-unreadable/yaml-open re-opens Ingress",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: `${NP}: c4-fake-deny`,
    message: "it is a component and creates nothing",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: "kubernetes:core/v1:Namespace: c5-other-cluster",
    message: "namespace c5-other-cluster is isolated for Ingress traffic",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: "kubernetes:core/v1:Namespace: c5-other-cluster",
    message: "namespace c5-other-cluster is isolated for Egress traffic",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: "kubernetes:apps/v1:Deployment: c6-agent",
    message: "Deployment c6-host-network/agent runs its pods with hostNetwork: true",
  },
  {
    policy: NAMESPACE_POLICY,
    resource: `${NP}: c7-dns-google`,
    message: "lets DNS (port 53) reach spec.egress[0].to[0], wider than the cluster DNS",
  },
];

describe.skipIf(!HAVE_TOOLCHAIN)("the issue-11 classes through the real CLI", () => {
  const STACK = "policy-classes";
  beforeAll(() => {
    must("bash scripts/cluster.sh up", {}, 600_000);
    must(
      `cd "${CLASSES}" && (pulumi stack select ${STACK} 2>/dev/null || pulumi stack init ${STACK})`,
    );
  });
  afterAll(() => {
    sh(`cd "${CLASSES}" && pulumi stack rm ${STACK} --yes --force`);
  });

  it("reports one finding per case; the unknown namespace name fails closed by default", () => {
    const r = sh(
      `cd "${CLASSES}" && pulumi preview --stack ${STACK} --non-interactive --policy-pack "${PACK}"`,
      {},
      900_000,
    );
    const text = output(r);
    saveArtifact("policy-cli-classes.txt", text);
    expect(r.code, text).not.toBe(0);
    // Without the opt-out, the policy computed from the unknown name could be anywhere, so the
    // namespaces that are not isolated are reported as "cannot verify" (still mandatory).
    expectExactly(text, [
      ...CLASS_CASES.map((c) =>
        c.message.startsWith("namespace ")
          ? { ...c, message: `cannot verify that ${c.message}` }
          : c,
      ),
      {
        policy: NAMESPACE_POLICY,
        resource: "kubernetes:core/v1:Namespace: c9-later",
        message: "cannot verify that the namespace is default-deny",
      },
    ]);
    // The split default-deny (c8) passes: nothing mandatory names it.
    expect(text).not.toMatch(/\[mandatory\].*(c8-split|c8-deny)/);
  });

  it("with unknownNamespaceNames: match-dependencies the auto-named namespace passes at preview", () => {
    const cfg = path.join(ROOT, "artifacts", "e2e", "policy-classes-config.json");
    fs.mkdirSync(path.dirname(cfg), { recursive: true });
    fs.writeFileSync(
      cfg,
      JSON.stringify({ [NAMESPACE_POLICY]: { unknownNamespaceNames: "match-dependencies" } }),
    );
    const r = sh(
      `cd "${CLASSES}" && pulumi preview --stack ${STACK} --non-interactive --policy-pack "${PACK}" --policy-pack-config "${cfg}"`,
      {},
      900_000,
    );
    const text = output(r);
    saveArtifact("policy-cli-classes-match-dependencies.txt", text);
    expect(r.code, text).not.toBe(0);
    expectExactly(
      text,
      CLASS_CASES.map((c) =>
        c.message.startsWith("namespace ")
          ? {
              ...c,
              message: `Namespace ${c.message.slice("namespace ".length).replace(" is isolated for", " is not isolated for")}`,
            }
          : c,
      ).map((c) =>
        c.message.startsWith("Namespace default")
          ? {
              ...c,
              message:
                "Namespace default, where this stack puts Deployment default/c2-in-default without declaring it,",
            }
          : c,
      ),
    );
  });
});

describe.skipIf(!HAVE_TOOLCHAIN)(
  "pulumi up --skip-preview with the pack (resource policies)",
  () => {
    const STACK = "policy-skip-preview";
    beforeAll(() => {
      must("bash scripts/cluster.sh up", {}, 600_000);
      must(
        `cd "${SKIP_PREVIEW}" && (pulumi stack select ${STACK} 2>/dev/null || pulumi stack init ${STACK})`,
      );
    });
    afterAll(() => {
      sh(
        `cd "${SKIP_PREVIEW}" && pulumi destroy --stack ${STACK} --yes --non-interactive`,
        {},
        600_000,
      );
      sh(`cd "${SKIP_PREVIEW}" && pulumi stack rm ${STACK} --yes --force`);
    });

    it("stops the hostNetwork Deployment before it is created", () => {
      const r = sh(
        `cd "${SKIP_PREVIEW}" && pulumi up --stack ${STACK} --skip-preview --yes --non-interactive --policy-pack "${PACK}"`,
        {},
        900_000,
      );
      const text = output(r);
      saveArtifact("policy-cli-skip-preview.txt", text);
      expect(r.code, text).not.toBe(0);
      expect(text).toContain(
        "Deployment skip-preview-shop/agent runs its pods with hostNetwork: true",
      );
      expect(text).toContain(`${NAMESPACE_POLICY}  (kubernetes:apps/v1:Deployment: agent)`);
      const get = (what: string) =>
        sh(`kubectl --kubeconfig "${KUBECONFIG}" -n skip-preview-shop get ${what} -o name`);
      // The namespace and its default-deny went through; the Deployment never reached the API.
      expect(get("networkpolicy/default-deny").code).toBe(0);
      const dep = get("deployment/agent");
      expect(dep.code, dep.stdout).not.toBe(0);
      expect(dep.stderr).toContain("NotFound");
    });
  },
);
