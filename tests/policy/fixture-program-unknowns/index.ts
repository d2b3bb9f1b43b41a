// Stand-ins for Kubernetes objects whose properties are partly unknown during preview. CrossGuard
// sees a component's registered outputs as its properties and its type token as its type, so the
// pack judges these exactly as it would judge the real objects, and no cluster is needed.
import * as pulumi from "@pulumi/pulumi";

class Stand extends pulumi.ComponentResource {
  constructor(type: string, name: string, props: Record<string, pulumi.Input<unknown>>) {
    super(type, name, {}, {});
    this.registerOutputs(props);
  }
}

// Its `value` output is unknown until the resource is created: unknown during every preview.
const provider: pulumi.dynamic.ResourceProvider = {
  create() {
    return Promise.resolve({ id: "later", outs: { value: "db" } });
  },
};
class Later extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  constructor(name: string) {
    super(provider, name, { value: undefined }, {});
  }
}
const app = new Later("app-label").value;

new Stand("kubernetes:core/v1:Namespace", "shop", { metadata: { name: "shop" } });
new Stand("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny", {
  metadata: { name: "default-deny", namespace: "shop" },
  spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
});
// Pod labels unknown: whether the budget below matches cannot be known at preview.
new Stand("kubernetes:apps/v1:StatefulSet", "db", {
  metadata: { name: "db", namespace: "shop" },
  spec: { replicas: 3, template: { metadata: { labels: { app } } } },
});
new Stand("kubernetes:policy/v1:PodDisruptionBudget", "db", {
  metadata: { name: "db", namespace: "shop" },
  spec: { minAvailable: 2, selector: { matchLabels: { app: "db" } } },
});
