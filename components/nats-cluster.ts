// NATS JetStream cluster: StatefulSet (parallel pod management, per-pod routes over the headless
// service), generated nats.conf, generated credentials, and a quorum-keeping PodDisruptionBudget.
// Modelled on the nats-io/k8s chart: probes, lame-duck preStop, explicit JetStream limits.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NATS_PORTS } from "../lib/flows";
import { commonLabels, selectorLabels, type WorkloadIdentity } from "../lib/labels";
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
} from "../lib/nats-conf";
import {
  dataClaimTemplate,
  guaranteedResources,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../lib/pod-security";
import { IMAGES, NATS_VERSION } from "../lib/versions";
import { definedOnly, sha256 } from "../lib/util";
import { RandomSecret } from "./random-secret";

export interface NatsClusterArgs {
  /** Namespace to deploy into (the agents tier). */
  readonly namespace: pulumi.Input<string>;
  /** Namespace name as a plain string: route DNS names are rendered into nats.conf. */
  readonly namespaceName: string;
  /**
   * Servers; odd so JetStream keeps a clean quorum.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * PDB minAvailable.
   * @default floor(replicas/2)+1, the JetStream quorum
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
   * Run the prometheus-nats-exporter sidecar on port 7777.
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
  readonly spreadPolicy?: "soft" | "hard";
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

const DEFAULTS = {
  replicas: 3,
  cpu: "250m",
  memory: "512Mi",
  storage: "10Gi",
  storageClass: "",
  exporter: false,
  syncInterval: "always",
  spreadPolicy: "soft",
  clusterDomain: "cluster.local",
  rolloutTimeoutMinutes: 5,
} as const;

export class NatsCluster extends pulumi.ComponentResource {
  /** Client URL (ClusterIP service). */
  public readonly clientUrl: pulumi.Output<string>;
  /** Name of the Secret holding the client and route passwords. */
  public readonly authSecretName: pulumi.Output<string>;
  public readonly statefulSet: k8s.apps.v1.StatefulSet;
  public readonly pdb: k8s.policy.v1.PodDisruptionBudget;

  constructor(name: string, args: NatsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:NatsCluster", name, {}, opts);
    const a = { ...DEFAULTS, ...definedOnly(args) };
    const id: WorkloadIdentity = { name: "nats", instance: name, component: "messaging" };
    const labels = commonLabels(id, NATS_VERSION);
    const selector = selectorLabels(id);
    const headless = `${name}-headless`;
    const minAvailable = a.minAvailable ?? Math.floor(a.replicas / 2) + 1;
    const child = { parent: this };

    // Credentials: one generated password per client user and one for routes.
    const users = [...NATS_CLIENT_USERS, NATS_ROUTE_USER];
    const passwords = Object.fromEntries(
      users.map((u) => [u, new RandomSecret(`${name}-${u}-password`, { length: 32 }, child).value]),
    ) as Record<string, pulumi.Output<string>>;
    const routePassword = passwords[NATS_ROUTE_USER] as pulumi.Output<string>;

    const auth = new k8s.core.v1.Secret(
      `${name}-auth`,
      {
        metadata: { name: `${name}-auth`, namespace: args.namespace, labels },
        type: "Opaque",
        stringData: pulumi.secret(
          pulumi
            .all(passwords)
            .apply((p) => Object.fromEntries(users.map((u) => [`${u}-password`, p[u] ?? ""]))),
        ),
      },
      child,
    );

    const routes = Array.from({ length: a.replicas }, (_, i) => ({
      host: `${name}-${i}.${headless}.${args.namespaceName}.svc.${a.clusterDomain}`,
      port: NATS_PORTS.cluster,
    }));
    const routesSecret = new k8s.core.v1.Secret(
      `${name}-routes`,
      {
        metadata: { name: `${name}-routes`, namespace: args.namespace, labels },
        type: "Opaque",
        stringData: pulumi.secret(
          routePassword.apply((pw) => ({
            [NATS_POD_PATHS.routesInclude]: renderNatsRoutes(routes, NATS_ROUTE_USER, pw),
          })),
        ),
      },
      child,
    );

    const natsConf = renderNatsConf(
      natsConfInputs({
        natsMemory: a.memory,
        natsStorage: a.storage,
        natsSyncInterval: a.syncInterval,
      }),
    );
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: { name: `${name}-config`, namespace: args.namespace, labels },
        data: { "nats.conf": natsConf },
      },
      child,
    );

    const ports = [
      { name: "client", port: NATS_PORTS.client },
      { name: "cluster", port: NATS_PORTS.cluster },
      { name: "monitor", port: NATS_PORTS.monitor },
    ];
    // Routes resolve per-pod names through this service, before the pods are ready.
    new k8s.core.v1.Service(
      `${name}-headless`,
      {
        metadata: { name: headless, namespace: args.namespace, labels },
        spec: {
          clusterIP: "None",
          publishNotReadyAddresses: true,
          selector,
          ports: ports.map((p) => ({ ...p, targetPort: p.name, protocol: "TCP" })),
        },
      },
      child,
    );
    const clientService = new k8s.core.v1.Service(
      `${name}-client`,
      {
        metadata: { name, namespace: args.namespace, labels },
        spec: {
          type: "ClusterIP",
          selector,
          ports: [
            { name: "client", port: NATS_PORTS.client, targetPort: "client", protocol: "TCP" },
          ],
        },
      },
      child,
    );

    const env = [
      { name: NATS_SERVER_NAME_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "GOMEMLIMIT", value: natsGoMemLimit(a.memory) },
      ...users.map((u) => ({
        name: natsPasswordEnv(u),
        valueFrom: { secretKeyRef: { name: auth.metadata.name, key: `${u}-password` } },
      })),
    ];
    const healthz = (query: string) => ({ httpGet: { path: `/healthz${query}`, port: "monitor" } });
    const containers: k8s.types.input.core.v1.Container[] = [
      {
        name: "nats",
        image: IMAGES.nats,
        imagePullPolicy: "IfNotPresent",
        command: ["nats-server", "--config", NATS_POD_PATHS.config],
        ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
        env,
        resources: guaranteedResources(a.cpu, a.memory),
        securityContext: restrictedContainerSecurityContext(),
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
        // Lame duck: stop accepting clients, hand off JetStream leadership, then exit.
        lifecycle: {
          preStop: {
            exec: { command: ["nats-server", "--signal", `ldm=${NATS_POD_PATHS.pidFile}`] },
          },
        },
        volumeMounts: [
          { name: "config", mountPath: NATS_POD_PATHS.configDir, readOnly: true },
          { name: "pid", mountPath: NATS_POD_PATHS.pidDir },
          { name: "data", mountPath: NATS_POD_PATHS.dataDir },
        ],
      },
    ];
    if (a.exporter) {
      containers.push({
        name: "exporter",
        image: IMAGES.natsExporter,
        imagePullPolicy: "IfNotPresent",
        args: [
          "-port",
          String(NATS_PORTS.exporter),
          "-connz",
          "-routez",
          "-subz",
          "-varz",
          "-jsz=all",
          "-use_internal_server_id",
          `http://localhost:${NATS_PORTS.monitor}/`,
        ],
        ports: [{ name: "metrics", containerPort: NATS_PORTS.exporter, protocol: "TCP" }],
        resources: guaranteedResources("50m", "64Mi"),
        securityContext: restrictedContainerSecurityContext(),
      });
    }

    const timeout = `${a.rolloutTimeoutMinutes}m`;
    this.statefulSet = new k8s.apps.v1.StatefulSet(
      `${name}-statefulset`,
      {
        metadata: {
          name,
          namespace: args.namespace,
          labels,
        },
        spec: {
          replicas: a.replicas,
          serviceName: headless,
          podManagementPolicy: "Parallel",
          selector: { matchLabels: selector },
          template: {
            metadata: {
              labels,
              annotations: {
                // A config change must roll the pods; the hash covers only non-secret config.
                "kgents.io/config-hash": sha256(natsConf),
                ...(a.exporter
                  ? {
                      "prometheus.io/scrape": "true",
                      "prometheus.io/port": String(NATS_PORTS.exporter),
                    }
                  : {}),
              },
            },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              terminationGracePeriodSeconds: 60,
              securityContext: restrictedPodSecurityContext(1000),
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: "kubernetes.io/hostname",
                  whenUnsatisfiable: a.spreadPolicy === "hard" ? "DoNotSchedule" : "ScheduleAnyway",
                  labelSelector: { matchLabels: selector },
                },
              ],
              containers,
              volumes: [
                {
                  name: "config",
                  projected: {
                    sources: [
                      { configMap: { name: config.metadata.name } },
                      { secret: { name: routesSecret.metadata.name } },
                    ],
                  },
                },
                { name: "pid", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
              ],
            },
          },
          volumeClaimTemplates: [dataClaimTemplate(a.storage, a.storageClass, selector)],
        },
      },
      { ...child, customTimeouts: { create: timeout, update: timeout } },
    );

    this.pdb = new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      {
        metadata: { name, namespace: args.namespace, labels },
        spec: {
          minAvailable,
          selector: { matchLabels: selector },
          // A crash-looping pod must not block a drain forever.
          unhealthyPodEvictionPolicy: "AlwaysAllow",
        },
      },
      child,
    );

    this.clientUrl = pulumi.interpolate`nats://${clientService.metadata.name}.${clientService.metadata.namespace}.svc.${a.clusterDomain}:${NATS_PORTS.client}`;
    this.authSecretName = auth.metadata.name;
    this.registerOutputs({
      clientUrl: this.clientUrl,
      authSecretName: this.authSecretName,
    });
  }
}
