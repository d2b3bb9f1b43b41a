// The workload model: objects' pod templates plus what the flow table names, each modelled one
// saying what stands behind it.
import { beforeAll, describe, expect, it } from "vitest";
import { flowTable } from "../../lib/flows";
import type { KubeObject } from "../../lib/connectivity/objects";
import { workloadModel } from "../../lib/connectivity/workloads";
import { renderedObjects } from "../support/rendered";

describe("workload model of the dev stack", () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await renderedObjects("dev");
  });

  it("lists the StatefulSets and the Deployment from the objects, models the rest", () => {
    const flows = flowTable({ ingressNamespace: "ingress-nginx", gatewayPort: 8080 });
    const model = workloadModel({ objects, flows, namespacePrefix: "kgents" });
    expect(model.map((w) => `${w.id} ${w.origin}`)).toEqual([
      "kgents-agents/nats object",
      "kgents-agents/pods modelled",
      "kgents-triad/redis object",
      "kgents-triad/pods modelled",
      "kgents-gateway/gateway object",
      "kgents-gateway/pods modelled",
      "kgents-observability/pods modelled",
      "ingress-nginx/pods modelled",
      "kube-system/kube-dns modelled",
      "default/stranger modelled",
    ]);
    const nats = model.find((w) => w.id === "kgents-agents/nats")!;
    expect(nats.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`)).toEqual(
      expect.arrayContaining(["client:4222/TCP", "cluster:6222/TCP", "monitor:8222/TCP"]),
    );
    // The gateway is the program's Deployment: its ports come from its pod template.
    const gateway = model.find((w) => w.id === "kgents-gateway/gateway")!;
    expect(gateway.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`)).toEqual([
      "http:8080/TCP",
      "metrics:9464/TCP",
    ]);
    expect(gateway.podLabels).toMatchObject({
      "app.kubernetes.io/name": "gateway",
      "app.kubernetes.io/component": "gateway",
    });
    expect(nats.namespaceLabels).toMatchObject({
      "kubernetes.io/metadata.name": "kgents-agents",
      "kgents.io/tier": "agents",
    });
    for (const w of model.filter((m) => m.origin === "modelled")) expect(w.note).toBeTruthy();
    expect(model.find((w) => w.id === "kube-system/kube-dns")?.podLabels).toEqual({
      "k8s-app": "kube-dns",
    });
    expect(new Set(model.map((w) => w.ip)).size).toBe(model.length);
  });

  it("follows the configured ingress namespace", () => {
    const flows = flowTable({ ingressNamespace: "edge", gatewayPort: 9000 });
    const model = workloadModel({ objects, flows, namespacePrefix: "kgents" });
    expect(model.map((w) => w.id)).toContain("edge/pods");
    expect(model.map((w) => w.id)).not.toContain("ingress-nginx/pods");
  });
});
