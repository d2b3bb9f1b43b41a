// The flow table: the single source of truth for every NetworkPolicy, for the policy pack's
// expectations and for the connectivity tests. Who talks to whom, on which workload's port;
// the names and numbers come from lib/topology. Pure data and pure functions, no Pulumi.
import {
  GATEWAY,
  KUBE_DNS,
  NATS,
  REDIS,
  TIER,
  TIERS,
  type Tier,
  type Workload,
  WORKLOAD_NAMES,
  type WorkloadName,
} from "./topology";

export type Protocol = "TCP" | "UDP";
export interface PortSpec {
  readonly port: number;
  readonly protocol: Protocol;
}

/** Where a flow starts or ends. */
export type Endpoint =
  /** Pods of a managed tier namespace: all of them, or one workload's. */
  | { readonly kind: "tier"; readonly tier: Tier; readonly workload?: WorkloadName }
  /** Pods of an unmanaged namespace (kube-system, the ingress controller's). */
  | {
      readonly kind: "external";
      readonly namespace: string;
      readonly podLabels?: Readonly<Record<string, string>>;
    }
  /** Every pod of every managed namespace. */
  | { readonly kind: "all-managed" };

export interface Flow {
  /** Short kebab-case name; NetworkPolicy names derive from it. */
  readonly name: string;
  readonly from: readonly Endpoint[];
  readonly to: Endpoint;
  readonly ports: readonly PortSpec[];
  readonly why: string;
}

const tcp = (port: number): PortSpec => ({ port, protocol: "TCP" });
/** Every pod of a tier. */
const tier = (t: Tier): Endpoint => ({ kind: "tier", tier: t });
/** A workload's pods, in its tier. */
const pods = (w: Workload & { name: WorkloadName }): Endpoint => ({
  kind: "tier",
  tier: w.tier,
  workload: w.name,
});

export interface FlowTableInputs {
  /** Namespace of the ingress controller that may reach the gateway. */
  readonly ingressNamespace: string;
  /** Port the gateway pods listen on. */
  readonly gatewayPort: number;
  /** Extra flows from stack config, already parsed. */
  readonly extraFlows?: readonly Flow[];
}

/** The flow table, instantiated for one stack. */
export function flowTable(inputs: FlowTableInputs): Flow[] {
  return [
    {
      name: "nats-client",
      // The gateway tier's clients are the gateway's pods; agents are many workloads.
      from: [pods(GATEWAY), tier(TIER.agents)],
      to: pods(NATS),
      ports: [tcp(NATS.ports.client)],
      why: "clients",
    },
    {
      name: "nats-route",
      from: [pods(NATS)],
      to: pods(NATS),
      ports: [tcp(NATS.ports.cluster)],
      why: "cluster routes",
    },
    {
      name: "nats-monitor",
      from: [tier(TIER.observability)],
      to: pods(NATS),
      ports: [tcp(NATS.ports.monitor), tcp(NATS.ports.exporter)],
      why: "monitoring, exporter",
    },
    {
      name: "redis-client",
      from: [tier(TIER.agents), pods(GATEWAY), tier(TIER.triad)],
      to: pods(REDIS),
      ports: [tcp(REDIS.ports.redis)],
      why: "idempotency store",
    },
    {
      name: "dns",
      from: [{ kind: "all-managed" }],
      to: { kind: "external", namespace: KUBE_DNS.namespace, podLabels: KUBE_DNS.podLabels },
      ports: [
        { port: KUBE_DNS.port, protocol: "UDP" },
        { port: KUBE_DNS.port, protocol: "TCP" },
      ],
      why: "name resolution",
    },
    {
      name: "gateway-public",
      from: [{ kind: "external", namespace: inputs.ingressNamespace }],
      to: pods(GATEWAY),
      ports: [tcp(inputs.gatewayPort)],
      why: "public traffic",
    },
    {
      name: "gateway-metrics",
      from: [tier(TIER.observability)],
      to: pods(GATEWAY),
      ports: [tcp(GATEWAY.ports.metrics)],
      why: "scraping the gateway",
    },
    ...(inputs.extraFlows ?? []),
  ];
}

const EXTRA_FLOW = /^([a-z]+)(?:\/([a-z]+))?->([a-z]+)(?:\/([a-z]+))?:(\d+)\/(TCP|UDP)$/;

/**
 * Parses an extra flow written as `from[/workload]->to[/workload]:port/PROTO`, e.g.
 * `observability->triad/redis:9121/TCP`. Returns an error message naming the rule on failure.
 */
export function parseExtraFlow(text: string): Flow | string {
  const m = EXTRA_FLOW.exec(text);
  if (!m) return "must look like from[/workload]->to[/workload]:port/TCP|UDP";
  const [, fromTier, fromWl, toTier, toWl, port, proto] = m;
  for (const t of [fromTier, toTier]) {
    if (!(TIERS as readonly string[]).includes(t ?? "")) {
      return `unknown tier "${t}" (tiers: ${TIERS.join(", ")})`;
    }
  }
  for (const w of [fromWl, toWl]) {
    if (w !== undefined && !(WORKLOAD_NAMES as readonly string[]).includes(w)) {
      return `unknown workload "${w}" (workloads: ${WORKLOAD_NAMES.join(", ")})`;
    }
  }
  const portNum = Number(port);
  if (portNum < 1 || portNum > 65535) return `port ${portNum} is outside 1-65535`;
  const endpoint = (t: string | undefined, w: string | undefined): Endpoint =>
    w === undefined
      ? tier(t as Tier)
      : { kind: "tier", tier: t as Tier, workload: w as WorkloadName };
  return {
    name: `extra-${fromTier}-${toTier}-${portNum}`,
    from: [endpoint(fromTier, fromWl)],
    to: endpoint(toTier, toWl),
    ports: [{ port: portNum, protocol: proto as Protocol }],
    why: "extra flow from stack config",
  };
}
