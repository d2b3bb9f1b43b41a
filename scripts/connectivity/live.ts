// The objects the analysis needs, read from a running cluster with @kubernetes/client-node:
// every Namespace (their labels decide namespace selectors), every NetworkPolicy, and the
// workloads of the tier's namespaces. What a hand edit after the deploy changed shows up here.
import * as k8s from "@kubernetes/client-node";
import type { KubeObject } from "../../lib/connectivity/objects";

export interface LiveTarget {
  /** kubeconfig file; empty = KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig: string;
  /** context; empty = current. */
  readonly context: string;
}

/**
 * Client objects to plain manifests. The generated models rename one field we read
 * (`NetworkPolicyIngressRule.from` is `_from`); everything else keeps its wire name.
 */
function plain(o: object, apiVersion: string, kind: string): KubeObject {
  const json = JSON.parse(JSON.stringify(o), (key, value: unknown) => {
    if (value && typeof value === "object" && !Array.isArray(value) && "_from" in value) {
      const { _from, ...rest } = value as Record<string, unknown>;
      return { ...rest, from: _from };
    }
    return key === "managedFields" ? undefined : value;
  }) as Record<string, unknown>;
  return { ...json, apiVersion, kind } as unknown as KubeObject;
}

export async function liveObjects(
  target: LiveTarget,
  workloadNamespaces: readonly string[],
): Promise<KubeObject[]> {
  const kc = new k8s.KubeConfig();
  if (target.kubeconfig) kc.loadFromFile(target.kubeconfig);
  else kc.loadFromDefault();
  if (target.context) kc.setCurrentContext(target.context);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const out: KubeObject[] = [];
  for (const ns of (await core.listNamespace()).items) out.push(plain(ns, "v1", "Namespace"));
  const existing = new Set(out.map((o) => o.metadata.name));
  for (const np of (await net.listNetworkPolicyForAllNamespaces()).items) {
    out.push(plain(np, "networking.k8s.io/v1", "NetworkPolicy"));
  }
  for (const namespace of workloadNamespaces) {
    if (!existing.has(namespace)) continue;
    for (const s of (await apps.listNamespacedStatefulSet({ namespace })).items) {
      out.push(plain(s, "apps/v1", "StatefulSet"));
    }
    for (const d of (await apps.listNamespacedDeployment({ namespace })).items) {
      out.push(plain(d, "apps/v1", "Deployment"));
    }
    for (const d of (await apps.listNamespacedDaemonSet({ namespace })).items) {
      out.push(plain(d, "apps/v1", "DaemonSet"));
    }
  }
  return out;
}
