// The prod stack, proven by the same real API server (cluster target overridden for the local
// run, Pulumi.prod.yaml untouched), and bad input through the real CLI: invalid config, an
// unreachable cluster, a missing passphrase — each a clear error with the state file intact.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { KUBECONFIG, kube, type Kube, must, ROOT, saveArtifact, sh, waitFor } from "./support";

const STATE_DIR = path.join(ROOT, ".local", "pulumi-state", ".pulumi", "stacks", "kgents");
const localTarget = { KGENTS_KUBECONFIG: KUBECONFIG, KGENTS_KUBE_CONTEXT: "" };

function stateHash(stack: string): string {
  const file = path.join(STATE_DIR, `${stack}.json`);
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

describe("prod stack on the local cluster", () => {
  let kc: Kube;
  beforeAll(() => {
    must("bash scripts/cluster.sh up", {}, 600_000);
    kc = kube();
    sh("pulumi stack select prod 2>/dev/null || pulumi stack init prod");
    sh("pulumi state unprotect --stack prod --all --yes");
    must("pulumi destroy --stack prod --yes --skip-preview", localTarget, 600_000);
    // dev and prod share namespace names: the dev stack must be down for prod to come up here.
    must("pulumi stack select dev 2>/dev/null || pulumi stack init dev");
    must("pulumi destroy --stack dev --yes --skip-preview", {}, 600_000);
  });

  it("previews with the policy pack, then comes up", () => {
    const pre = must("pulumi preview --stack prod --policy-pack policy-pack", localTarget);
    expect(pre.stdout).toMatch(/\+ \d+ to create/);
    expect(pre.stdout).toContain("cluster target overridden by environment");
    const up = must("pulumi up --stack prod --yes --policy-pack policy-pack", localTarget, 900_000);
    saveArtifact("prod-up.txt", up.stdout);
    expect(up.stdout).toMatch(/\+ \d+ created/);
  });

  it("runs prod's shape: 3 NATS pods on 3 nodes (hard spread) with the exporter, Redis with AOF", async () => {
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
  });

  it("is protected: destroy refuses until the data is explicitly unprotected", () => {
    const r = sh("pulumi destroy --stack prod --yes --skip-preview", localTarget, 600_000);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/protect/i);
    must("pulumi state unprotect --stack prod --all --yes");
    must("pulumi destroy --stack prod --yes --skip-preview", localTarget, 900_000);
  });
});

describe("bad input through the real CLI", () => {
  beforeAll(() => {
    must("bash scripts/cluster.sh up", {}, 600_000);
    sh("pulumi stack select dev 2>/dev/null || pulumi stack init dev");
    // Make sure the dev state file exists and has content to protect.
    must("pulumi refresh --stack dev --yes --skip-preview");
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
      expect(r.stdout).not.toMatch(/to create/);
    } finally {
      sh("pulumi stack rm badconfig --yes --force");
      fs.rmSync(path.join(ROOT, "Pulumi.badconfig.yaml"), { force: true });
    }
  });

  it("an unreachable cluster fails with a clear message and leaves the state file intact", () => {
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
    const before = stateHash("dev");
    const r = sh("pulumi up --stack dev --yes", { KGENTS_KUBECONFIG: cfg }, 300_000);
    fs.rmSync(dir, { recursive: true, force: true });
    saveArtifact("unreachable-cluster.txt", r.stdout + r.stderr);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/127\.0\.0\.1:1|connection refused|unreachable/i);
    expect(stateHash("dev")).toBe(before);
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
