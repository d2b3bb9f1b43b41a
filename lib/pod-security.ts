// Pod-level building blocks shared by the StatefulSets: the restricted Pod Security Standard,
// Guaranteed resources and the data claim template.
// https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted

export function restrictedPodSecurityContext(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function restrictedContainerSecurityContext() {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Resources with requests = limits (Guaranteed QoS: last to be evicted under node pressure). */
export function guaranteedResources(cpu: string, memory: string) {
  return { requests: { cpu, memory }, limits: { cpu, memory } };
}

/**
 * The `data` claim template of a StatefulSet. Immutable once deployed: a change is a replacement
 * of the StatefulSet (which `protectData` turns into an error instead of a surprise).
 */
export function dataClaimTemplate(
  storage: string,
  storageClass: string,
  labels: Record<string, string>,
) {
  return {
    metadata: { name: "data", labels },
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(storageClass ? { storageClassName: storageClass } : {}),
      resources: { requests: { storage } },
    },
  };
}
