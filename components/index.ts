// Re-exports every component of the platform tier.
export { DataPriority, type DataPriorityArgs } from "./data-priority";
export { Gateway, type GatewayArgs } from "./gateway";
export { NatsCluster, type NatsClusterArgs } from "./nats-cluster";
export { NetworkPolicies, type NetworkPoliciesArgs } from "./network-policies";
export { RandomSecret, type RandomSecretArgs } from "./random-secret";
export { RedisStore, type RedisStoreArgs } from "./redis-store";
export { TierNamespaces, type TierNamespacesArgs } from "./tier-namespaces";
