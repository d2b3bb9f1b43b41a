// NATS JetStream cluster manifests, modelled on the nats-io/k8s chart: a StatefulSet with
// parallel pod management and per-pod routes over a headless Service (published before the pods
// are ready), chart probes, lame-duck preStop, explicit JetStream limits, and a PodDisruptionBudget
// that keeps the JetStream quorum. Pure: plain objects in, plain objects out; secrets' values are
// the component's business (see natsAuthData / natsRoutesData).
import type {
  V1ConfigMap,
  V1Container,
  V1PodDisruptionBudget,
  V1Probe,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from "@kubernetes/client-node";
import {
  guaranteedResources,
  restrictedContainerSecurityContext,
  type SpreadPolicy,
} from "../pods";
import {
  ANNOTATION,
  commonLabels,
  DEFAULT_CLUSTER_DOMAIN,
  NATS,
  quorum,
  selectorLabels,
  serviceHost,
} from "../topology";
import { configMap, podDisruptionBudget, secretShell, service } from "../objects";
import { sha256 } from "../util";
import { IMAGES, NATS_VERSION } from "../versions";
import {
  NATS_CLIENT_USERS,
  NATS_POD_PATHS,
  NATS_ROUTE_USER,
  NATS_SERVER_NAME_ENV,
  natsConfInputs,
  natsGoMemLimit,
  natsPasswordEnv,
  renderNatsConf,
  renderNatsRoutes,
} from "./conf";
import { dataStatefulSet } from "../stateful-set";

/** Everything the NATS manifests depend on; defaults are applied by the component. */
export interface NatsSpec {
  readonly namespace: string;
  readonly replicas: number;
  /** PDB minAvailable; undefined means the quorum of `replicas`. */
  readonly minAvailable?: number;
  readonly cpu: string;
  readonly memory: string;
  readonly storage: string;
  readonly storageClass: string;
  readonly exporter: boolean;
  /** JetStream `sync_interval`: `always` or a Go duration. */
  readonly syncInterval: string;
  readonly spreadPolicy: SpreadPolicy;
  readonly clusterDomain: string;
  /** PriorityClass of the pods (the data tier's). */
  readonly priorityClassName: string;
}

/** Defaults of every optional setting (the component's args document them). */
export const NATS_DEFAULTS = {
  replicas: 3,
  cpu: "250m",
  memory: "512Mi",
  storage: "10Gi",
  storageClass: "",
  exporter: false,
  syncInterval: "always",
  spreadPolicy: "soft",
  clusterDomain: DEFAULT_CLUSTER_DOMAIN,
} as const satisfies Partial<NatsSpec>;

/** Names of the NATS objects. */
export const NATS_NAMES = {
  statefulSet: NATS.name,
  clientService: NATS.name,
  headlessService: `${NATS.name}-headless`,
  config: `${NATS.name}-config`,
  auth: `${NATS.name}-auth`,
  routes: `${NATS.name}-routes`,
  pdb: NATS.name,
} as const;

/** Every NATS user: the client users and the route user. */
export const NATS_USERS: readonly string[] = [...NATS_CLIENT_USERS, NATS_ROUTE_USER];

/** Key of a user's password in the auth Secret. */
export const natsPasswordKey = (user: string) => `${user}-password`;

const labels = () => commonLabels(NATS, NATS_VERSION);
const meta = (name: string, s: NatsSpec) => ({ name, namespace: s.namespace, labels: labels() });

export function natsConf(s: NatsSpec): string {
  return renderNatsConf(
    natsConfInputs({
      natsMemory: s.memory,
      natsStorage: s.storage,
      natsSyncInterval: s.syncInterval,
    }),
  );
}

export function natsConfigMap(s: NatsSpec): V1ConfigMap {
  return configMap(meta(NATS_NAMES.config, s), { "nats.conf": natsConf(s) });
}

/** The auth Secret without its data (see natsAuthData). */
export function natsAuthSecret(s: NatsSpec): V1Secret {
  return secretShell(meta(NATS_NAMES.auth, s));
}

/** The auth Secret's data: one password per user. */
export function natsAuthData(passwords: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(NATS_USERS.map((u) => [natsPasswordKey(u), passwords[u] ?? ""]));
}

/** The routes Secret without its data (see natsRoutesData). */
export function natsRoutesSecret(s: NatsSpec): V1Secret {
  return secretShell(meta(NATS_NAMES.routes, s));
}

/** The routes include: per-pod headless DNS names, never the ClusterIP service. */
export function natsRoutesData(s: NatsSpec, routePassword: string): Record<string, string> {
  const routes = Array.from({ length: s.replicas }, (_, i) => ({
    host: serviceHost(
      `${NATS_NAMES.statefulSet}-${i}.${NATS_NAMES.headlessService}`,
      s.namespace,
      s.clusterDomain,
    ),
    port: NATS.ports.cluster,
  }));
  return {
    [NATS_POD_PATHS.routesInclude]: renderNatsRoutes(routes, NATS_ROUTE_USER, routePassword),
  };
}

const SERVER_PORTS = ["client", "cluster", "monitor"] as const;

/** Routes resolve per-pod names through this service, before the pods are ready. */
export function natsHeadlessService(s: NatsSpec): V1Service {
  return service(meta(NATS_NAMES.headlessService, s), {
    clusterIP: "None",
    publishNotReadyAddresses: true,
    selector: selectorLabels(NATS),
    ports: SERVER_PORTS.map((p) => ({
      name: p,
      port: NATS.ports[p],
      targetPort: p,
      protocol: "TCP",
    })),
  });
}

export function natsClientService(s: NatsSpec): V1Service {
  return service(meta(NATS_NAMES.clientService, s), {
    type: "ClusterIP",
    selector: selectorLabels(NATS),
    ports: [{ name: "client", port: NATS.ports.client, targetPort: "client", protocol: "TCP" }],
  });
}

/** The URL clients connect to (the ClusterIP service). */
export function natsClientUrl(s: NatsSpec): string {
  return `nats://${serviceHost(NATS_NAMES.clientService, s.namespace, s.clusterDomain)}:${NATS.ports.client}`;
}

const healthz = (query: string) => ({ httpGet: { path: `/healthz${query}`, port: "monitor" } });

/** The chart's probes: startup, readiness (server only), liveness (JetStream enabled). */
const NATS_PROBES: Record<"startupProbe" | "readinessProbe" | "livenessProbe", V1Probe> = {
  startupProbe: {
    ...healthz(""),
    initialDelaySeconds: 10,
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: 90,
  },
  readinessProbe: {
    ...healthz("?js-server-only=true"),
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: 3,
  },
  livenessProbe: {
    ...healthz("?js-enabled-only=true"),
    periodSeconds: 30,
    timeoutSeconds: 5,
    failureThreshold: 3,
  },
};

function natsContainer(s: NatsSpec): V1Container {
  return {
    name: "nats",
    image: IMAGES.nats,
    imagePullPolicy: "IfNotPresent",
    command: ["nats-server", "--config", NATS_POD_PATHS.config],
    ports: SERVER_PORTS.map((p) => ({ name: p, containerPort: NATS.ports[p], protocol: "TCP" })),
    env: [
      { name: NATS_SERVER_NAME_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "GOMEMLIMIT", value: natsGoMemLimit(s.memory) },
      ...NATS_USERS.map((u) => ({
        name: natsPasswordEnv(u),
        valueFrom: { secretKeyRef: { name: NATS_NAMES.auth, key: natsPasswordKey(u) } },
      })),
    ],
    resources: guaranteedResources(s.cpu, s.memory),
    securityContext: restrictedContainerSecurityContext(),
    ...NATS_PROBES,
    // Lame duck: stop accepting clients, hand off JetStream leadership, then exit.
    lifecycle: {
      preStop: { exec: { command: ["nats-server", "--signal", `ldm=${NATS_POD_PATHS.pidFile}`] } },
    },
    volumeMounts: [
      { name: "config", mountPath: NATS_POD_PATHS.configDir, readOnly: true },
      { name: "pid", mountPath: NATS_POD_PATHS.pidDir },
      { name: "data", mountPath: NATS_POD_PATHS.dataDir },
    ],
  };
}

/** prometheus-nats-exporter sidecar, scraping the server's monitor port. */
function exporterContainer(): V1Container {
  return {
    name: "exporter",
    image: IMAGES.natsExporter,
    imagePullPolicy: "IfNotPresent",
    args: [
      "-port",
      String(NATS.ports.exporter),
      "-connz",
      "-routez",
      "-subz",
      "-varz",
      "-jsz=all",
      "-use_internal_server_id",
      `http://localhost:${NATS.ports.monitor}/`,
    ],
    ports: [{ name: "metrics", containerPort: NATS.ports.exporter, protocol: "TCP" }],
    resources: guaranteedResources("50m", "64Mi"),
    securityContext: restrictedContainerSecurityContext(),
    // A TCP check, not /metrics: scraping would query NATS on every probe, and a NATS outage
    // must not restart the exporter; a hung exporter stops accepting connections.
    livenessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 30, failureThreshold: 3 },
  };
}

export function natsStatefulSet(s: NatsSpec): V1StatefulSet {
  return dataStatefulSet({
    workload: NATS,
    version: NATS_VERSION,
    namespace: s.namespace,
    replicas: s.replicas,
    serviceName: NATS_NAMES.headlessService,
    podManagementPolicy: "Parallel",
    annotations: {
      // A config change must roll the pods; the hash covers only non-secret config.
      [ANNOTATION.configHash]: sha256(natsConf(s)),
      ...(s.exporter
        ? {
            [ANNOTATION.prometheusScrape]: "true",
            [ANNOTATION.prometheusPort]: String(NATS.ports.exporter),
          }
        : {}),
    },
    // Lame-duck duration (30 s) plus the grace period and room to finish the handoff.
    terminationGracePeriodSeconds: 60,
    uid: 1000,
    spreadPolicy: s.spreadPolicy,
    priorityClassName: s.priorityClassName,
    containers: s.exporter ? [natsContainer(s), exporterContainer()] : [natsContainer(s)],
    volumes: [
      {
        name: "config",
        projected: {
          sources: [
            { configMap: { name: NATS_NAMES.config } },
            { secret: { name: NATS_NAMES.routes } },
          ],
        },
      },
      { name: "pid", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    ],
    storage: s.storage,
    storageClass: s.storageClass,
  });
}

/** Keeps the JetStream quorum: a drain may take one server at a time, never two of three. */
export function natsPdb(s: NatsSpec): V1PodDisruptionBudget {
  return podDisruptionBudget(meta(NATS_NAMES.pdb, s), {
    minAvailable: s.minAvailable ?? quorum(s.replicas),
    selector: { matchLabels: selectorLabels(NATS) },
    // A crash-looping pod must not block a drain forever.
    unhealthyPodEvictionPolicy: "AlwaysAllow",
  });
}
