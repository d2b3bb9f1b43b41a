// A compliant namespace and one Deployment that uses hostNetwork (no NetworkPolicy isolates its
// pods). With `pulumi up --skip-preview` the resource policy must stop the Deployment before
// the provider creates it; the namespace and its default-deny may be created.
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";

const provider = new k8s.Provider("local", {
  kubeconfig: process.env.KUBECONFIG ?? path.resolve(__dirname, "../../../.local/kubeconfig"),
});
const name = "skip-preview-shop";
const ns = new k8s.core.v1.Namespace(name, { metadata: { name } }, { provider });
const deny = new k8s.networking.v1.NetworkPolicy(
  "default-deny",
  {
    metadata: { name: "default-deny", namespace: name },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  },
  { provider, dependsOn: [ns] },
);
new k8s.apps.v1.Deployment(
  "agent",
  {
    metadata: { name: "agent", namespace: name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "agent" } },
      template: {
        metadata: { labels: { app: "agent" } },
        spec: {
          hostNetwork: true,
          containers: [{ name: "agent", image: "registry.k8s.io/pause:3.10" }],
        },
      },
    },
  },
  // Created last, so the run proves the namespace went through and only this was stopped.
  { provider, dependsOn: [deny] },
);
