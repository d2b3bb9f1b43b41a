// The delivery flow on the local cluster, with the prod stack (target overridden, Pulumi.prod.yaml
// untouched): `npm run pr-check` passes on this checkout and refuses, naming the policy, copies of
// the program that drop a default-deny or the NATS budget; after `pulumi up`, `npm run readiness`
// proves every HIGH item whose tool is in this checkout (and fails the others, saying why), the
// drift check is clean; after a default-deny is deleted with kubectl, readiness fails naming the
// item and the drift check fails too.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, KUBECONFIG, must, ROOT, saveArtifact, sh } from "./support";

const localTarget = { KGENTS_KUBECONFIG: KUBECONFIG, KGENTS_KUBE_CONTEXT: "" };
const PACK =
  "--policy-pack policy-pack --policy-pack-config policy-pack/config/kgents-platform.json";

/** Rows of the checklist table: item id -> status. */
function statuses(md: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of md.matchAll(
    /^\| \d+ +\| \[[^\]]+\]\(#([a-z-]+)\) +\| \w+ +\| \*\*(\w+)\*\* +\|/gm,
  ))
    out[m[1] as string] = m[2] as string;
  return out;
}

function hasScript(name: string): boolean {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  return name in pkg.scripts;
}

/**
 * A copy of the program (tracked and new files of this checkout) sharing this checkout's
 * dependencies, toolchain and local state (cluster, backend): what a pull request's branch is.
 */
function programCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kgents-pr-"));
  const files = must("git ls-files -z --cached --others --exclude-standard").stdout.split("\0");
  for (const f of files) {
    if (!f || !fs.existsSync(path.join(ROOT, f))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  for (const shared of ["node_modules", "bin", ".local"])
    fs.symlinkSync(path.join(ROOT, shared), path.join(dir, shared));
  return dir;
}

/** Replaces the one construction of `ctor` in `file` with a wrapper that drops one object. */
function mutate(dir: string, file: string, ctor: string, wrapper: string, helper: string): void {
  const f = path.join(dir, file);
  const src = fs.readFileSync(f, "utf8");
  // Exactly one construction site: otherwise the mutation would not be the one named.
  expect(src.split(ctor).length - 1).toBe(1);
  fs.writeFileSync(f, `${src.replace(ctor, `${wrapper}(`)}\n${helper}\n`);
}

describe("delivery: pr-check, readiness and drift on the prod stack", () => {
  let prod = "";
  const copies: string[] = [];

  beforeAll(() => {
    must("bash scripts/cluster.sh up", {}, 600_000);
    prod = `--stack prod --config-file ${must("bash scripts/local-stack.sh prod").stdout.trim()}`;
    // dev and prod share namespace names: only prod may be up here.
    must("bash scripts/local-stack.sh dev");
    must("pulumi destroy --stack dev --yes --skip-preview", {}, 600_000);
    sh("pulumi state unprotect --stack prod --all --yes");
    must(`pulumi destroy ${prod} --yes --skip-preview`, localTarget, 600_000);
  });

  afterAll(() => {
    for (const d of copies) fs.rmSync(d, { recursive: true, force: true });
    sh("pulumi state unprotect --stack prod --all --yes");
    sh(`pulumi destroy ${prod} --yes --skip-preview`, localTarget, 600_000);
  });

  it("pr-check passes on this checkout (every step, the prod preview with the pack enforced)", () => {
    const r = sh("npm run pr-check", {}, 1_800_000);
    saveArtifact("pr-check.txt", r.stdout + r.stderr);
    expect(r.code, r.stdout.slice(-4000)).toBe(0);
    for (const step of ["typecheck", "lint", "workflows", "test", "preview"])
      expect(r.stdout).toMatch(new RegExp(`^  ok +${step} \\(`, "m"));
    expect(fs.readFileSync(path.join(ROOT, "artifacts/pr-check/preview.txt"), "utf8")).toMatch(
      /Policies:[\s\S]*kgents-platform/,
    );
  });

  it("pr-check refuses a copy of the program that drops the agents default-deny, naming the policy", () => {
    const dir = programCopy();
    copies.push(dir);
    mutate(
      dir,
      "components/network-policies.ts",
      "new k8s.networking.v1.NetworkPolicy(",
      "dropAgentsDefaultDeny",
      [
        "/** Mutation (tests/e2e/delivery.test.ts): the agents namespace loses its default-deny. */",
        "function dropAgentsDefaultDeny(",
        "  name: string,",
        "  args: k8s.networking.v1.NetworkPolicyArgs,",
        "  opts?: pulumi.CustomResourceOptions,",
        "): k8s.networking.v1.NetworkPolicy | undefined {",
        '  if (name.endsWith("-agents-default-deny")) return undefined;',
        "  return new k8s.networking.v1.NetworkPolicy(name, args, opts);",
        "}",
      ].join("\n"),
    );
    const r = sh(`cd ${dir} && bash scripts/pr-check.sh --only preview`, {}, 900_000);
    saveArtifact("pr-check-no-default-deny.txt", r.stdout + r.stderr);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL +preview \(\d+s\) +policy violations: .*kubernetes-core-v1-namespace-require-default-deny-network-policy/,
    );
    expect(r.stdout).toMatch(/kgents-agents/);
  });

  it("pr-check refuses a copy of the program without the NATS PodDisruptionBudget, naming the policy", () => {
    const dir = programCopy();
    copies.push(dir);
    mutate(
      dir,
      "components/nats-cluster.ts",
      "new k8s.policy.v1.PodDisruptionBudget(",
      "dropNatsPdb",
      [
        "/** Mutation (tests/e2e/delivery.test.ts): the NATS StatefulSet loses its budget. */",
        "function dropNatsPdb(..._args: unknown[]): k8s.policy.v1.PodDisruptionBudget {",
        "  return undefined as unknown as k8s.policy.v1.PodDisruptionBudget;",
        "}",
      ].join("\n"),
    );
    const r = sh(`cd ${dir} && bash scripts/pr-check.sh --only preview`, {}, 900_000);
    saveArtifact("pr-check-no-nats-pdb.txt", r.stdout + r.stderr);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL +preview \(\d+s\) +policy violations: .*kubernetes-apps-v1-statefulset-require-pod-disruption-budget/,
    );
  });

  it("after pulumi up, readiness passes every HIGH item whose tool is here, and drift is clean", () => {
    const up = must(`pulumi up ${prod} --yes ${PACK}`, localTarget, 900_000);
    saveArtifact("delivery-prod-up.txt", up.stdout);
    const out = path.join(ARTIFACTS, "production-checklist.md");
    const r = sh(`npm run readiness -- --stack prod --local --out ${out}`, {}, 900_000);
    saveArtifact("readiness-after-up.txt", r.stdout + r.stderr);
    const md = fs.readFileSync(out, "utf8");
    const s = statuses(md);
    expect(Object.keys(s)).toHaveLength(7);
    for (const id of ["nats-network-policies", "redis-network-policies", "nats-pdb", "nats-drain"])
      expect(s[id], `${id}\n${r.stderr}`).toBe("PASS");
    expect(s["log-aggregation"]).toBe("DEFERRED");
    // The drain really happened: 201, then 429, then whole again.
    expect(md).toMatch(/evict kgents-agents\/nats-\d: HTTP 201/);
    expect(md).toMatch(/evict kgents-agents\/nats-\d: HTTP 429/);
    expect(md).toMatch(/recovered: 3\/3 ready/);
    expect(md).toMatch(/Name: +default-deny/);
    // Items that depend on a tool: PASS when the tool is in this checkout, else an honest FAIL.
    if (hasScript("connectivity")) expect(s["default-allow-audit"], r.stderr).toBe("PASS");
    else expect(md).toMatch(/npm run connectivity\) is not in this checkout/);
    const baselines = path.join(ROOT, "load", "baselines");
    const prodBaseline =
      fs.existsSync(baselines) && fs.readdirSync(baselines).some((f) => /^prod-.*\.json$/.test(f));
    if (prodBaseline) expect(s["load-baseline"], r.stderr).toBe("PASS");
    else expect(s["load-baseline"]).toBe("FAIL");
    const highPass = Object.entries(s).every(
      ([id, st]) => id === "log-aggregation" || st === "PASS",
    );
    expect(r.code).toBe(highPass ? 0 : 1);

    const drift = sh("npm run drift -- --stack prod", {}, 900_000);
    saveArtifact("drift-clean.txt", drift.stdout + drift.stderr);
    expect(drift.code, drift.stdout.slice(-3000)).toBe(0);
    expect(drift.stdout).toContain("ok    preview --refresh: no changes");
  });

  it("a default-deny deleted with kubectl: readiness fails naming the item, and drift fails", () => {
    must("kubectl delete networkpolicy default-deny -n kgents-agents");
    const out = path.join(ARTIFACTS, "production-checklist-drifted.md");
    const r = sh(`npm run readiness -- --stack prod --local --no-drain --out ${out}`, {}, 900_000);
    saveArtifact("readiness-after-delete.txt", r.stdout + r.stderr);
    expect(r.code).toBe(1);
    const md = fs.readFileSync(out, "utf8");
    const s = statuses(md);
    expect(s["nats-network-policies"]).toBe("FAIL");
    expect(s["default-allow-audit"]).toBe("FAIL");
    expect(s["redis-network-policies"]).toBe("PASS");
    expect(md).toContain("kgents-agents: no default-deny for ingress");
    expect(md).toContain("kgents-agents: default-deny is declared by the stack but missing");
    expect(r.stderr).toMatch(
      /HIGH item\(s\) fail \(nats-network-policies: Network policies for NATS/,
    );

    const drift = sh("npm run drift -- --stack prod", {}, 900_000);
    saveArtifact("drift-after-delete.txt", drift.stdout + drift.stderr);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/network-agents-default-deny/);
    expect(drift.stdout).toContain("DRIFT preview --refresh");

    // The fix is a deploy that reads the cluster first: the policy is back and drift is clean.
    must(`pulumi up ${prod} --yes --refresh ${PACK}`, localTarget, 900_000);
    must("kubectl get networkpolicy default-deny -n kgents-agents");
  });
});
