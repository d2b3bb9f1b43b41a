// The tiers of the platform and their namespaces: the names every other module reads from here.
// Pure data, no Pulumi imports (the policy pack reads this folder too).

/** Each tier is one namespace, `<prefix>-<tier>`. */
export const TIER = {
  agents: "agents",
  triad: "triad",
  gateway: "gateway",
  observability: "observability",
} as const;
export type Tier = (typeof TIER)[keyof typeof TIER];
export const TIERS: readonly Tier[] = Object.values(TIER);

/** Namespace prefix when the stack sets none. */
export const DEFAULT_NAMESPACE_PREFIX = "kgents";

/** Namespace name of a tier. */
export function tierNamespace(prefix: string, tier: Tier): string {
  return `${prefix}-${tier}`;
}

/** Longest tier name: bounds the namespace prefix (namespace names are DNS-1123 labels). */
export const LONGEST_TIER_SUFFIX = Math.max(...TIERS.map((t) => tierNamespace("", t).length));

/** Label naming a namespace's tier, for people and tools (policies select on the name). */
export const TIER_LABEL = "kgents.io/tier";

/** The immutable namespace-name label: a tenant cannot forge it by patching a namespace. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The Pod Security Standard every managed namespace enforces, audits and warns on. */
export const POD_SECURITY_LEVEL = "restricted";

/** Labels of a tier's namespace: tier, ownership, and the restricted Pod Security Standard. */
export function namespaceLabels(tier: Tier, owner: Readonly<Record<string, string>>) {
  return {
    [TIER_LABEL]: tier,
    ...owner,
    "pod-security.kubernetes.io/enforce": POD_SECURITY_LEVEL,
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": POD_SECURITY_LEVEL,
    "pod-security.kubernetes.io/warn": POD_SECURITY_LEVEL,
  };
}
