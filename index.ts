// The kgents platform tier, one stack per environment: validated config in, components wired,
// outputs exported. Every Kubernetes object goes through the stack's explicit provider.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  DataPriority,
  Gateway,
  NatsCluster,
  NetworkPolicies,
  RedisStore,
  TierNamespaces,
} from "./components";
import { clusterTarget } from "./lib/cluster-target";
import {
  CONFIG_NAMESPACE,
  natsSyncWarning,
  parseStackConfig,
  StackConfigError,
} from "./lib/config";
import { flowTable } from "./lib/flows";
import { dataPriorityClassName } from "./lib/priority-class";
import { GATEWAY_NATS_USER } from "./lib/gateway";
import { GATEWAY, NATS, REDIS, tierNamespace } from "./lib/topology";

function readConfig() {
  const raw = Object.fromEntries(
    Object.entries(pulumi.runtime.allConfig()).filter(([k]) =>
      k.startsWith(`${CONFIG_NAMESPACE}:`),
    ),
  );
  try {
    return parseStackConfig(raw);
  } catch (e) {
    // RunError: print the problems, not a stack trace, and register nothing.
    if (e instanceof StackConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const cfg = readConfig();
const stack = pulumi.getStack();
const syncWarning = natsSyncWarning(cfg);
if (syncWarning) void pulumi.log.warn(syncWarning);

// Stack config names the cluster; local runs may re-aim it or render YAML instead (lib/cluster-target.ts).
const target = clusterTarget(cfg, process.env);
for (const w of target.warnings) void pulumi.log.warn(w);
const provider = new k8s.Provider(`kgents-${stack}`, {
  ...target.providerArgs,
  enableServerSideApply: true,
});
const withProvider: pulumi.ComponentResourceOptions = { providers: [provider] };
const protect: pulumi.ComponentResourceOptions = { ...withProvider, protect: cfg.protectData };

const tiers = new TierNamespaces("tiers", { prefix: cfg.namespacePrefix }, withProvider);
const afterNamespaces = { ...withProvider, dependsOn: [...tiers.namespaces] };

// Policies first: no workload pod ever runs in an open namespace.
const policies = new NetworkPolicies(
  "network",
  {
    prefix: cfg.namespacePrefix,
    flows: flowTable({
      ingressNamespace: cfg.ingressNamespace,
      gatewayPort: cfg.gatewayPort,
      extraFlows: cfg.extraFlows,
    }),
  },
  afterNamespaces,
);
const priority = new DataPriority("data-priority", { prefix: cfg.namespacePrefix }, withProvider);
const afterPolicies = {
  ...protect,
  dependsOn: [...tiers.namespaces, policies, priority.priorityClass],
};
const priorityClassName = dataPriorityClassName(cfg.namespacePrefix);

const nats = new NatsCluster(
  "nats",
  {
    namespace: tierNamespace(cfg.namespacePrefix, NATS.tier),
    priorityClassName,
    replicas: cfg.natsReplicas,
    minAvailable: cfg.natsPdbMinAvailable,
    cpu: cfg.natsCpu,
    memory: cfg.natsMemory,
    storage: cfg.natsStorage,
    storageClass: cfg.storageClass,
    exporter: cfg.natsExporter,
    syncInterval: cfg.natsSyncInterval,
    spreadPolicy: cfg.spreadPolicy,
    clusterDomain: cfg.clusterDomain,
    rolloutTimeoutMinutes: cfg.rolloutTimeoutMinutes,
  },
  afterPolicies,
);

const redis = new RedisStore(
  "redis",
  {
    namespace: tierNamespace(cfg.namespacePrefix, REDIS.tier),
    priorityClassName,
    cpu: cfg.redisCpu,
    memory: cfg.redisMemory,
    storage: cfg.redisStorage,
    storageClass: cfg.storageClass,
    appendOnly: cfg.redisAppendOnly,
    appendFsync: cfg.redisAppendFsync,
    clusterDomain: cfg.clusterDomain,
    rolloutTimeoutMinutes: cfg.rolloutTimeoutMinutes,
  },
  afterPolicies,
);

// Not protected (it holds no data), and not waiting for NATS and Redis: it reconnects on its own,
// and /health/saas reports them until they are up.
const gateway = new Gateway(
  GATEWAY.name,
  {
    namespace: tierNamespace(cfg.namespacePrefix, GATEWAY.tier),
    image: cfg.gatewayImage,
    port: cfg.gatewayPort,
    replicas: cfg.gatewayReplicas,
    cpu: cfg.gatewayCpu,
    memory: cfg.gatewayMemory,
    spreadPolicy: cfg.spreadPolicy,
    natsNamespace: tierNamespace(cfg.namespacePrefix, NATS.tier),
    redisNamespace: tierNamespace(cfg.namespacePrefix, REDIS.tier),
    natsPassword: nats.clientPasswords[GATEWAY_NATS_USER] as pulumi.Output<string>,
    redisPassword: redis.password,
    clusterDomain: cfg.clusterDomain,
    rolloutTimeoutMinutes: cfg.rolloutTimeoutMinutes,
  },
  { ...withProvider, dependsOn: [...tiers.namespaces, policies] },
);

export const namespaces = tiers.names;
export const networkPolicies = policies.policyNames;
export const natsClientUrl = nats.clientUrl;
export const redisHost = redis.host;
/** In-cluster URL of the gateway's /health/saas. */
export const gatewayHealthUrl = gateway.healthUrl;
/** Where the credentials live (`namespace/secret`); secret outputs so reviews show no names of secrets in clear. */
export const natsCredentialsSecret = pulumi.secret(
  pulumi.interpolate`${tiers.names.agents}/${nats.authSecretName}`,
);
export const redisCredentialsSecret = pulumi.secret(
  pulumi.interpolate`${tiers.names.triad}/${redis.authSecretName}`,
);
