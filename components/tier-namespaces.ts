// The four tier namespaces, each labelled with its tier and enforcing the restricted Pod
// Security Standard.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TIERS, type Tier, tierNamespace } from "../lib/flows";
import { MANAGED_BY, PART_OF } from "../lib/labels";

export interface TierNamespacesArgs {
  /**
   * Namespace names are `<prefix>-<tier>`.
   * @default "kgents"
   */
  readonly prefix?: string;
}

/** Label that names a namespace's tier, for people and tools (policies select on the name). */
export const TIER_LABEL = "kgents.io/tier";

export class TierNamespaces extends pulumi.ComponentResource {
  /** Namespace name per tier (resolves once the namespace exists). */
  public readonly names: Readonly<Record<Tier, pulumi.Output<string>>>;
  /** The Namespace resources, for dependsOn. */
  public readonly namespaces: readonly k8s.core.v1.Namespace[];

  constructor(name: string, args: TierNamespacesArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:TierNamespaces", name, {}, opts);
    const prefix = args.prefix ?? "kgents";
    const names = {} as Record<Tier, pulumi.Output<string>>;
    this.namespaces = TIERS.map((tier) => {
      const ns = new k8s.core.v1.Namespace(
        `${name}-${tier}`,
        {
          metadata: {
            name: tierNamespace(prefix, tier),
            labels: {
              [TIER_LABEL]: tier,
              "app.kubernetes.io/part-of": PART_OF,
              "app.kubernetes.io/managed-by": MANAGED_BY,
              "pod-security.kubernetes.io/enforce": "restricted",
              "pod-security.kubernetes.io/enforce-version": "latest",
              "pod-security.kubernetes.io/audit": "restricted",
              "pod-security.kubernetes.io/warn": "restricted",
            },
          },
        },
        { parent: this },
      );
      names[tier] = ns.metadata.name;
      return ns;
    });
    this.names = names;
    this.registerOutputs({ names: this.names });
  }
}
