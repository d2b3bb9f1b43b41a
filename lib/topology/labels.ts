// The label contract: app.kubernetes.io common labels on every object, and ONE selector per
// workload that StatefulSets, PodDisruptionBudgets, Services and NetworkPolicies all use.
// Selectors are the stable subset (no version): an image bump never changes a selector, and
// StatefulSet selectors are immutable.
import type { Workload } from "./workloads";

export const PART_OF = "kgents";
export const MANAGED_BY = "pulumi";

export const LABEL = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
  version: "app.kubernetes.io/version",
} as const;

export const ANNOTATION = {
  /** Hash of a pod's non-secret config: a config change rolls the pods. */
  configHash: "kgents.io/config-hash",
  /** The flow a NetworkPolicy implements. */
  flow: "kgents.io/flow",
  prometheusScrape: "prometheus.io/scrape",
  prometheusPort: "prometheus.io/port",
} as const;

/** Node label the scheduler spreads replicas over. */
export const HOSTNAME_TOPOLOGY_KEY = "kubernetes.io/hostname";

/** Labels that select a workload's pods: the one contract for every selector. */
export function selectorLabels(w: Workload): Record<string, string> {
  return { [LABEL.name]: w.name, [LABEL.instance]: w.name };
}

/** Labels of objects the program owns that belong to no workload (namespaces, policies). */
export function ownerLabels(component?: string): Record<string, string> {
  return {
    [LABEL.partOf]: PART_OF,
    [LABEL.managedBy]: MANAGED_BY,
    ...(component === undefined ? {} : { [LABEL.component]: component }),
  };
}

/** Labels carried by every object of a workload. */
export function commonLabels(w: Workload, version: string): Record<string, string> {
  return {
    ...selectorLabels(w),
    [LABEL.component]: w.component,
    [LABEL.partOf]: PART_OF,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.version]: version,
  };
}
