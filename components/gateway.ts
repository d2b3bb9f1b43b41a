// The public gateway (/health/saas): a copy of the NATS and Redis credentials in its own namespace
// (secretKeyRef cannot cross namespaces), and the manifests lib/gateway builds (Deployment,
// Service, PodDisruptionBudget).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as gateway from "../lib/gateway";
import type { SpreadPolicy } from "../lib/pods";
import { definedOnly } from "../lib/util";
import { args } from "./manifest";

export interface GatewayArgs {
  /** Namespace to deploy into (the gateway tier). */
  readonly namespace: string;
  /** Image reference with a tag or digest (built from gateway/Dockerfile). */
  readonly image: string;
  /** Public port the pods listen on (the stack's gatewayPort). */
  readonly port: number;
  /** Namespaces of the NATS and Redis client Services. */
  readonly natsNamespace: string;
  readonly redisNamespace: string;
  /** Password of the NATS gateway user (a secret output of NatsCluster). */
  readonly natsPassword: pulumi.Input<string>;
  /** Redis password (a secret output of RedisStore). */
  readonly redisPassword: pulumi.Input<string>;
  /**
   * Pods; at least 2 so a drain can take one while another serves.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * CPU, requests = limits.
   * @default "250m"
   */
  readonly cpu?: string;
  /**
   * Memory, requests = limits; V8's heap is capped at 75% of it.
   * @default "256Mi"
   */
  readonly memory?: string;
  /**
   * Spread across nodes: `soft` (ScheduleAnyway) or `hard` (DoNotSchedule).
   * @default "soft"
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   */
  readonly spreadPolicy?: SpreadPolicy;
  /**
   * Cluster DNS domain, for the dependency URLs and the health URL.
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;
  /**
   * Minutes Pulumi waits for the Deployment rollout.
   * @default 5
   */
  readonly rolloutTimeoutMinutes?: number;
}

/** Minutes Pulumi waits for a rollout unless told otherwise. */
const ROLLOUT_TIMEOUT_MINUTES = 5;

export class Gateway extends pulumi.ComponentResource {
  /** In-cluster URL of /health/saas (the Service's DNS name). */
  public readonly healthUrl: pulumi.Output<string>;
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly pdb: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, a: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:Gateway", name, {}, opts);
    const {
      rolloutTimeoutMinutes,
      natsPassword,
      redisPassword,
      ...spec
    }: gateway.GatewaySpec & {
      rolloutTimeoutMinutes: number;
      natsPassword: pulumi.Input<string>;
      redisPassword: pulumi.Input<string>;
    } = {
      ...gateway.GATEWAY_DEFAULTS,
      rolloutTimeoutMinutes: ROLLOUT_TIMEOUT_MINUTES,
      ...definedOnly(a),
    };
    const child = { parent: this };

    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        ...args<k8s.core.v1.SecretArgs>(gateway.gatewayCredentialsSecret(spec)),
        stringData: pulumi.secret(
          pulumi
            .all([natsPassword, redisPassword])
            .apply(([n, r]) =>
              gateway.gatewayCredentialsData({ natsPassword: n, redisPassword: r }),
            ),
        ),
      },
      child,
    );
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      args(gateway.gatewayService(spec)),
      child,
    );
    const timeout = `${rolloutTimeoutMinutes}m`;
    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      args(gateway.gatewayDeployment(spec)),
      {
        ...child,
        // The pods read their passwords from this Secret by name: it must exist first.
        dependsOn: [credentials],
        customTimeouts: { create: timeout, update: timeout },
      },
    );
    this.pdb = new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      args(gateway.gatewayPdb(spec)),
      child,
    );

    // Resolves once the Service exists.
    this.healthUrl = service.metadata.name.apply(() => gateway.gatewayHealthUrl(spec));
    this.registerOutputs({ healthUrl: this.healthUrl });
  }
}
