// Re-exports every component of the platform tier.
export { NatsCluster, type NatsClusterArgs } from "./nats-cluster";
export { NetworkPolicies, type NetworkPoliciesArgs } from "./network-policies";
export { RandomSecret, type RandomSecretArgs } from "./random-secret";
export { RedisStore, type RedisStoreArgs } from "./redis-store";
export { TIER_LABEL, TierNamespaces, type TierNamespacesArgs } from "./tier-namespaces";
