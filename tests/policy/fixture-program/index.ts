// Non-compliant on purpose: `open-shop` has no default-deny NetworkPolicy, and the `db`
// StatefulSet (3 replicas) has no PodDisruptionBudget. Everything else is ordinary, so the
// pack's two mandatory policies are the only ones that may fire.
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";

// The repository's local cluster (scripts/cluster.sh), unless KUBECONFIG says otherwise. A
// preview does not need the cluster to be up.
const provider = new k8s.Provider("local", {
  kubeconfig: process.env.KUBECONFIG ?? path.resolve(__dirname, "../../../.local/kubeconfig"),
});

const ns = new k8s.core.v1.Namespace(
  "open-shop",
  { metadata: { name: "open-shop" } },
  { provider },
);

const labels = { "app.kubernetes.io/name": "db", "app.kubernetes.io/instance": "db" };
new k8s.apps.v1.StatefulSet(
  "db",
  {
    metadata: { name: "db", namespace: ns.metadata.name },
    spec: {
      replicas: 3,
      serviceName: "db",
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "db", image: "postgres:16" }] },
      },
    },
  },
  { provider },
);
