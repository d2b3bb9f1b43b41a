// The public gateway (gateway/, serving /health/saas) as Kubernetes objects: a Deployment of
// restricted, Guaranteed pods spread over nodes, probed on /livez and /readyz (which never look
// at NATS or Redis), its Service and a PodDisruptionBudget that lets a drain take one pod at a
// time. Pure: the credentials' values are the component's business (see gatewayCredentialsData);
// the pods read them from a Secret of their own namespace (secretKeyRef cannot cross namespaces).
import type {
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1PodDisruptionBudget,
  V1Probe,
  V1Secret,
  V1Service,
} from "@kubernetes/client-node";
import { NATS_NAMES } from "../nats/manifests";
import { podDisruptionBudget, secretShell, service } from "../objects";
import {
  guaranteedResources,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  spreadOverNodes,
  type SpreadPolicy,
} from "../pods";
import { fractionMiB } from "../quantity";
import { REDIS_NAMES } from "../redis/manifests";
import {
  ANNOTATION,
  commonLabels,
  DEFAULT_CLUSTER_DOMAIN,
  GATEWAY,
  NATS,
  REDIS,
  selectorLabels,
  serviceHost,
  TIER,
} from "../topology";

/** Everything the gateway manifests depend on; defaults are applied by the component. */
export interface GatewaySpec {
  readonly namespace: string;
  /** Image reference with a tag or digest. */
  readonly image: string;
  readonly replicas: number;
  readonly cpu: string;
  readonly memory: string;
  /** Public port (the stack's gatewayPort). */
  readonly port: number;
  readonly spreadPolicy: SpreadPolicy;
  /** Namespaces of NATS and Redis, whose client Services the gateway connects to. */
  readonly natsNamespace: string;
  readonly redisNamespace: string;
  readonly clusterDomain: string;
}

/** Defaults of every optional setting (the component's args document them). */
export const GATEWAY_DEFAULTS = {
  replicas: 2,
  cpu: "250m",
  memory: "256Mi",
  spreadPolicy: "soft",
  clusterDomain: DEFAULT_CLUSTER_DOMAIN,
} as const satisfies Partial<GatewaySpec>;

/** Names of the gateway objects. */
export const GATEWAY_NAMES = {
  deployment: GATEWAY.name,
  service: GATEWAY.name,
  credentials: `${GATEWAY.name}-credentials`,
  pdb: GATEWAY.name,
} as const;

/** The NATS client user of the gateway tier (one of lib/nats's NATS_CLIENT_USERS). */
export const GATEWAY_NATS_USER = TIER.gateway;

/** Keys of the gateway's credentials Secret. */
export const GATEWAY_SECRET_KEYS = { nats: "nats-password", redis: "redis-password" } as const;

/** The path the health check answers on; the stack exports its in-cluster URL. */
export const HEALTH_PATH = "/health/saas";

/** UID of the `node` user the image runs as (gateway/Dockerfile). */
export const GATEWAY_UID = 1000;

/**
 * SIGTERM drain (gateway/README.md): readiness 503 for the delay while endpoints are withdrawn,
 * then in-flight requests get the timeout; the grace period covers both plus closing the clients.
 */
export const GATEWAY_SHUTDOWN = { delayMs: 5_000, timeoutMs: 10_000 } as const;
export const GATEWAY_TERMINATION_GRACE_SECONDS = 30;

/** V8's old-space cap as a fraction of the memory limit: the heap hits its cap before the OOM kill. */
export const GATEWAY_HEAP_FRACTION = 0.75;

/** app.kubernetes.io/version: the image tag, or the head of its digest. */
export function gatewayVersion(image: string): string {
  const digest = /@sha256:([a-f0-9]{12})/.exec(image);
  if (digest) return digest[1] as string;
  const tag = /:([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(image.slice(image.lastIndexOf("/") + 1));
  const v = (tag?.[1] ?? "unknown").slice(0, 63).replace(/[^A-Za-z0-9]+$/, "");
  return /^[A-Za-z0-9]/.test(v) ? v : "unknown";
}

const meta = (name: string, s: GatewaySpec) => ({
  name,
  namespace: s.namespace,
  labels: commonLabels(GATEWAY, gatewayVersion(s.image)),
});

/** The URLs the gateway's health check connects to: the client Services of NATS and Redis. */
export function gatewayDependencyUrls(s: GatewaySpec): { nats: string; redis: string } {
  const nats = serviceHost(NATS_NAMES.clientService, s.natsNamespace, s.clusterDomain);
  const redis = serviceHost(REDIS_NAMES.clientService, s.redisNamespace, s.clusterDomain);
  return {
    nats: `nats://${nats}:${NATS.ports.client}`,
    redis: `redis://${redis}:${REDIS.ports.redis}`,
  };
}

/** The in-cluster URL of /health/saas (the Service's DNS name). */
export function gatewayHealthUrl(s: GatewaySpec): string {
  return `http://${serviceHost(GATEWAY_NAMES.service, s.namespace, s.clusterDomain)}:${s.port}${HEALTH_PATH}`;
}

/** The credentials Secret without its data (see gatewayCredentialsData). */
export function gatewayCredentialsSecret(s: GatewaySpec): V1Secret {
  return secretShell(meta(GATEWAY_NAMES.credentials, s));
}

/** The credentials Secret's data: copies of the NATS gateway user's and Redis' passwords. */
export function gatewayCredentialsData(p: {
  natsPassword: string;
  redisPassword: string;
}): Record<string, string> {
  return {
    [GATEWAY_SECRET_KEYS.nats]: p.natsPassword,
    [GATEWAY_SECRET_KEYS.redis]: p.redisPassword,
  };
}

const fromSecret = (name: string, key: string): V1EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: GATEWAY_NAMES.credentials, key } },
});

/** The gateway's environment (gateway/src/config.ts): ports, dependencies, drain timing. */
export function gatewayEnv(s: GatewaySpec): V1EnvVar[] {
  const urls = gatewayDependencyUrls(s);
  return [
    { name: "GATEWAY_PORT", value: String(s.port) },
    { name: "METRICS_PORT", value: String(GATEWAY.ports.metrics) },
    { name: "NATS_URL", value: urls.nats },
    { name: "NATS_USER", value: GATEWAY_NATS_USER },
    fromSecret("NATS_PASSWORD", GATEWAY_SECRET_KEYS.nats),
    { name: "REDIS_URL", value: urls.redis },
    fromSecret("REDIS_PASSWORD", GATEWAY_SECRET_KEYS.redis),
    { name: "SHUTDOWN_DELAY_MS", value: String(GATEWAY_SHUTDOWN.delayMs) },
    { name: "SHUTDOWN_TIMEOUT_MS", value: String(GATEWAY_SHUTDOWN.timeoutMs) },
    { name: "GATEWAY_VERSION", value: gatewayVersion(s.image) },
    {
      name: "NODE_OPTIONS",
      value: `--max-old-space-size=${fractionMiB(s.memory, GATEWAY_HEAP_FRACTION)}`,
    },
  ];
}

const httpGet = (path: string) => ({ httpGet: { path, port: "http" } });

/**
 * Neither probe looks at NATS or Redis: a dependency outage must not restart or unready every
 * gateway pod at once (/health/saas reports it instead). The startup probe gives a CPU-limited
 * cold start time before liveness counts.
 */
const GATEWAY_PROBES: Record<"startupProbe" | "readinessProbe" | "livenessProbe", V1Probe> = {
  startupProbe: { ...httpGet("/livez"), periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 },
  readinessProbe: {
    ...httpGet("/readyz"),
    periodSeconds: 5,
    timeoutSeconds: 2,
    failureThreshold: 2,
  },
  livenessProbe: {
    ...httpGet("/livez"),
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold: 3,
  },
};

function gatewayContainer(s: GatewaySpec): V1Container {
  return {
    name: GATEWAY.name,
    image: s.image,
    imagePullPolicy: "IfNotPresent",
    ports: [
      { name: "http", containerPort: s.port, protocol: "TCP" },
      { name: "metrics", containerPort: GATEWAY.ports.metrics, protocol: "TCP" },
    ],
    env: gatewayEnv(s),
    resources: guaranteedResources(s.cpu, s.memory),
    securityContext: restrictedContainerSecurityContext(),
    ...GATEWAY_PROBES,
  };
}

export function gatewayDeployment(s: GatewaySpec): V1Deployment {
  const labels = commonLabels(GATEWAY, gatewayVersion(s.image));
  const selector = selectorLabels(GATEWAY);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(GATEWAY_NAMES.deployment, s),
    spec: {
      replicas: s.replicas,
      selector: { matchLabels: selector },
      // Soft spread: surge a pod first, never below the replica count. Hard spread: a surge pod
      // may find no free node, so replace one pod at a time instead of stalling the rollout.
      strategy: {
        type: "RollingUpdate",
        rollingUpdate:
          s.spreadPolicy === "hard"
            ? { maxSurge: 0, maxUnavailable: 1 }
            : { maxSurge: 1, maxUnavailable: 0 },
      },
      template: {
        metadata: {
          labels,
          annotations: {
            [ANNOTATION.prometheusScrape]: "true",
            [ANNOTATION.prometheusPort]: String(GATEWAY.ports.metrics),
          },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: GATEWAY_TERMINATION_GRACE_SECONDS,
          securityContext: restrictedPodSecurityContext(GATEWAY_UID),
          topologySpreadConstraints: [spreadOverNodes(s.spreadPolicy, selector)],
          containers: [gatewayContainer(s)],
        },
      },
    },
  };
}

export function gatewayService(s: GatewaySpec): V1Service {
  return service(meta(GATEWAY_NAMES.service, s), {
    type: "ClusterIP",
    selector: selectorLabels(GATEWAY),
    ports: [
      { name: "http", port: s.port, targetPort: "http", protocol: "TCP" },
      { name: "metrics", port: GATEWAY.ports.metrics, targetPort: "metrics", protocol: "TCP" },
    ],
  });
}

/**
 * A drain takes one gateway pod at a time and the others keep serving: minAvailable is one below
 * the replica count (the config requires at least 2 replicas, so a drain can always proceed).
 */
export function gatewayPdb(s: GatewaySpec): V1PodDisruptionBudget {
  return podDisruptionBudget(meta(GATEWAY_NAMES.pdb, s), {
    minAvailable: Math.max(1, s.replicas - 1),
    selector: { matchLabels: selectorLabels(GATEWAY) },
    // A crash-looping pod must not block a drain forever.
    unhealthyPodEvictionPolicy: "AlwaysAllow",
  });
}
