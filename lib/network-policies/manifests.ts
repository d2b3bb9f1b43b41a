// Renders the flow table into NetworkPolicy objects: default-deny in both directions for every
// managed namespace, then per flow an ingress policy at the server and an egress policy at each
// client. Nothing here decides what may pass; the flow table does. Pure: the component, the
// policy tests and the e2e connectivity checks all use this output.
import type {
  V1LabelSelector,
  V1NetworkPolicy,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicySpec,
} from "@kubernetes/client-node";
import type { Endpoint, Flow } from "../flows";
import {
  ANNOTATION,
  NAMESPACE_NAME_LABEL,
  ownerLabels,
  selectorLabels,
  TIERS,
  type Tier,
  tierNamespace,
  WORKLOADS,
} from "../topology";

export const DEFAULT_DENY = "default-deny";

/** app.kubernetes.io/component of every policy. */
export const NETWORK_POLICY_COMPONENT = "network-policy";

/**
 * client-node names the ingress rule's `from` field `_from` (a reserved word in its generator)
 * and renames it when it serializes; a plain manifest carries the API's own field name.
 */
export type NetworkPolicyIngressRule = Omit<V1NetworkPolicyIngressRule, "_from"> & {
  from?: V1NetworkPolicyPeer[];
};
export type NetworkPolicySpec = Omit<V1NetworkPolicySpec, "ingress"> & {
  ingress?: NetworkPolicyIngressRule[];
};
export type NetworkPolicy = Omit<V1NetworkPolicy, "spec"> & { spec: NetworkPolicySpec };

/** One NetworkPolicy and the tier whose namespace holds it. */
export interface TierNetworkPolicy {
  readonly tier: Tier;
  readonly manifest: NetworkPolicy;
}

function podSelectorOf(ep: Endpoint): V1LabelSelector {
  return ep.kind === "tier" && ep.workload
    ? { matchLabels: selectorLabels(WORKLOADS[ep.workload]) }
    : {};
}

/** The peer that selects an endpoint's pods, by the immutable namespace-name label. */
function peerOf(ep: Endpoint, prefix: string): V1NetworkPolicyPeer {
  switch (ep.kind) {
    case "tier": {
      const peer: V1NetworkPolicyPeer = {
        namespaceSelector: {
          matchLabels: { [NAMESPACE_NAME_LABEL]: tierNamespace(prefix, ep.tier) },
        },
      };
      if (ep.workload) peer.podSelector = podSelectorOf(ep);
      return peer;
    }
    case "external": {
      const peer: V1NetworkPolicyPeer = {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ep.namespace } },
      };
      if (ep.podLabels) peer.podSelector = { matchLabels: { ...ep.podLabels } };
      return peer;
    }
    case "all-managed":
      return {
        namespaceSelector: {
          matchExpressions: [
            {
              key: NAMESPACE_NAME_LABEL,
              operator: "In",
              values: TIERS.map((t) => tierNamespace(prefix, t)),
            },
          ],
        },
      };
  }
}

/** Tiers whose pods an endpoint covers (empty for unmanaged namespaces). */
function tiersOf(ep: Endpoint): readonly Tier[] {
  if (ep.kind === "tier") return [ep.tier];
  if (ep.kind === "all-managed") return TIERS;
  return [];
}

function policy(
  prefix: string,
  tier: Tier,
  name: string,
  flow: string | undefined,
  spec: NetworkPolicySpec,
): TierNetworkPolicy {
  return {
    tier,
    manifest: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: {
        name,
        namespace: tierNamespace(prefix, tier),
        labels: ownerLabels(NETWORK_POLICY_COMPONENT),
        annotations: flow ? { [ANNOTATION.flow]: flow } : {},
      },
      spec,
    },
  };
}

/** Every NetworkPolicy the flow table implies, in a stable order. */
export function networkPolicies(flows: readonly Flow[], prefix: string): TierNetworkPolicy[] {
  const out = TIERS.map((t) =>
    policy(prefix, t, DEFAULT_DENY, undefined, {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    }),
  );
  for (const flow of flows) {
    const ports = flow.ports.map((p) => ({ port: p.port, protocol: p.protocol }));
    // Server side: one ingress policy on the destination pods, listing every client as a peer.
    if (flow.to.kind === "tier") {
      out.push(
        policy(prefix, flow.to.tier, `allow-${flow.name}-ingress`, flow.name, {
          podSelector: podSelectorOf(flow.to),
          policyTypes: ["Ingress"],
          ingress: [{ from: flow.from.map((ep) => peerOf(ep, prefix)), ports }],
        }),
      );
    }
    // Client side: one egress policy per client namespace, on the client pods.
    const seen = new Set<string>();
    for (const ep of flow.from) {
      for (const t of tiersOf(ep)) {
        const base = `allow-${flow.name}-egress`;
        const name =
          seen.has(`${t}/${base}`) && ep.kind === "tier" && ep.workload
            ? `${base}-${ep.workload}`
            : base;
        seen.add(`${t}/${name}`);
        out.push(
          policy(prefix, t, name, flow.name, {
            podSelector: podSelectorOf(ep),
            policyTypes: ["Egress"],
            egress: [{ to: [peerOf(flow.to, prefix)], ports }],
          }),
        );
      }
    }
  }
  return out;
}
