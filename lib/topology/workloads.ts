// The workloads of the tier: who they are (name, tier, component), what they listen on, and the
// cluster services they depend on. Adding a workload starts with one entry here; its manifests
// live in lib/<name>/ and its component in components/.
import { TIER, type Tier } from "./tiers";

export interface Workload {
  /** app.kubernetes.io/name and the name of its Kubernetes objects. */
  readonly name: string;
  /** The tier (namespace) it runs in. */
  readonly tier: Tier;
  /** app.kubernetes.io/component. */
  readonly component: string;
  /** Named container ports. Ports set by stack config are not listed here. */
  readonly ports: Readonly<Record<string, number>>;
}

export const WORKLOADS = {
  nats: {
    name: "nats",
    tier: TIER.agents,
    component: "messaging",
    ports: { client: 4222, cluster: 6222, monitor: 8222, exporter: 7777 },
  },
  redis: {
    name: "redis",
    tier: TIER.triad,
    component: "idempotency-store",
    ports: { redis: 6379 },
  },
  // The public gateway (a Deployment serving /health/saas); its public port is the stack's
  // gatewayPort, its Prometheus metrics listen on their own port so only scrapers are let in.
  gateway: { name: "gateway", tier: TIER.gateway, component: "gateway", ports: { metrics: 9464 } },
} as const satisfies Record<string, Workload>;

export type WorkloadName = keyof typeof WORKLOADS;
export const WORKLOAD_NAMES = Object.keys(WORKLOADS) as WorkloadName[];

export const NATS = WORKLOADS.nats;
export const REDIS = WORKLOADS.redis;
export const GATEWAY = WORKLOADS.gateway;

/** Cluster DNS: every managed pod resolves names through it. */
export const KUBE_DNS = {
  namespace: "kube-system",
  podLabels: { "k8s-app": "kube-dns" },
  port: 53,
} as const;

/** Cluster DNS domain when the stack sets none. */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

/** In-cluster DNS name of a Service. */
export function serviceHost(service: string, namespace: string, clusterDomain: string): string {
  return `${service}.${namespace}.svc.${clusterDomain}`;
}
