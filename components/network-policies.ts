// NetworkPolicies for every managed namespace, rendered from the flow table (lib/flows.ts):
// default-deny both ways, then exactly the flows, each as ingress at the server and egress at
// the client. Nothing here decides what may pass; the flow table does.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Flow } from "../lib/flows";
import { MANAGED_BY, PART_OF } from "../lib/labels";
import { renderNetworkPolicies } from "../lib/network-policies";

export interface NetworkPoliciesArgs {
  /** Namespace prefix (namespaces are `<prefix>-<tier>`). */
  readonly prefix: string;
  /** The stack's flow table (see `flowTable`). */
  readonly flows: readonly Flow[];
}

export class NetworkPolicies extends pulumi.ComponentResource {
  /** `namespace/name` of every policy created. */
  public readonly policyNames: readonly string[];

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:NetworkPolicies", name, {}, opts);
    const manifests = renderNetworkPolicies(args.flows, args.prefix);
    for (const m of manifests) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${m.tier}-${m.name}`,
        {
          metadata: {
            name: m.name,
            namespace: m.namespace,
            labels: {
              "app.kubernetes.io/part-of": PART_OF,
              "app.kubernetes.io/managed-by": MANAGED_BY,
              "app.kubernetes.io/component": "network-policy",
            },
            annotations: m.flow ? { "kgents.io/flow": m.flow } : {},
          },
          spec: m.spec,
        },
        { parent: this },
      );
    }
    this.policyNames = manifests.map((m) => `${m.namespace}/${m.name}`);
    this.registerOutputs({ policyNames: this.policyNames });
  }
}
