// Redis as the idempotency store: a generated password in a Secret, and the manifests lib/redis
// builds (redis.conf ConfigMap, headless and client Services, StatefulSet, PDB).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as redis from "../lib/redis";
import { definedOnly } from "../lib/util";
import { args } from "./manifest";
import { RandomSecret } from "./random-secret";

export interface RedisStoreArgs {
  /** Namespace to deploy into (the triad tier). */
  readonly namespace: string;
  /** PriorityClass of the pod (see DataPriority). */
  readonly priorityClassName: string;
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

/** Minutes Pulumi waits for a rollout unless told otherwise. */
const ROLLOUT_TIMEOUT_MINUTES = 5;

export class RedisStore extends pulumi.ComponentResource {
  /** In-cluster host name of the Redis client service. */
  public readonly host: pulumi.Output<string>;
  /** Name of the Secret holding the password (key `password`). */
  public readonly authSecretName: pulumi.Output<string>;
  /** The password (a secret output), for copies in the clients' namespaces. */
  public readonly password: pulumi.Output<string>;
  public readonly statefulSet: k8s.apps.v1.StatefulSet;
  public readonly pdb: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, a: RedisStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:RedisStore", name, {}, opts);
    const { rolloutTimeoutMinutes, ...spec }: redis.RedisSpec & { rolloutTimeoutMinutes: number } =
      {
        ...redis.REDIS_DEFAULTS,
        rolloutTimeoutMinutes: ROLLOUT_TIMEOUT_MINUTES,
        ...definedOnly(a),
      };
    const child = { parent: this };

    const password = new RandomSecret(`${name}-password`, {}, child).value;
    this.password = pulumi.secret(password);
    const auth = new k8s.core.v1.Secret(
      `${name}-auth`,
      {
        ...args<k8s.core.v1.SecretArgs>(redis.redisAuthSecret(spec)),
        stringData: pulumi.secret(password.apply(redis.redisAuthData)),
      },
      child,
    );
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      args(redis.redisConfigMap(spec)),
      child,
    );
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      args(redis.redisClientService(spec)),
      child,
    );
    new k8s.core.v1.Service(`${name}-headless`, args(redis.redisHeadlessService(spec)), child);

    const timeout = `${rolloutTimeoutMinutes}m`;
    this.statefulSet = new k8s.apps.v1.StatefulSet(
      `${name}-statefulset`,
      args(redis.redisStatefulSet(spec)),
      {
        ...child,
        // The pod mounts these by name: they must exist first.
        dependsOn: [config, auth],
        customTimeouts: { create: timeout, update: timeout },
      },
    );
    this.pdb = new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      args(redis.redisPdb(spec)),
      child,
    );

    // Resolves once the client Service exists.
    this.host = service.metadata.name.apply(() => redis.redisHost(spec));
    this.authSecretName = auth.metadata.name;
    this.registerOutputs({ host: this.host, authSecretName: this.authSecretName });
  }
}
