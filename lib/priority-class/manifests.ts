// The data tier's PriorityClass: NATS and Redis pods hold quorum and idempotency state, so an
// ordinary workload must not preempt them. Cluster-scoped, so its name carries the namespace
// prefix (two stacks on one cluster own one each).
import type { V1PriorityClass } from "@kubernetes/client-node";
import { ownerLabels } from "../topology";

/**
 * Above the default (0) and any ordinary workload, far below the system classes
 * (system-cluster-critical is 2000000000), so the cluster's own pods still come first.
 */
export const DATA_PRIORITY_VALUE = 100_000;

export function dataPriorityClassName(prefix: string): string {
  return `${prefix}-data`;
}

export function dataPriorityClass(prefix: string): V1PriorityClass {
  return {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: dataPriorityClassName(prefix), labels: ownerLabels("scheduling") },
    value: DATA_PRIORITY_VALUE,
    globalDefault: false,
    preemptionPolicy: "PreemptLowerPriority",
    description: "kgents data tier (NATS JetStream, Redis): not preempted by ordinary workloads",
  };
}
