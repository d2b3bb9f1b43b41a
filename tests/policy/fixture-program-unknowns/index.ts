// Real Kubernetes objects whose properties are partly unknown during preview: the StatefulSet's
// pod label comes from a dynamic resource's output, unknown until the resource is created. (The
// pack ignores components posing under Kubernetes type tokens, so the objects are real ones.)
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const provider = new k8s.Provider("local", {
  kubeconfig: process.env.KUBECONFIG ?? path.resolve(__dirname, "../../../.local/kubeconfig"),
});

// Its `value` output is unknown until the resource is created: unknown during every preview.
const later: pulumi.dynamic.ResourceProvider = {
  create() {
    return Promise.resolve({ id: "later", outs: { value: "db" } });
  },
};
class Later extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  constructor(name: string) {
    super(later, name, { value: undefined }, {});
  }
}
const app = new Later("app-label").value;

const ns = new k8s.core.v1.Namespace("shop", { metadata: { name: "shop" } }, { provider });
new k8s.networking.v1.NetworkPolicy(
  "default-deny",
  {
    metadata: { name: "default-deny", namespace: "shop" },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  },
  { provider, dependsOn: [ns] },
);
// Pod labels unknown: whether the budget below matches cannot be known at preview.
new k8s.apps.v1.StatefulSet(
  "db",
  {
    metadata: { name: "db", namespace: "shop" },
    spec: {
      replicas: 3,
      serviceName: "db",
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: "db", image: "registry.k8s.io/pause:3.10" }] },
      },
    },
  },
  { provider, dependsOn: [ns] },
);
new k8s.policy.v1.PodDisruptionBudget(
  "db",
  {
    metadata: { name: "db", namespace: "shop" },
    spec: { minAvailable: 2, selector: { matchLabels: { app: "db" } } },
  },
  { provider, dependsOn: [ns] },
);
