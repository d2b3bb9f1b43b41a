// NetworkPolicies from the flow table (lib/network-policies): default-deny both ways in every
// tier, an ingress policy at each server and an egress policy at each client, pods selected by
// the same labels their workloads' StatefulSets select, namespaces by their immutable name.
import { describe, expect, it } from "vitest";
import { type Flow, flowTable } from "../../../../lib/flows";
import { networkPolicies } from "../../../../lib/network-policies";
import { natsStatefulSet } from "../../../../lib/nats";
import { redisStatefulSet } from "../../../../lib/redis";

const flows = flowTable({ ingressNamespace: "ingress-x", gatewayPort: 9000 });
const policies = networkPolicies(flows, "p");
const find = (ns: string, name: string) => {
  const p = policies.find(
    (x) => x.manifest.metadata?.namespace === ns && x.manifest.metadata.name === name,
  );
  if (!p) throw new Error(`missing ${ns}/${name}`);
  return p;
};

describe("NetworkPolicy manifests", () => {
  it("denies everything both ways in every tier namespace", () => {
    for (const ns of ["p-agents", "p-triad", "p-gateway", "p-observability"]) {
      expect(find(ns, "default-deny").manifest.spec).toEqual({
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
      });
    }
  });

  it("names, labels and annotates each policy after its flow, tier by tier", () => {
    const p = find("p-agents", "allow-nats-client-ingress");
    expect(p.tier).toBe("agents");
    expect(p.manifest.metadata?.labels).toEqual({
      "app.kubernetes.io/part-of": "kgents",
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/component": "network-policy",
    });
    expect(p.manifest.metadata?.annotations).toEqual({ "kgents.io/flow": "nats-client" });
    expect(find("p-agents", "default-deny").manifest.metadata?.annotations).toEqual({});
  });

  it("selects server pods with the very selector of their StatefulSet", () => {
    const base = {
      replicas: 3,
      cpu: "1",
      memory: "1Gi",
      storage: "1Gi",
      storageClass: "",
      clusterDomain: "cluster.local",
      priorityClassName: "x",
    };
    const natsSel = natsStatefulSet({
      ...base,
      namespace: "p-agents",
      exporter: false,
      syncInterval: "always",
      spreadPolicy: "soft",
    }).spec?.selector;
    const redisSel = redisStatefulSet({
      ...base,
      namespace: "p-triad",
      appendOnly: false,
      appendFsync: "everysec",
    }).spec?.selector;
    expect(find("p-agents", "allow-nats-client-ingress").manifest.spec.podSelector).toEqual(
      natsSel,
    );
    expect(find("p-agents", "allow-nats-route-egress").manifest.spec.podSelector).toEqual(natsSel);
    expect(find("p-triad", "allow-redis-client-ingress").manifest.spec.podSelector).toEqual(
      redisSel,
    );
  });

  it("lists every client as an ingress peer by namespace name, on the flow's ports", () => {
    const rule = find("p-triad", "allow-redis-client-ingress").manifest.spec.ingress?.[0];
    expect(rule?.from?.map((f) => f.namespaceSelector?.matchLabels)).toEqual([
      { "kubernetes.io/metadata.name": "p-agents" },
      { "kubernetes.io/metadata.name": "p-gateway" },
      { "kubernetes.io/metadata.name": "p-triad" },
    ]);
    expect(rule?.ports).toEqual([{ port: 6379, protocol: "TCP" }]);
    const pub = find("p-gateway", "allow-gateway-public-ingress").manifest.spec.ingress?.[0];
    expect(pub?.from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-x" } } },
    ]);
    expect(pub?.ports).toEqual([{ port: 9000, protocol: "TCP" }]);
  });

  it("lets every managed pod reach kube-dns on 53 UDP and TCP, and nothing else universal", () => {
    for (const ns of ["p-agents", "p-triad", "p-gateway", "p-observability"]) {
      const e = find(ns, "allow-dns-egress").manifest.spec;
      expect(e.podSelector).toEqual({});
      expect(e.egress?.[0]?.to).toEqual([
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
          podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
        },
      ]);
      expect(e.egress?.[0]?.ports).toEqual([
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ]);
    }
  });

  it("gives a second egress policy of one flow in one tier a workload suffix", () => {
    const extra: Flow = {
      name: "x",
      from: [
        { kind: "tier", tier: "agents" },
        { kind: "tier", tier: "agents", workload: "nats" },
      ],
      to: { kind: "tier", tier: "triad", workload: "redis" },
      ports: [{ port: 1234, protocol: "TCP" }],
      why: "test",
    };
    const names = networkPolicies([extra], "p").map((x) => x.manifest.metadata?.name);
    expect(names).toContain("allow-x-egress");
    expect(names).toContain("allow-x-egress-nats");
  });
});
