// The shared data StatefulSet shape (lib/stateful-set.ts) and its pod building blocks
// (lib/pods.ts): one selector everywhere, restricted pod security, no token, the PriorityClass,
// optional spread and the data claim.
import { describe, expect, it } from "vitest";
import { type DataStatefulSetSpec, dataStatefulSet } from "../../../lib/stateful-set";
import { guaranteedResources, restrictedContainerSecurityContext } from "../../../lib/pods";
import { WORKLOADS } from "../../../lib/topology";

const SPEC: DataStatefulSetSpec = {
  workload: WORKLOADS.redis,
  version: "1.0.0",
  namespace: "ns",
  replicas: 2,
  serviceName: "svc",
  annotations: { a: "b" },
  terminationGracePeriodSeconds: 30,
  uid: 1234,
  priorityClassName: "prio",
  containers: [{ name: "c" }],
  volumes: [],
  storage: "1Gi",
  storageClass: "",
};

describe("data StatefulSet", () => {
  it("selects, labels and claims with the workload's one selector", () => {
    const sts = dataStatefulSet(SPEC);
    const sel = { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "redis" };
    expect(sts.spec?.selector).toEqual({ matchLabels: sel });
    expect(sts.spec?.template.metadata?.labels).toMatchObject({
      ...sel,
      "app.kubernetes.io/version": "1.0.0",
    });
    expect(sts.spec?.volumeClaimTemplates?.[0]?.metadata).toEqual({ name: "data", labels: sel });
    expect(sts.metadata).toMatchObject({ name: "redis", namespace: "ns" });
  });

  it("runs pods restricted, without a service-account token, with the PriorityClass", () => {
    const pod = dataStatefulSet(SPEC).spec?.template.spec;
    expect(pod).toMatchObject({
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      priorityClassName: "prio",
      securityContext: { runAsNonRoot: true, runAsUser: 1234, runAsGroup: 1234, fsGroup: 1234 },
    });
    expect(pod?.securityContext?.seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(restrictedContainerSecurityContext()).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(guaranteedResources("1", "2Gi")).toEqual({
      requests: { cpu: "1", memory: "2Gi" },
      limits: { cpu: "1", memory: "2Gi" },
    });
  });

  it("spreads over nodes and sets a pod management policy only when asked", () => {
    expect(dataStatefulSet(SPEC).spec?.template.spec?.topologySpreadConstraints).toBeUndefined();
    expect(dataStatefulSet(SPEC).spec?.podManagementPolicy).toBeUndefined();
    const spread = dataStatefulSet({
      ...SPEC,
      spreadPolicy: "hard",
      podManagementPolicy: "Parallel",
    });
    expect(spread.spec?.podManagementPolicy).toBe("Parallel");
    expect(spread.spec?.template.spec?.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: spread.spec?.selector?.matchLabels },
      },
    ]);
  });
});
