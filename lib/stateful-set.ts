// The StatefulSet shape every data workload shares: one label contract (selector, pod labels,
// spread and claim labels from lib/topology), restricted pod security, no service-account token
// or service links, the data tier's PriorityClass, and a `data` claim template.
import type { V1Container, V1StatefulSet, V1Volume } from "@kubernetes/client-node";
import {
  dataClaimTemplate,
  restrictedPodSecurityContext,
  spreadOverNodes,
  type SpreadPolicy,
} from "./pods";
import { commonLabels, selectorLabels, type Workload } from "./topology";

export interface DataStatefulSetSpec {
  readonly workload: Workload;
  /** app.kubernetes.io/version of its objects. */
  readonly version: string;
  readonly namespace: string;
  readonly replicas: number;
  /** The headless Service that gives each pod its DNS name. */
  readonly serviceName: string;
  readonly podManagementPolicy?: "Parallel" | "OrderedReady";
  readonly annotations: Readonly<Record<string, string>>;
  readonly terminationGracePeriodSeconds: number;
  /** UID (and GID, fsGroup) the containers run as. */
  readonly uid: number;
  /** Spread over nodes; omitted for single-replica workloads. */
  readonly spreadPolicy?: SpreadPolicy;
  readonly priorityClassName: string;
  readonly containers: V1Container[];
  readonly volumes: V1Volume[];
  readonly storage: string;
  readonly storageClass: string;
}

export function dataStatefulSet(s: DataStatefulSetSpec): V1StatefulSet {
  const labels = commonLabels(s.workload, s.version);
  const selector = selectorLabels(s.workload);
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: s.workload.name, namespace: s.namespace, labels },
    spec: {
      replicas: s.replicas,
      serviceName: s.serviceName,
      ...(s.podManagementPolicy ? { podManagementPolicy: s.podManagementPolicy } : {}),
      selector: { matchLabels: selector },
      template: {
        metadata: { labels, annotations: { ...s.annotations } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
          priorityClassName: s.priorityClassName,
          securityContext: restrictedPodSecurityContext(s.uid),
          ...(s.spreadPolicy
            ? { topologySpreadConstraints: [spreadOverNodes(s.spreadPolicy, selector)] }
            : {}),
          containers: s.containers,
          volumes: s.volumes,
        },
      },
      volumeClaimTemplates: [dataClaimTemplate(s.storage, s.storageClass, selector)],
    },
  };
}
