// The restricted Pod Security Standard, once: every pod and container of the program uses these.
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
