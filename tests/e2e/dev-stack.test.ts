// `pulumi up --stack dev` for real, with the policy pack, on the embedded local cluster (real
// kube-apiserver, etcd, controller-manager, scheduler; kwok fake nodes): what lands in the
// cluster, an idempotent second preview, a drain against the real eviction API, and a clean
// destroy.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flowTable } from "../../lib/flows";
import { networkPolicies } from "../../lib/network-policies";
import { TIERS, tierNamespace } from "../../lib/topology";
import { selectorMatches } from "../support/k8s";
import { evict, kube, type Kube, must, ROOT, saveArtifact, sh, waitFor } from "./support";

const NATS_NS = "kgents-agents";
/** The npm SDK's pinned release: the provider the stack records must be the same one. */
const SDK_PIN = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  }
).dependencies["@pulumi/kubernetes"];
/** pulumi-kubernetes' server-side-apply field manager: `pulumi-kubernetes-<hex>`. */
const PULUMI_MANAGER = /^pulumi-kubernetes-[0-9a-f]+$/;
const REDIS_NS = "kgents-triad";
const GATEWAY_NS = "kgents-gateway";
const GATEWAY_PODS = "app.kubernetes.io/name=gateway";
const MANAGED = TIERS.map((t) => tierNamespace("kgents", t));

let kc: Kube;

async function pdbStatus(ns: string, name: string) {
  const pdb = await kc.policy.readNamespacedPodDisruptionBudget({ name, namespace: ns });
  return {
    currentHealthy: pdb.status?.currentHealthy,
    disruptionsAllowed: pdb.status?.disruptionsAllowed,
    desiredHealthy: pdb.status?.desiredHealthy,
  };
}

async function readyPods(ns: string, selector: string) {
  const pods = await kc.core.listNamespacedPod({ namespace: ns, labelSelector: selector });
  return pods.items.filter(
    (p) =>
      !p.metadata?.deletionTimestamp &&
      p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  );
}

async function nodes() {
  return (await kc.core.listNode()).items.map((n) => n.metadata!.name!);
}

const cordon = (node: string) => must(`kubectl cordon ${node}`);
const uncordon = (node: string) => must(`kubectl uncordon ${node}`);

describe("dev stack on the local cluster", () => {
  beforeAll(() => {
    must("bash scripts/cluster.sh up", {}, 600_000);
    kc = kube();
    must("bash scripts/local-stack.sh dev");
    // A previous interrupted run may have left resources: start from an empty stack.
    must("pulumi destroy --stack dev --yes --skip-preview", {}, 600_000);
  });

  afterAll(async () => {
    if (!kc) return;
    for (const n of await nodes().catch(() => [] as string[])) sh(`kubectl uncordon ${n}`);
  });

  it("runs the real Pulumi CLI v3.259.0", () => {
    expect(must("pulumi version").stdout.trim()).toBe("v3.259.0");
  });

  it("pulumi up --stack dev --yes succeeds with the policy pack enforced", () => {
    const r = must(
      "pulumi up --stack dev --yes --policy-pack policy-pack --policy-pack-config policy-pack/config/kgents-platform.json",
      {},
      900_000,
    );
    saveArtifact("dev-up.txt", r.stdout);
    expect(r.stdout).toMatch(/Resources:\s*\n\s*\+ \d+ created/);
    expect(r.stdout).not.toMatch(/mandatory|advisory/i);
  });

  it("the stack state records Pulumi's own Kubernetes provider at the npm SDK's release", () => {
    const state = JSON.parse(must("pulumi stack export --stack dev").stdout) as {
      deployment: { resources: { type: string; inputs?: { version?: string } }[] };
    };
    const providers = state.deployment.resources.filter(
      (r) => r.type === "pulumi:providers:kubernetes",
    );
    expect(providers).toHaveLength(1);
    expect(providers[0]!.inputs?.version).toBe(SDK_PIN);
    expect(SDK_PIN).toBe("4.25.0");
  });

  it("the live objects carry the upstream provider's server-side-apply field manager", async () => {
    const sts = await kc.apps.readNamespacedStatefulSet({ name: "nats", namespace: NATS_NS });
    const ns = await kc.core.readNamespace({ name: NATS_NS });
    for (const o of [sts, ns]) {
      const applied = (o.metadata?.managedFields ?? []).filter((f) => f.operation === "Apply");
      expect(applied.map((f) => f.manager)).toEqual([expect.stringMatching(PULUMI_MANAGER)]);
    }
  });

  it("a second preview reports no changes", () => {
    const r = must(
      "pulumi preview --stack dev --expect-no-changes --policy-pack policy-pack --policy-pack-config policy-pack/config/kgents-platform.json",
    );
    expect(r.stdout).toMatch(/\d+ unchanged/);
  });

  it("creates the 4 tier namespaces with their labels", async () => {
    for (const t of TIERS) {
      const ns = await kc.core.readNamespace({ name: tierNamespace("kgents", t) });
      expect(ns.metadata?.labels).toMatchObject({
        "kgents.io/tier": t,
        "app.kubernetes.io/part-of": "kgents",
        "pod-security.kubernetes.io/enforce": "restricted",
      });
    }
  });

  it("creates every NetworkPolicy of the flow table, and nothing else", async () => {
    const expected = networkPolicies(
      flowTable({ ingressNamespace: "ingress-nginx", gatewayPort: 8080 }),
      "kgents",
    );
    const actual: string[] = [];
    for (const ns of MANAGED) {
      for (const np of (await kc.net.listNamespacedNetworkPolicy({ namespace: ns })).items) {
        actual.push(`${ns}/${np.metadata!.name!}`);
      }
    }
    expect(actual.sort()).toEqual(
      expected.map(({ manifest: m }) => `${m.metadata?.namespace}/${m.metadata?.name}`).sort(),
    );
    const describe = must("kubectl describe networkpolicy -A").stdout;
    saveArtifact("networkpolicies-describe.txt", describe);
    expect(describe).toContain("kubernetes.io/metadata.name=kube-system");
  });

  it("runs NATS 3/3 ready on 3 different fake nodes", async () => {
    const sts = await waitFor("nats 3/3 ready", async () => {
      const s = await kc.apps.readNamespacedStatefulSet({ name: "nats", namespace: NATS_NS });
      return s.status?.readyReplicas === 3 ? s : undefined;
    });
    expect(sts.spec?.replicas).toBe(3);
    const pods = await readyPods(NATS_NS, "app.kubernetes.io/name=nats");
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(3);
  });

  it("the NATS PDB reports currentHealthy 3 and disruptionsAllowed 1", async () => {
    const s = await waitFor("nats pdb status", async () => {
      const st = await pdbStatus(NATS_NS, "nats");
      return st.currentHealthy === 3 ? st : undefined;
    });
    expect(s).toEqual({ currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
  });

  it("drains one NATS node at a time: a second eviction is refused with HTTP 429 until the first pod is back", async () => {
    const pods = await readyPods(NATS_NS, "app.kubernetes.io/name=nats");
    const [first, second] = pods;
    const all = await nodes();
    // Drain the first pod's node. The other nodes are cordoned too, so the evicted pod cannot
    // come back at once: that holds open the window in which a real drain would try a second node.
    for (const n of all) cordon(n);
    const log: string[] = [];
    expect(await evict(kc, NATS_NS, first!.metadata!.name!)).toBe(201);
    log.push(`evict ${first!.metadata!.name} on ${first!.spec!.nodeName}: 201`);
    await waitFor("pdb to see 2 healthy", async () =>
      (await pdbStatus(NATS_NS, "nats")).currentHealthy === 2 ? true : undefined,
    );
    expect(await pdbStatus(NATS_NS, "nats")).toMatchObject({
      currentHealthy: 2,
      disruptionsAllowed: 0,
    });
    const refused = await evict(kc, NATS_NS, second!.metadata!.name!);
    log.push(
      `evict ${second!.metadata!.name} on ${second!.spec!.nodeName} while ${first!.metadata!.name} is away: ${refused}`,
    );
    expect(refused).toBe(429);
    // The first node comes back (maintenance done): the pod is rescheduled and ready again.
    for (const n of all) uncordon(n);
    await waitFor("nats 3/3 ready again", async () =>
      (await readyPods(NATS_NS, "app.kubernetes.io/name=nats")).length === 3 ? true : undefined,
    );
    await waitFor("pdb healthy again", async () =>
      (await pdbStatus(NATS_NS, "nats")).disruptionsAllowed === 1 ? true : undefined,
    );
    const ok = await evict(kc, NATS_NS, second!.metadata!.name!);
    log.push(`evict ${second!.metadata!.name} after ${first!.metadata!.name} is back: ${ok}`);
    expect(ok).toBe(201);
    await waitFor("nats 3/3 ready after the second drain", async () =>
      (await readyPods(NATS_NS, "app.kubernetes.io/name=nats")).length === 3 ? true : undefined,
    );
    saveArtifact("drain-nats.txt", `${log.join("\n")}\n`);
  });

  it("runs the gateway Deployment 2/2 ready: restricted pods admitted, spread over 2 nodes", async () => {
    const dep = await waitFor("gateway 2/2 available", async () => {
      const d = await kc.apps.readNamespacedDeployment({ name: "gateway", namespace: GATEWAY_NS });
      return d.status?.availableReplicas === 2 && d.status.readyReplicas === 2 ? d : undefined;
    });
    expect(dep.spec?.replicas).toBe(2);
    const pods = await readyPods(GATEWAY_NS, GATEWAY_PODS);
    expect(pods).toHaveLength(2);
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(2);
    // The namespace enforces restricted Pod Security: these pods exist, so the API server admitted them.
    for (const p of pods) {
      expect(p.spec?.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(p.spec?.containers[0]?.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
    }
  });

  it("the gateway PDB reports currentHealthy 2 and disruptionsAllowed 1", async () => {
    const s = await waitFor("gateway pdb status", async () => {
      const st = await pdbStatus(GATEWAY_NS, "gateway");
      return st.currentHealthy === 2 ? st : undefined;
    });
    expect(s).toEqual({ currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1 });
  });

  it("the gateway's live NetworkPolicies select its live pods and open exactly its flows", async () => {
    const [pod] = await readyPods(GATEWAY_NS, GATEWAY_PODS);
    const labels = pod!.metadata!.labels!;
    const live = (await kc.net.listNamespacedNetworkPolicy({ namespace: GATEWAY_NS })).items;
    const rows = live.map((np) => {
      const ports = [...(np.spec?.ingress ?? []), ...(np.spec?.egress ?? [])].flatMap((r) =>
        (r.ports ?? []).map((x) => `${x.protocol}/${x.port}`),
      );
      return `${np.metadata!.name} selects=${selectorMatches(np.spec!.podSelector, labels)} ${ports.sort().join(",")}`;
    });
    saveArtifact("gateway-networkpolicies.txt", `${rows.sort().join("\n")}\n`);
    expect(rows.sort()).toEqual([
      "allow-dns-egress selects=true TCP/53,UDP/53",
      "allow-gateway-metrics-ingress selects=true TCP/9464",
      "allow-gateway-public-ingress selects=true TCP/8080",
      "allow-nats-client-egress selects=true TCP/4222",
      "allow-redis-client-egress selects=true TCP/6379",
      "default-deny selects=true ",
    ]);
  });

  it("drains one gateway pod at a time: a second eviction is refused with HTTP 429 until the first is replaced", async () => {
    const [first, second] = await readyPods(GATEWAY_NS, GATEWAY_PODS);
    const all = await nodes();
    for (const n of all) cordon(n);
    expect(await evict(kc, GATEWAY_NS, first!.metadata!.name!)).toBe(201);
    await waitFor("gateway pdb to see 1 healthy", async () =>
      (await pdbStatus(GATEWAY_NS, "gateway")).currentHealthy === 1 ? true : undefined,
    );
    expect(await evict(kc, GATEWAY_NS, second!.metadata!.name!)).toBe(429);
    for (const n of all) uncordon(n);
    await waitFor("gateway 2/2 ready again", async () =>
      (await readyPods(GATEWAY_NS, GATEWAY_PODS)).length === 2 ? true : undefined,
    );
    await waitFor("gateway pdb healthy again", async () =>
      (await pdbStatus(GATEWAY_NS, "gateway")).disruptionsAllowed === 1 ? true : undefined,
    );
  });

  it("drains the Redis node: the PDB allows one eviction, then none until the pod is back", async () => {
    await waitFor("redis ready", async () =>
      (await readyPods(REDIS_NS, "app.kubernetes.io/name=redis")).length === 1 ? true : undefined,
    );
    expect(await pdbStatus(REDIS_NS, "redis")).toEqual({
      currentHealthy: 1,
      desiredHealthy: 0,
      disruptionsAllowed: 1,
    });
    const [pod] = await readyPods(REDIS_NS, "app.kubernetes.io/name=redis");
    const all = await nodes();
    for (const n of all) cordon(n);
    expect(await evict(kc, REDIS_NS, pod!.metadata!.name!)).toBe(201);
    await waitFor("redis pdb to see 0 healthy", async () =>
      (await pdbStatus(REDIS_NS, "redis")).currentHealthy === 0 ? true : undefined,
    );
    expect(await pdbStatus(REDIS_NS, "redis")).toMatchObject({
      currentHealthy: 0,
      disruptionsAllowed: 0,
    });
    for (const n of all) uncordon(n);
    await waitFor("redis back", async () =>
      (await readyPods(REDIS_NS, "app.kubernetes.io/name=redis")).length === 1 ? true : undefined,
    );
    await waitFor("redis pdb healthy", async () =>
      (await pdbStatus(REDIS_NS, "redis")).disruptionsAllowed === 1 ? true : undefined,
    );
    const [again] = await readyPods(REDIS_NS, "app.kubernetes.io/name=redis");
    expect(await evict(kc, REDIS_NS, again!.metadata!.name!)).toBe(201);
    await waitFor("redis back after the second drain", async () =>
      (await readyPods(REDIS_NS, "app.kubernetes.io/name=redis")).length === 1 ? true : undefined,
    );
  });

  it("pulumi destroy leaves no managed object behind", async () => {
    must("pulumi destroy --stack dev --yes --skip-preview", {}, 900_000);
    const left = (await kc.core.listNamespace()).items
      .map((n) => n.metadata!.name!)
      .filter((n) => MANAGED.includes(n));
    expect(left).toEqual([]);
    const labelled = must(
      "kubectl get all,pvc,secret,configmap,networkpolicy,pdb -A -l app.kubernetes.io/part-of=kgents -o name",
    ).stdout.trim();
    expect(labelled).toBe("");
  });
});
