// The prod stack, proven by the same real API server (cluster target overridden for the local
// run, Pulumi.prod.yaml untouched), and bad input through the real CLI: invalid config, an
// unreachable cluster, a missing passphrase — each a clear error with the state file intact.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECONFIG, kube, type Kube, must, ROOT, saveArtifact, sh, waitFor } from "./support";

const STATE_DIR = path.join(ROOT, ".local", "pulumi-state", ".pulumi", "stacks", "kgents");
const localTarget = { KGENTS_KUBECONFIG: KUBECONFIG, KGENTS_KUBE_CONTEXT: "" };

function stateFile(stack: string): string {
  return path.join(STATE_DIR, `${stack}.json`);
}

function stateHash(stack: string): string {
  return crypto
    .createHash("sha256")
    .update(fs.readFileSync(stateFile(stack)))
    .digest("hex");
}

/** What a state file holds that matters: every deployed object's URN and ID, and pending operations. */
function deployed(stack: string): { resources: string[]; pending: number } {
  const state = JSON.parse(fs.readFileSync(stateFile(stack), "utf8")) as {
    checkpoint: {
      latest?: { resources?: { urn: string; id?: string }[]; pending_operations?: unknown[] };
    };
  };
  const latest = state.checkpoint.latest ?? {};
  return {
    // Provider entries are Pulumi's bookkeeping (a failed update may record the new target);
    // what must not change are the deployed objects.
    resources: (latest.resources ?? [])
      .filter((r) => !r.urn.includes("::pulumi:providers:"))
      .map((r) => `${r.urn} ${r.id ?? ""}`)
      .sort(),
    pending: (latest.pending_operations ?? []).length,
  };
}

describe("prod stack on the local cluster", () => {
  let kc: Kube;
  // prod runs from a git-ignored copy of Pulumi.prod.yaml (local passphrase salt), so the
  // committed stack file is never rewritten: see scripts/local-stack.sh.
  let prod = "";
  beforeAll(() => {
    must("bash scripts/cluster.sh up", {}, 600_000);
    kc = kube();
    prod = `--stack prod --config-file ${must("bash scripts/local-stack.sh prod").stdout.trim()}`;
    sh("pulumi state unprotect --stack prod --all --yes");
    must(`pulumi destroy ${prod} --yes --skip-preview`, localTarget, 600_000);
    // dev and prod share namespace names: the dev stack must be down for prod to come up here.
    must("bash scripts/local-stack.sh dev");
    must("pulumi destroy --stack dev --yes --skip-preview", {}, 600_000);
  });

  it("previews with the policy pack, then comes up", () => {
    const pre = must(
      `pulumi preview ${prod} --policy-pack policy-pack --policy-pack-config policy-pack/config/kgents-platform.json`,
      localTarget,
    );
    expect(pre.stdout).toMatch(/\+ \d+ to create/);
    expect(pre.stdout).toContain("cluster target overridden by environment");
    const up = must(
      `pulumi up ${prod} --yes --policy-pack policy-pack --policy-pack-config policy-pack/config/kgents-platform.json`,
      localTarget,
      900_000,
    );
    saveArtifact("prod-up.txt", up.stdout);
    expect(up.stdout).toMatch(/\+ \d+ created/);
  });

  it("runs prod's shape: 3 NATS pods on 3 nodes (hard spread) with the exporter, Redis with AOF, the gateway 3/3 spread hard", async () => {
    const sts = await waitFor("nats 3/3", async () => {
      const s = await kc.apps.readNamespacedStatefulSet({
        name: "nats",
        namespace: "kgents-agents",
      });
      return s.status?.readyReplicas === 3 ? s : undefined;
    });
    const spec = sts.spec!.template.spec!;
    expect(spec.containers.map((c) => c.name)).toEqual(["nats", "exporter"]);
    expect(spec.topologySpreadConstraints?.[0]?.whenUnsatisfiable).toBe("DoNotSchedule");
    const pods = await kc.core.listNamespacedPod({
      namespace: "kgents-agents",
      labelSelector: "app.kubernetes.io/name=nats",
    });
    expect(new Set(pods.items.map((p) => p.spec?.nodeName)).size).toBe(3);
    const cm = await kc.core.readNamespacedConfigMap({
      name: "redis-config",
      namespace: "kgents-triad",
    });
    expect(cm.data?.["redis.conf"]).toMatch(/^appendonly yes$/m);
    // The gateway: 3 replicas spread hard, its budget letting one go at a time.
    const gw = await waitFor("gateway 3/3", async () => {
      const d = await kc.apps.readNamespacedDeployment({
        name: "gateway",
        namespace: "kgents-gateway",
      });
      return d.status?.readyReplicas === 3 ? d : undefined;
    });
    expect(gw.spec?.template.spec?.topologySpreadConstraints?.[0]?.whenUnsatisfiable).toBe(
      "DoNotSchedule",
    );
    const gwPods = await kc.core.listNamespacedPod({
      namespace: "kgents-gateway",
      labelSelector: "app.kubernetes.io/name=gateway",
    });
    expect(new Set(gwPods.items.map((p) => p.spec?.nodeName)).size).toBe(3);
    const pdb = await waitFor("gateway pdb", async () => {
      const b = await kc.policy.readNamespacedPodDisruptionBudget({
        name: "gateway",
        namespace: "kgents-gateway",
      });
      return b.status?.currentHealthy === 3 ? b : undefined;
    });
    expect(pdb.status).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 1 });
  });

  it("is protected: destroy refuses until the data is explicitly unprotected", () => {
    const r = sh(`pulumi destroy ${prod} --yes --skip-preview`, localTarget, 600_000);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/protect/i);
    must("pulumi state unprotect --stack prod --all --yes");
    must(`pulumi destroy ${prod} --yes --skip-preview`, localTarget, 900_000);
  });
});

describe("bad input through the real CLI", () => {
  beforeAll(() => {
    must("bash scripts/cluster.sh up", {}, 600_000);
    must("bash scripts/local-stack.sh dev");
    // Something deployed to lose: the failures below must leave it all in the state.
    must("pulumi up --stack dev --yes --skip-preview", {}, 900_000);
  });

  afterAll(() => {
    must("pulumi destroy --stack dev --yes --skip-preview", {}, 900_000);
  });

  it("invalid config stops the program before any resource, naming key, value and rule", () => {
    sh("pulumi stack rm badconfig --yes --force");
    must("pulumi stack init badconfig");
    try {
      must("pulumi config set --stack badconfig kgents:kubeconfig .local/kubeconfig");
      must("pulumi config set --stack badconfig kgents:natsReplicas 4");
      const r = sh("pulumi preview --stack badconfig");
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain("kgents:natsReplicas = 4: must be 3, 5 or 7");
      // Only the stack itself was planned: no Kubernetes object.
      expect(r.stdout).not.toMatch(/kubernetes:/);
    } finally {
      sh("pulumi stack rm badconfig --yes --force");
      fs.rmSync(path.join(ROOT, "Pulumi.badconfig.yaml"), { force: true });
    }
  });

  it("an unreachable cluster fails with a clear message and loses nothing deployed", () => {
    const dir = fs.mkdtempSync(path.join(ROOT, ".local", "unreachable-"));
    const cfg = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      cfg,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: gone, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]",
        "users: [{name: u, user: {token: nothing}}]",
        "contexts: [{name: gone, context: {cluster: gone, user: u}}]",
        "current-context: gone",
        "",
      ].join("\n"),
    );
    const before = deployed("dev");
    expect(before.resources.length).toBeGreaterThan(40);
    // --refresh reads every deployed object back from the (unreachable) cluster first.
    const r = sh("pulumi up --stack dev --yes --refresh", { KGENTS_KUBECONFIG: cfg }, 300_000);
    fs.rmSync(dir, { recursive: true, force: true });
    saveArtifact("unreachable-cluster.txt", r.stdout + r.stderr);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/127\.0\.0\.1:1|connection refused|unreachable/i);
    // Pulumi may rewrite the checkpoint of a failed update, but every deployed resource is still in it.
    expect(deployed("dev")).toEqual(before);
    // ...and the stack still works against the real cluster: an update back to the real target
    // touches no deployed object, after which there is nothing left to change.
    const back = must("pulumi up --stack dev --yes --skip-preview");
    expect(back.stdout).not.toMatch(/kubernetes:[^\n]*(created|deleted|replaced)/);
    must("pulumi preview --stack dev --expect-no-changes");
  });

  it("a missing passphrase fails with a clear message and leaves the state file intact", () => {
    const before = stateHash("dev");
    const r = sh(
      "unset PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE; pulumi up --stack dev --yes --non-interactive",
    );
    saveArtifact("missing-passphrase.txt", r.stdout + r.stderr);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/passphrase/i);
    expect(stateHash("dev")).toBe(before);
  });
});
