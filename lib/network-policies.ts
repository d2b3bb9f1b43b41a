// Renders the flow table into NetworkPolicy manifests: default-deny in both directions for every
// managed namespace, then per flow an ingress rule at the server and an egress rule at each client.
// Pure: the component, the policy pack's tests and the connectivity report all use this output.
import {
  type Endpoint,
  type Flow,
  NAMESPACE_NAME_LABEL,
  TIERS,
  type Tier,
  tierNamespace,
  workloadPodLabels,
} from "./flows";

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists"; values?: string[] }[];
}
export interface NetworkPolicyPeer {
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
}
export interface NetworkPolicyPort {
  port: number;
  protocol: "TCP" | "UDP";
}
export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes: ("Ingress" | "Egress")[];
  ingress?: { from: NetworkPolicyPeer[]; ports: NetworkPolicyPort[] }[];
  egress?: { to: NetworkPolicyPeer[]; ports: NetworkPolicyPort[] }[];
}
export interface NetworkPolicyManifest {
  /** metadata.name */
  readonly name: string;
  readonly namespace: string;
  /** The tier that owns the namespace. */
  readonly tier: Tier;
  /** The flow this policy implements; undefined for default-deny. */
  readonly flow?: string;
  readonly spec: NetworkPolicySpec;
}

export const DEFAULT_DENY = "default-deny";

function podSelectorOf(ep: Endpoint): LabelSelector {
  return ep.kind === "tier" && ep.workload ? { matchLabels: workloadPodLabels(ep.workload) } : {};
}

/** The peer that selects an endpoint's pods, by the immutable namespace-name label. */
function peerOf(ep: Endpoint, prefix: string): NetworkPolicyPeer {
  switch (ep.kind) {
    case "tier": {
      const peer: NetworkPolicyPeer = {
        namespaceSelector: {
          matchLabels: { [NAMESPACE_NAME_LABEL]: tierNamespace(prefix, ep.tier) },
        },
      };
      if (ep.workload) peer.podSelector = { matchLabels: workloadPodLabels(ep.workload) };
      return peer;
    }
    case "external": {
      const peer: NetworkPolicyPeer = {
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
function tiersOf(ep: Endpoint): Tier[] {
  if (ep.kind === "tier") return [ep.tier];
  if (ep.kind === "all-managed") return [...TIERS];
  return [];
}

/** Every NetworkPolicy the flow table implies, in a stable order. */
export function renderNetworkPolicies(
  flows: readonly Flow[],
  prefix: string,
): NetworkPolicyManifest[] {
  const out: NetworkPolicyManifest[] = TIERS.map((t) => ({
    name: DEFAULT_DENY,
    namespace: tierNamespace(prefix, t),
    tier: t,
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  }));
  for (const flow of flows) {
    const ports = flow.ports.map((p) => ({ port: p.port, protocol: p.protocol }));
    // Server side: one ingress policy on the destination pods, listing every client as a peer.
    if (flow.to.kind === "tier") {
      out.push({
        name: `allow-${flow.name}-ingress`,
        namespace: tierNamespace(prefix, flow.to.tier),
        tier: flow.to.tier,
        flow: flow.name,
        spec: {
          podSelector: podSelectorOf(flow.to),
          policyTypes: ["Ingress"],
          ingress: [{ from: flow.from.map((ep) => peerOf(ep, prefix)), ports }],
        },
      });
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
        out.push({
          name,
          namespace: tierNamespace(prefix, t),
          tier: t,
          flow: flow.name,
          spec: {
            podSelector: ep.kind === "tier" ? podSelectorOf(ep) : {},
            policyTypes: ["Egress"],
            egress: [{ to: [peerOf(flow.to, prefix)], ports }],
          },
        });
      }
    }
  }
  return out;
}
