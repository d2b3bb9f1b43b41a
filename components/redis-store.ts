// Redis as the idempotency store: single-replica StatefulSet on a PVC, generated redis.conf
// (maxmemory + noeviction, AOF in prod, FLUSHALL/FLUSHDB/CONFIG disabled), a generated password,
// and a PodDisruptionBudget that lets a drain proceed one pod at a time.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { REDIS_PORT } from "../lib/flows";
import { commonLabels, selectorLabels, type WorkloadIdentity } from "../lib/labels";
import {
  dataClaimTemplate,
  guaranteedResources,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../lib/pod-security";
import {
  REDIS_POD_PATHS,
  redisConfInputs,
  renderRedisAuth,
  renderRedisConf,
} from "../lib/redis-conf";
import { definedOnly, sha256 } from "../lib/util";
import { IMAGES, REDIS_VERSION } from "../lib/versions";
import { RandomSecret } from "./random-secret";

export interface RedisStoreArgs {
  /** Namespace to deploy into (the triad tier). */
  readonly namespace: pulumi.Input<string>;
  /**
   * CPU, requests = limits.
   * @default "100m"
   */
  readonly cpu?: string;
  /**
   * Memory, requests = limits; maxmemory is 75% of it.
   * @default "256Mi"
   */
  readonly memory?: string;
  /**
   * PVC size.
   * @default "2Gi"
   */
  readonly storage?: string;
  /**
   * StorageClass of the PVC; empty uses the cluster default.
   * @default ""
   */
  readonly storageClass?: string;
  /**
   * AOF with fsync every second (at most ~1 s of acknowledged writes lost on a crash).
   * @default false
   */
  readonly appendOnly?: boolean;
  /**
   * AOF fsync policy: `everysec` loses up to ~1 s of acknowledged writes on power loss,
   * `always` none (see README, Durability, for the measured cost).
   * @default "everysec"
   */
  readonly appendFsync?: "everysec" | "always";
  /**
   * Minutes Pulumi waits for the StatefulSet rollout.
   * @default 5
   */
  readonly rolloutTimeoutMinutes?: number;
  /**
   * Cluster DNS domain, for the host output.
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;
}

const DEFAULTS = {
  cpu: "100m",
  memory: "256Mi",
  storage: "2Gi",
  storageClass: "",
  appendOnly: false,
  appendFsync: "everysec",
  rolloutTimeoutMinutes: 5,
  clusterDomain: "cluster.local",
} as const;

/** UID of the `redis` user in the official image. */
const REDIS_UID = 999;

export class RedisStore extends pulumi.ComponentResource {
  /** In-cluster host name of the Redis service. */
  public readonly host: pulumi.Output<string>;
  /** Name of the Secret holding the password (key `password`). */
  public readonly authSecretName: pulumi.Output<string>;
  public readonly statefulSet: k8s.apps.v1.StatefulSet;
  public readonly pdb: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, args: RedisStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:RedisStore", name, {}, opts);
    const a = { ...DEFAULTS, ...definedOnly(args) };
    const id: WorkloadIdentity = { name: "redis", instance: name, component: "idempotency-store" };
    const labels = commonLabels(id, REDIS_VERSION);
    const selector = selectorLabels(id);
    const child = { parent: this };

    const password = new RandomSecret(`${name}-password`, { length: 32 }, child).value;
    const auth = new k8s.core.v1.Secret(
      `${name}-auth`,
      {
        metadata: { name: `${name}-auth`, namespace: args.namespace, labels },
        type: "Opaque",
        stringData: pulumi.secret(
          password.apply((pw) => ({ password: pw, "auth.conf": renderRedisAuth(pw) })),
        ),
      },
      child,
    );

    const redisConf = renderRedisConf(
      redisConfInputs({
        redisMemory: a.memory,
        redisAppendOnly: a.appendOnly,
        redisAppendFsync: a.appendFsync,
      }),
    );
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: { name: `${name}-config`, namespace: args.namespace, labels },
        data: { "redis.conf": redisConf },
      },
      child,
    );

    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name, namespace: args.namespace, labels },
        spec: {
          type: "ClusterIP",
          selector,
          ports: [{ name: "redis", port: REDIS_PORT, targetPort: "redis", protocol: "TCP" }],
        },
      },
      child,
    );

    const timeout = `${a.rolloutTimeoutMinutes}m`;
    this.statefulSet = new k8s.apps.v1.StatefulSet(
      `${name}-statefulset`,
      {
        metadata: { name, namespace: args.namespace, labels },
        spec: {
          replicas: 1,
          serviceName: name,
          selector: { matchLabels: selector },
          template: {
            metadata: { labels, annotations: { "kgents.io/config-hash": sha256(redisConf) } },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              terminationGracePeriodSeconds: 30,
              securityContext: restrictedPodSecurityContext(REDIS_UID),
              containers: [
                {
                  name: "redis",
                  image: IMAGES.redis,
                  imagePullPolicy: "IfNotPresent",
                  command: ["redis-server", REDIS_POD_PATHS.config],
                  ports: [{ name: "redis", containerPort: REDIS_PORT, protocol: "TCP" }],
                  // redis-cli reads the password from REDISCLI_AUTH, so it never shows in ps.
                  env: [
                    {
                      name: "REDISCLI_AUTH",
                      valueFrom: { secretKeyRef: { name: auth.metadata.name, key: "password" } },
                    },
                  ],
                  resources: guaranteedResources(a.cpu, a.memory),
                  securityContext: restrictedContainerSecurityContext(),
                  readinessProbe: {
                    exec: { command: ["sh", "-c", "redis-cli -h 127.0.0.1 ping | grep -q PONG"] },
                    periodSeconds: 5,
                    timeoutSeconds: 3,
                  },
                  livenessProbe: {
                    tcpSocket: { port: "redis" },
                    periodSeconds: 15,
                    failureThreshold: 4,
                  },
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
                      { configMap: { name: config.metadata.name } },
                      {
                        secret: {
                          name: auth.metadata.name,
                          items: [{ key: "auth.conf", path: "auth.conf" }],
                        },
                      },
                    ],
                  },
                },
              ],
            },
          },
          volumeClaimTemplates: [dataClaimTemplate(a.storage, a.storageClass, selector)],
        },
      },
      { ...child, customTimeouts: { create: timeout, update: timeout } },
    );

    // One replica: minAvailable 1 would block every drain forever; maxUnavailable 1 lets the
    // drain move the store (a short outage the clients retry through) but never two at once.
    this.pdb = new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      {
        metadata: { name, namespace: args.namespace, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
      },
      child,
    );

    this.host = pulumi.interpolate`${service.metadata.name}.${service.metadata.namespace}.svc.${a.clusterDomain}`;
    this.authSecretName = auth.metadata.name;
    this.registerOutputs({ host: this.host, authSecretName: this.authSecretName });
  }
}
