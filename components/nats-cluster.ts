// NATS JetStream cluster: generated credentials in Secrets, and the manifests lib/nats builds
// (nats.conf ConfigMap, headless and client Services, StatefulSet, quorum-keeping PDB).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as nats from "../lib/nats";
import type { SpreadPolicy } from "../lib/pods";
import { definedOnly } from "../lib/util";
import { args } from "./manifest";
import { RandomSecret } from "./random-secret";

export interface NatsClusterArgs {
  /** Namespace to deploy into (the agents tier); plain: route DNS names go into nats.conf. */
  readonly namespace: string;
  /** PriorityClass of the pods (see DataPriority). */
  readonly priorityClassName: string;
  /**
   * Servers; odd so JetStream keeps a clean quorum.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * PDB minAvailable.
   * @default the JetStream quorum of `replicas` (lib/topology/quorum.ts)
   */
  readonly minAvailable?: number;
  /**
   * CPU, requests = limits.
   * @default "250m"
   */
  readonly cpu?: string;
  /**
   * Memory, requests = limits; GOMEMLIMIT is 80% of it.
   * @default "512Mi"
   */
  readonly memory?: string;
  /**
   * JetStream PVC size per server; max_file_store is 90% of it.
   * @default "10Gi"
   */
  readonly storage?: string;
  /**
   * StorageClass of the PVCs; empty uses the cluster default.
   * @default ""
   */
  readonly storageClass?: string;
  /**
   * Run the prometheus-nats-exporter sidecar on the exporter port.
   * @default false
   */
  readonly exporter?: boolean;
  /**
   * JetStream `sync_interval`: `always` fsyncs before every acknowledgement; a Go duration
   * (nats-server's own default is 2m) acknowledges first and loses that much on power loss.
   * @default "always"
   */
  readonly syncInterval?: string;
  /**
   * Spread across nodes: `soft` (ScheduleAnyway) or `hard` (DoNotSchedule).
   * @default "soft"
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   */
  readonly spreadPolicy?: SpreadPolicy;
  /**
   * Cluster DNS domain, for the per-pod route names.
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;
  /**
   * Minutes Pulumi waits for the StatefulSet rollout.
   * @default 5
   */
  readonly rolloutTimeoutMinutes?: number;
}

/** Minutes Pulumi waits for a rollout unless told otherwise. */
const ROLLOUT_TIMEOUT_MINUTES = 5;

export class NatsCluster extends pulumi.ComponentResource {
  /** Client URL (ClusterIP service). */
  public readonly clientUrl: pulumi.Output<string>;
  /** Name of the Secret holding the client and route passwords. */
  public readonly authSecretName: pulumi.Output<string>;
  /** Each client user's password (secret outputs), for copies in the clients' namespaces. */
  public readonly clientPasswords: Readonly<Record<string, pulumi.Output<string>>>;
  public readonly statefulSet: k8s.apps.v1.StatefulSet;
  public readonly pdb: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, a: NatsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:NatsCluster", name, {}, opts);
    const { rolloutTimeoutMinutes, ...spec }: nats.NatsSpec & { rolloutTimeoutMinutes: number } = {
      ...nats.NATS_DEFAULTS,
      rolloutTimeoutMinutes: ROLLOUT_TIMEOUT_MINUTES,
      ...definedOnly(a),
    };
    const child = { parent: this };

    // Credentials: one generated password per client user and one for routes.
    const passwords = Object.fromEntries(
      nats.NATS_USERS.map((u) => [u, new RandomSecret(`${name}-${u}-password`, {}, child).value]),
    );
    const routePassword = passwords[nats.NATS_ROUTE_USER] as pulumi.Output<string>;
    this.clientPasswords = Object.fromEntries(
      nats.NATS_CLIENT_USERS.map((u) => [u, pulumi.secret(passwords[u] as pulumi.Output<string>)]),
    );
    const auth = new k8s.core.v1.Secret(
      `${name}-auth`,
      {
        ...args<k8s.core.v1.SecretArgs>(nats.natsAuthSecret(spec)),
        stringData: pulumi.secret(pulumi.all(passwords).apply(nats.natsAuthData)),
      },
      child,
    );
    const routes = new k8s.core.v1.Secret(
      `${name}-routes`,
      {
        ...args<k8s.core.v1.SecretArgs>(nats.natsRoutesSecret(spec)),
        stringData: pulumi.secret(routePassword.apply((pw) => nats.natsRoutesData(spec, pw))),
      },
      child,
    );
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      args(nats.natsConfigMap(spec)),
      child,
    );
    new k8s.core.v1.Service(`${name}-headless`, args(nats.natsHeadlessService(spec)), child);
    const client = new k8s.core.v1.Service(
      `${name}-client`,
      args(nats.natsClientService(spec)),
      child,
    );

    const timeout = `${rolloutTimeoutMinutes}m`;
    this.statefulSet = new k8s.apps.v1.StatefulSet(
      `${name}-statefulset`,
      args(nats.natsStatefulSet(spec)),
      {
        ...child,
        // The pods mount these by name: they must exist first.
        dependsOn: [config, auth, routes],
        customTimeouts: { create: timeout, update: timeout },
      },
    );
    this.pdb = new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      args(nats.natsPdb(spec)),
      child,
    );

    // Resolves once the client Service exists.
    this.clientUrl = client.metadata.name.apply(() => nats.natsClientUrl(spec));
    this.authSecretName = auth.metadata.name;
    this.registerOutputs({ clientUrl: this.clientUrl, authSecretName: this.authSecretName });
  }
}
