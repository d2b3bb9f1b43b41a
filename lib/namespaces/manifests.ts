// The tier namespaces: one per tier, labelled with its tier and enforcing the restricted Pod
// Security Standard.
import type { V1Namespace } from "@kubernetes/client-node";
import { namespaceLabels, ownerLabels, TIERS, type Tier, tierNamespace } from "../topology";

/** One Namespace per tier, in tier order. */
export function tierNamespaces(prefix: string): { tier: Tier; manifest: V1Namespace }[] {
  return TIERS.map((tier) => ({
    tier,
    manifest: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: tierNamespace(prefix, tier), labels: namespaceLabels(tier, ownerLabels()) },
    },
  }));
}
