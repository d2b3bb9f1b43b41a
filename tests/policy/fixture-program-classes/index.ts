// Issue-11 classes, one case each, judged by the policy pack through the real CLI. Every
// namespace but the case's own flaw is compliant (default-deny both ways), so each case yields
// exactly the violations tests/e2e/policy-cli.test.ts expects. Preview only.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const kubeconfig = process.env.KUBECONFIG ?? path.resolve(__dirname, "../../../.local/kubeconfig");
const provider = new k8s.Provider("local", { kubeconfig });
const opts = { provider };

/** A compliant namespace: default-deny in both directions. */
function namespace(name: string): k8s.core.v1.Namespace {
  const ns = new k8s.core.v1.Namespace(name, { metadata: { name } }, opts);
  new k8s.networking.v1.NetworkPolicy(
    `${name}-default-deny`,
    {
      metadata: { name: "default-deny", namespace: name },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    { ...opts, dependsOn: [ns] },
  );
  return ns;
}

const container = { name: "app", image: "registry.k8s.io/pause:3.10" };

// 1. everyone: a peer that selects every namespace but one, by a NotIn on the immutable name.
namespace("c1-everyone");
new k8s.networking.v1.NetworkPolicy(
  "c1-not-system",
  {
    metadata: { name: "allow-not-system", namespace: "c1-everyone" },
    spec: {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchExpressions: [
                  {
                    key: "kubernetes.io/metadata.name",
                    operator: "NotIn",
                    values: ["kube-system"],
                  },
                ],
              },
            },
          ],
        },
      ],
    },
  },
  opts,
);

// 2. undeclared-namespace: a workload in `default`, which the stack does not declare.
new k8s.apps.v1.Deployment(
  "c2-in-default",
  {
    metadata: { name: "c2-in-default", namespace: "default" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "c2" } },
      template: { metadata: { labels: { app: "c2" } }, spec: { containers: [container] } },
    },
  },
  opts,
);

// 3. budgets: a StatefulSet whose budget keeps no pod (minAvailable 0).
namespace("c3-budgets");
const c3 = { app: "c3-db" };
new k8s.apps.v1.StatefulSet(
  "c3-db",
  {
    metadata: { name: "db", namespace: "c3-budgets" },
    spec: {
      replicas: 3,
      serviceName: "db",
      selector: { matchLabels: c3 },
      template: { metadata: { labels: c3 }, spec: { containers: [container] } },
    },
  },
  opts,
);
new k8s.policy.v1.PodDisruptionBudget(
  "c3-db",
  {
    metadata: { name: "db", namespace: "c3-budgets" },
    spec: { minAvailable: 0, selector: { matchLabels: c3 } },
  },
  opts,
);

// 4. unreadable: a NetworkPolicyPatch re-opening the namespace's own default-deny, a yaml/v2
// child that re-opens ingress (children are read), and a component posing as a NetworkPolicy.
const c4 = namespace("c4-unreadable");
new k8s.networking.v1.NetworkPolicyPatch(
  "c4-reopen",
  {
    metadata: { name: "default-deny", namespace: "c4-unreadable" },
    spec: { ingress: [{}] },
  },
  { ...opts, dependsOn: [c4] },
);
new k8s.yaml.v2.ConfigGroup(
  "c4-yaml",
  {
    yaml: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: yaml-open
  namespace: c4-unreadable
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{}]
`,
  },
  { ...opts, dependsOn: [c4] },
);
class Impostor extends pulumi.ComponentResource {
  constructor(name: string) {
    super("kubernetes:networking.k8s.io/v1:NetworkPolicy", name, {}, {});
    this.registerOutputs({
      metadata: { name: "fake-deny", namespace: "c4-unreadable" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
  }
}
new Impostor("c4-fake-deny");

// 5. other-cluster: the namespace's default-deny goes through a provider for another cluster
// (the pack compares providers by kubeconfig, context and cluster; a copy of the kubeconfig at
// another path stands for a second cluster here).
const otherKubeconfig = path.join(os.tmpdir(), "kgents-policy-classes-other-kubeconfig");
if (fs.existsSync(kubeconfig)) fs.copyFileSync(kubeconfig, otherKubeconfig);
const other = new k8s.Provider("other-cluster", { kubeconfig: otherKubeconfig });
const c5 = new k8s.core.v1.Namespace(
  "c5-other-cluster",
  { metadata: { name: "c5-other-cluster" } },
  opts,
);
new k8s.networking.v1.NetworkPolicy(
  "c5-default-deny",
  {
    metadata: { name: "default-deny", namespace: "c5-other-cluster" },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  },
  { provider: other, dependsOn: [c5] },
);

// 6. host-network: a pod that no NetworkPolicy isolates.
namespace("c6-host-network");
new k8s.apps.v1.Deployment(
  "c6-agent",
  {
    metadata: { name: "agent", namespace: "c6-host-network" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "c6" } },
      template: {
        metadata: { labels: { app: "c6" } },
        spec: { hostNetwork: true, containers: [container] },
      },
    },
  },
  opts,
);

// 7. dns: DNS egress to a resolver outside the cluster.
namespace("c7-dns");
new k8s.networking.v1.NetworkPolicy(
  "c7-dns-google",
  {
    metadata: { name: "dns-google", namespace: "c7-dns" },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        { to: [{ ipBlock: { cidr: "8.8.8.8/32" } }], ports: [{ port: 53, protocol: "UDP" }] },
      ],
    },
  },
  opts,
);

// 8. split-default-deny (must pass): two policies whose selectors together cover every pod.
const c8 = new k8s.core.v1.Namespace("c8-split", { metadata: { name: "c8-split" } }, opts);
for (const [name, operator] of [
  ["deny-labelled", "Exists"],
  ["deny-unlabelled", "DoesNotExist"],
] as const) {
  new k8s.networking.v1.NetworkPolicy(
    `c8-${name}`,
    {
      metadata: { name, namespace: "c8-split" },
      spec: {
        podSelector: { matchExpressions: [{ key: "app", operator }] },
        policyTypes: ["Ingress", "Egress"],
      },
    },
    { ...opts, dependsOn: [c8] },
  );
}

// 9. unknown-namespace-name: a namespace whose name is known only after apply (a dynamic
// resource's output) and its default-deny computed from it. Fails closed by default; passes with
// unknownNamespaceNames: match-dependencies.
const later: pulumi.dynamic.ResourceProvider = {
  create() {
    return Promise.resolve({ id: "later", outs: { value: "c9-later" } });
  },
};
class Later extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  constructor(name: string) {
    super(later, name, { value: undefined }, {});
  }
}
const c9 = new k8s.core.v1.Namespace(
  "c9-later",
  { metadata: { name: new Later("c9-name").value } },
  opts,
);
new k8s.networking.v1.NetworkPolicy(
  "c9-default-deny",
  {
    metadata: { name: "default-deny", namespace: c9.metadata.name },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  },
  opts,
);
