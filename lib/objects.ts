// Constructors for the plain Kubernetes objects the builders return: apiVersion and kind written
// once, the rest as the caller gives it.
import type {
  V1ConfigMap,
  V1ObjectMeta,
  V1PodDisruptionBudget,
  V1PodDisruptionBudgetSpec,
  V1Secret,
  V1Service,
  V1ServiceSpec,
} from "@kubernetes/client-node";

export function configMap(metadata: V1ObjectMeta, data: Record<string, string>): V1ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata, data };
}

/** A Secret without data: its values are secrets the component fills in (never a builder). */
export function secretShell(metadata: V1ObjectMeta): V1Secret {
  return { apiVersion: "v1", kind: "Secret", metadata, type: "Opaque" };
}

export function service(metadata: V1ObjectMeta, spec: V1ServiceSpec): V1Service {
  return { apiVersion: "v1", kind: "Service", metadata, spec };
}

export function podDisruptionBudget(
  metadata: V1ObjectMeta,
  spec: V1PodDisruptionBudgetSpec,
): V1PodDisruptionBudget {
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata, spec };
}
