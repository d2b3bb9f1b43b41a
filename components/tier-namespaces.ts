// The four tier namespaces (lib/namespaces), each labelled with its tier and enforcing the
// restricted Pod Security Standard.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { tierNamespaces } from "../lib/namespaces";
import { DEFAULT_NAMESPACE_PREFIX, type Tier } from "../lib/topology";
import { args } from "./manifest";

export interface TierNamespacesArgs {
  /**
   * Namespace names are `<prefix>-<tier>`.
   * @default "kgents"
   */
  readonly prefix?: string;
}

export class TierNamespaces extends pulumi.ComponentResource {
  /** Namespace name per tier (resolves once the namespace exists). */
  public readonly names: Readonly<Record<Tier, pulumi.Output<string>>>;
  /** The Namespace resources, for dependsOn. */
  public readonly namespaces: readonly k8s.core.v1.Namespace[];

  constructor(name: string, a: TierNamespacesArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:TierNamespaces", name, {}, opts);
    const names = {} as Record<Tier, pulumi.Output<string>>;
    this.namespaces = tierNamespaces(a.prefix ?? DEFAULT_NAMESPACE_PREFIX).map(
      ({ tier, manifest }) => {
        const ns = new k8s.core.v1.Namespace(`${name}-${tier}`, args(manifest), { parent: this });
        names[tier] = ns.metadata.name;
        return ns;
      },
    );
    this.names = names;
    this.registerOutputs({ names: this.names });
  }
}
