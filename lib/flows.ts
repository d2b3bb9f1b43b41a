// The flow table: the single source of truth for every NetworkPolicy, for the policy pack's
// expectations and for the connectivity report. Pure data and pure functions, no Pulumi.

export const TIERS = ["agents", "triad", "gateway", "observability"] as const;
export type Tier = (typeof TIERS)[number];

export const WORKLOADS = ["nats", "redis", "gateway"] as const;
export type Workload = (typeof WORKLOADS)[number];

export type Protocol = "TCP" | "UDP";
export interface PortSpec {
  readonly port: number;
  readonly protocol: Protocol;
}

/** Where a flow starts or ends. */
export type Endpoint =
  /** Pods of a managed tier namespace: all of them, or one workload's. */
  | { readonly kind: "tier"; readonly tier: Tier; readonly workload?: Workload }
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

export const NATS_PORTS = { client: 4222, cluster: 6222, monitor: 8222, exporter: 7777 } as const;
export const REDIS_PORT = 6379;
export const DNS_PORT = 53;

const tcp = (port: number): PortSpec => ({ port, protocol: "TCP" });
const tier = (t: Tier, workload?: Workload): Endpoint =>
  workload ? { kind: "tier", tier: t, workload } : { kind: "tier", tier: t };

export interface FlowTableInputs {
  /** Namespace of the ingress controller that may reach the gateway. */
  readonly ingressNamespace: string;
  /** Port the gateway pods listen on. */
  readonly gatewayPort: number;
  /** Extra flows from stack config, already parsed. */
  readonly extraFlows?: readonly Flow[];
}

/** The flow table of DESIGN.md, instantiated for one stack. */
export function flowTable(inputs: FlowTableInputs): Flow[] {
  return [
    {
      name: "nats-client",
      from: [tier("gateway"), tier("agents")],
      to: tier("agents", "nats"),
      ports: [tcp(NATS_PORTS.client)],
      why: "clients",
    },
    {
      name: "nats-route",
      from: [tier("agents", "nats")],
      to: tier("agents", "nats"),
      ports: [tcp(NATS_PORTS.cluster)],
      why: "cluster routes",
    },
    {
      name: "nats-monitor",
      from: [tier("observability")],
      to: tier("agents", "nats"),
      ports: [tcp(NATS_PORTS.monitor), tcp(NATS_PORTS.exporter)],
      why: "monitoring, exporter",
    },
    {
      name: "redis-client",
      from: [tier("agents"), tier("gateway"), tier("triad")],
      to: tier("triad", "redis"),
      ports: [tcp(REDIS_PORT)],
      why: "idempotency store",
    },
    {
      name: "dns",
      from: [{ kind: "all-managed" }],
      to: { kind: "external", namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
      ports: [
        { port: DNS_PORT, protocol: "UDP" },
        { port: DNS_PORT, protocol: "TCP" },
      ],
      why: "name resolution",
    },
    {
      name: "gateway-public",
      from: [{ kind: "external", namespace: inputs.ingressNamespace }],
      to: tier("gateway", "gateway"),
      ports: [tcp(inputs.gatewayPort)],
      why: "public traffic",
    },
    ...(inputs.extraFlows ?? []),
  ];
}

/** Pod labels that select a workload (stable subset: name + part-of). */
export function workloadPodLabels(workload: Workload): Record<string, string> {
  return { "app.kubernetes.io/name": workload, "app.kubernetes.io/part-of": "kgents" };
}

/** Namespace name of a tier. */
export function tierNamespace(prefix: string, t: Tier): string {
  return `${prefix}-${t}`;
}

/** The immutable namespace-name label: a tenant cannot forge it by patching a namespace. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

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
    if (w !== undefined && !(WORKLOADS as readonly string[]).includes(w)) {
      return `unknown workload "${w}" (workloads: ${WORKLOADS.join(", ")})`;
    }
  }
  const portNum = Number(port);
  if (portNum < 1 || portNum > 65535) return `port ${portNum} is outside 1-65535`;
  return {
    name: `extra-${fromTier}-${toTier}-${portNum}`,
    from: [tier(fromTier as Tier, fromWl as Workload | undefined)],
    to: tier(toTier as Tier, toWl as Workload | undefined),
    ports: [{ port: portNum, protocol: proto as Protocol }],
    why: "extra flow from stack config",
  };
}
