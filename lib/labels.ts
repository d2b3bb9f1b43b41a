// app.kubernetes.io common labels. Selectors use the stable subset (no version), so an image
// bump never changes a selector (selectors of StatefulSets are immutable).

export const PART_OF = "kgents";
export const MANAGED_BY = "pulumi";

export interface WorkloadIdentity {
  /** app.kubernetes.io/name, e.g. `nats`. */
  readonly name: string;
  /** app.kubernetes.io/instance, the component's Pulumi name. */
  readonly instance: string;
  /** app.kubernetes.io/component, e.g. `messaging`. */
  readonly component: string;
}

/** Labels that select a workload's pods: stable for the workload's lifetime. */
export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    "app.kubernetes.io/name": id.name,
    "app.kubernetes.io/instance": id.instance,
  };
}

/** Labels carried by every object of a workload. */
export function commonLabels(id: WorkloadIdentity, version: string): Record<string, string> {
  return {
    ...selectorLabels(id),
    "app.kubernetes.io/component": id.component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": MANAGED_BY,
    "app.kubernetes.io/version": version,
  };
}
