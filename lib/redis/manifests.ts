// Redis as the idempotency store: a single-replica StatefulSet on a PVC behind a headless Service
// (its pod's stable DNS name) and a ClusterIP Service for clients, generated redis.conf, and a
// PodDisruptionBudget that lets a drain proceed. Pure: the password is the component's business
// (see redisAuthData).
import type {
  V1ConfigMap,
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from "@kubernetes/client-node";
import { configMap, podDisruptionBudget, secretShell, service } from "../objects";
import { guaranteedResources, restrictedContainerSecurityContext } from "../pods";
import { dataStatefulSet } from "../stateful-set";
import {
  ANNOTATION,
  commonLabels,
  DEFAULT_CLUSTER_DOMAIN,
  REDIS,
  selectorLabels,
  serviceHost,
} from "../topology";
import { sha256 } from "../util";
import { IMAGES, REDIS_VERSION } from "../versions";
import { REDIS_POD_PATHS, redisConfInputs, renderRedisAuth, renderRedisConf } from "./conf";

/** Everything the Redis manifests depend on; defaults are applied by the component. */
export interface RedisSpec {
  readonly namespace: string;
  readonly cpu: string;
  readonly memory: string;
  readonly storage: string;
  readonly storageClass: string;
  readonly appendOnly: boolean;
  /** AOF fsync policy. */
  readonly appendFsync: "everysec" | "always";
  readonly clusterDomain: string;
  /** PriorityClass of the pod (the data tier's). */
  readonly priorityClassName: string;
}

/** Defaults of every optional setting (the component's args document them). */
export const REDIS_DEFAULTS = {
  cpu: "100m",
  memory: "256Mi",
  storage: "2Gi",
  storageClass: "",
  appendOnly: false,
  appendFsync: "everysec",
  clusterDomain: DEFAULT_CLUSTER_DOMAIN,
} as const satisfies Partial<RedisSpec>;

/** Names of the Redis objects. */
export const REDIS_NAMES = {
  statefulSet: REDIS.name,
  clientService: REDIS.name,
  headlessService: `${REDIS.name}-headless`,
  config: `${REDIS.name}-config`,
  auth: `${REDIS.name}-auth`,
  pdb: REDIS.name,
} as const;

/** UID of the `redis` user in the official image. */
export const REDIS_UID = 999;

const meta = (name: string, s: RedisSpec) => ({
  name,
  namespace: s.namespace,
  labels: commonLabels(REDIS, REDIS_VERSION),
});

export function redisConf(s: RedisSpec): string {
  return renderRedisConf(
    redisConfInputs({
      redisMemory: s.memory,
      redisAppendOnly: s.appendOnly,
      redisAppendFsync: s.appendFsync,
    }),
  );
}

export function redisConfigMap(s: RedisSpec): V1ConfigMap {
  return configMap(meta(REDIS_NAMES.config, s), { "redis.conf": redisConf(s) });
}

/** The auth Secret without its data (see redisAuthData). */
export function redisAuthSecret(s: RedisSpec): V1Secret {
  return secretShell(meta(REDIS_NAMES.auth, s));
}

/** The password, for clients and redis-cli, and the auth include redis.conf reads. */
export function redisAuthData(password: string): Record<string, string> {
  return { password, "auth.conf": renderRedisAuth(password) };
}

const redisPort = { name: "redis", port: REDIS.ports.redis, targetPort: "redis", protocol: "TCP" };

export function redisClientService(s: RedisSpec): V1Service {
  return service(meta(REDIS_NAMES.clientService, s), {
    type: "ClusterIP",
    selector: selectorLabels(REDIS),
    ports: [redisPort],
  });
}

/** The StatefulSet's governing Service: headless, so the pod gets a stable DNS name. */
export function redisHeadlessService(s: RedisSpec): V1Service {
  return service(meta(REDIS_NAMES.headlessService, s), {
    clusterIP: "None",
    selector: selectorLabels(REDIS),
    ports: [redisPort],
  });
}

/** In-cluster host name clients use. */
export function redisHost(s: RedisSpec): string {
  return serviceHost(REDIS_NAMES.clientService, s.namespace, s.clusterDomain);
}

export function redisStatefulSet(s: RedisSpec): V1StatefulSet {
  return dataStatefulSet({
    workload: REDIS,
    version: REDIS_VERSION,
    namespace: s.namespace,
    replicas: 1,
    serviceName: REDIS_NAMES.headlessService,
    annotations: { [ANNOTATION.configHash]: sha256(redisConf(s)) },
    terminationGracePeriodSeconds: 30,
    uid: REDIS_UID,
    priorityClassName: s.priorityClassName,
    containers: [
      {
        name: "redis",
        image: IMAGES.redis,
        imagePullPolicy: "IfNotPresent",
        command: ["redis-server", REDIS_POD_PATHS.config],
        ports: [{ name: "redis", containerPort: REDIS.ports.redis, protocol: "TCP" }],
        // redis-cli reads the password from REDISCLI_AUTH, so it never shows in ps.
        env: [
          {
            name: "REDISCLI_AUTH",
            valueFrom: { secretKeyRef: { name: REDIS_NAMES.auth, key: "password" } },
          },
        ],
        resources: guaranteedResources(s.cpu, s.memory),
        securityContext: restrictedContainerSecurityContext(),
        readinessProbe: {
          exec: { command: ["sh", "-c", "redis-cli -h 127.0.0.1 ping | grep -q PONG"] },
          periodSeconds: 5,
          timeoutSeconds: 3,
        },
        livenessProbe: { tcpSocket: { port: "redis" }, periodSeconds: 15, failureThreshold: 4 },
        volumeMounts: [
          { name: "config", mountPath: REDIS_POD_PATHS.configDir, readOnly: true },
          { name: "data", mountPath: REDIS_POD_PATHS.dataDir },
        ],
      },
    ],
    volumes: [
      {
        name: "config",
        projected: {
          sources: [
            { configMap: { name: REDIS_NAMES.config } },
            {
              secret: {
                name: REDIS_NAMES.auth,
                items: [{ key: "auth.conf", path: "auth.conf" }],
              },
            },
          ],
        },
      },
    ],
    storage: s.storage,
    storageClass: s.storageClass,
  });
}

/**
 * One replica: minAvailable 1 would block every drain forever; maxUnavailable 1 lets the drain
 * move the store (a short outage the clients retry through) but never two at once.
 */
export function redisPdb(s: RedisSpec): V1PodDisruptionBudget {
  return podDisruptionBudget(meta(REDIS_NAMES.pdb, s), {
    maxUnavailable: 1,
    selector: { matchLabels: selectorLabels(REDIS) },
  });
}
