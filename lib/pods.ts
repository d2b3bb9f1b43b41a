// Pod-level building blocks shared by the workloads' manifests: the restricted Pod Security
// Standard, Guaranteed resources, spreading over nodes, and the data claim template.
// https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
import type {
  V1PersistentVolumeClaim,
  V1PodSecurityContext,
  V1ResourceRequirements,
  V1SecurityContext,
  V1TopologySpreadConstraint,
} from "@kubernetes/client-node";
import { HOSTNAME_TOPOLOGY_KEY } from "./topology";

/** `soft` spreads when it can (ScheduleAnyway); `hard` never co-locates (DoNotSchedule). */
export type SpreadPolicy = "soft" | "hard";

export function restrictedPodSecurityContext(uid: number): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function restrictedContainerSecurityContext(): V1SecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Resources with requests = limits (Guaranteed QoS: last to be evicted under node pressure). */
export function guaranteedResources(cpu: string, memory: string): V1ResourceRequirements {
  return { requests: { cpu, memory }, limits: { cpu, memory } };
}

/** One pod per node where possible (`soft`) or always (`hard`). */
export function spreadOverNodes(
  policy: SpreadPolicy,
  selector: Record<string, string>,
): V1TopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey: HOSTNAME_TOPOLOGY_KEY,
    whenUnsatisfiable: policy === "hard" ? "DoNotSchedule" : "ScheduleAnyway",
    labelSelector: { matchLabels: selector },
  };
}

/**
 * The `data` claim template of a StatefulSet. Immutable once deployed: a change is a replacement
 * of the StatefulSet (which `protectData` turns into an error instead of a surprise).
 */
export function dataClaimTemplate(
  storage: string,
  storageClass: string,
  labels: Record<string, string>,
): V1PersistentVolumeClaim {
  return {
    metadata: { name: "data", labels },
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(storageClass ? { storageClassName: storageClass } : {}),
      resources: { requests: { storage } },
    },
  };
}
