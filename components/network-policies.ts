// NetworkPolicies for every managed namespace, rendered from the flow table by
// lib/network-policies: default-deny both ways, then exactly the flows. Nothing here decides
// what may pass; the flow table does.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Flow } from "../lib/flows";
import { networkPolicies } from "../lib/network-policies";
import { args } from "./manifest";

export interface NetworkPoliciesArgs {
  /** Namespace prefix (namespaces are `<prefix>-<tier>`). */
  readonly prefix: string;
  /** The stack's flow table (see `flowTable`). */
  readonly flows: readonly Flow[];
}

export class NetworkPolicies extends pulumi.ComponentResource {
  /** `namespace/name` of every policy created. */
  public readonly policyNames: readonly string[];

  constructor(name: string, a: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:NetworkPolicies", name, {}, opts);
    const policies = networkPolicies(a.flows, a.prefix);
    for (const { tier, manifest } of policies) {
      const n = `${name}-${tier}-${manifest.metadata?.name ?? ""}`;
      new k8s.networking.v1.NetworkPolicy(n, args(manifest), { parent: this });
    }
    this.policyNames = policies.map(
      ({ manifest: m }) => `${m.metadata?.namespace ?? ""}/${m.metadata?.name ?? ""}`,
    );
    this.registerOutputs({ policyNames: this.policyNames });
  }
}
