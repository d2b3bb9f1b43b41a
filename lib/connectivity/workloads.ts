// The workloads the connectivity report reasons about: the pod templates of the objects
// (StatefulSets, Deployments, ...), plus the ones that exist today only as a namespace or as a
// peer of the flow table (agent clients, observability scrapers, the ingress controller,
// kube-dns) and one stranger pod standing for "any other pod of the cluster". The modelled ones
// carry only the labels the flow table gives them, so a policy must not rely on more.
import type { Endpoint, Flow } from "../flows";
import {
  NAMESPACE_NAME_LABEL,
  TIERS,
  type Tier,
  WORKLOADS,
  type WorkloadName,
  selectorLabels,
  tierNamespace,
} from "../topology";
import {
  type Labels,
  type WorkloadObj,
  Unknown,
  classify,
  toNamespace,
  toWorkload,
} from "../../policy-pack/analysis";
import { type KubeObject, toStackResource } from "./objects";
import type { Protocol, TrafficPeer } from "./policy-engine";

export interface NamedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface WorkloadNode extends TrafficPeer {
  /** `namespace/name`, the row label of the report. */
  readonly id: string;
  readonly name: string;
  /** The managed tier whose namespace holds it; undefined outside the tier. */
  readonly tier?: Tier;
  /** `object`: from a pod template; `modelled`: from the flow table only. */
  readonly origin: "object" | "modelled";
  /** For modelled workloads: what stands behind them. */
  readonly note?: string;
  /** Container ports (named ports resolve against them). */
  readonly ports: readonly NamedPort[];
}

/** Namespace that stands for "anywhere else in the cluster". */
export const STRANGER_NAMESPACE = "default";

export interface WorkloadModelInputs {
  readonly objects: readonly KubeObject[];
  readonly flows: readonly Flow[];
  readonly namespacePrefix: string;
}

function containerPorts(w: WorkloadObj): NamedPort[] {
  const out: NamedPort[] = [];
  if (w.podSpec instanceof Unknown) return out;
  const spec = w.podSpec.value as { containers?: { ports?: unknown[] }[] } | undefined;
  for (const c of spec?.containers ?? []) {
    for (const p of (c.ports ?? []) as {
      name?: string;
      containerPort?: number;
      protocol?: Protocol;
    }[]) {
      if (typeof p.containerPort === "number") {
        out.push({ name: p.name ?? "", port: p.containerPort, protocol: p.protocol ?? "TCP" });
      }
    }
  }
  return out;
}

/** Labels the API server gives a namespace: its own plus the immutable name label. */
function namespaceLabels(name: string, declared: Labels | undefined): Labels {
  return { ...(declared ?? {}), [NAMESPACE_NAME_LABEL]: name };
}

/**
 * Every workload of the model, in a stable order: tiers first (objects, then modelled), then the
 * namespaces outside the tier the flow table names, then the stranger. IPs are synthetic and
 * unique (10.<n>.0.<m>) so that ipBlock peers can be evaluated.
 */
export function workloadModel(inputs: WorkloadModelInputs): WorkloadNode[] {
  const { objects, flows, namespacePrefix: prefix } = inputs;
  const nsLabels = new Map<string, Labels>();
  for (const o of objects) {
    const r = toStackResource(o);
    if (classify(r.type)?.class !== "Namespace") continue;
    const ns = toNamespace(r);
    nsLabels.set(o.metadata.name, ns.labels instanceof Unknown ? {} : ns.labels);
  }
  const tierOf = new Map<string, Tier>(TIERS.map((t) => [tierNamespace(prefix, t), t]));
  const nodes: Omit<WorkloadNode, "ip">[] = [];
  const add = (n: Omit<WorkloadNode, "ip" | "id" | "namespaceLabels">): void => {
    const id = `${n.namespace}/${n.name}`;
    if (nodes.some((x) => x.id === id)) return;
    nodes.push({
      ...n,
      id,
      namespaceLabels: namespaceLabels(n.namespace, nsLabels.get(n.namespace)),
    });
  };

  // 1. Pod templates of the objects, in managed namespaces.
  for (const o of objects) {
    const r = toStackResource(o);
    const c = classify(r.type);
    if (c?.class !== "Workload") continue;
    const w = toWorkload(r, c.kind);
    const ns = w.namespace instanceof Unknown ? undefined : w.namespace;
    if (ns === undefined || w.podLabels instanceof Unknown) continue;
    add({
      namespace: ns,
      name: o.metadata.name,
      tier: tierOf.get(ns),
      origin: "object",
      podLabels: w.podLabels,
      ports: containerPorts(w),
    });
  }

  // 2. What the flow table names but no object provides.
  const covered = (ep: Endpoint, n: Omit<WorkloadNode, "ip">): boolean =>
    endpointCovers(ep, n, prefix);
  for (const t of TIERS) {
    const ns = tierNamespace(prefix, t);
    // Pods of a tier that belong to no workload object: agent clients, scrapers, the gateway's
    // other pods. They carry no workload label, so only tier-wide peers may admit them.
    add({
      namespace: ns,
      name: "pods",
      tier: t,
      origin: "modelled",
      note: `any other pod of ${ns} (the flow table's "${t} pods")`,
      podLabels: {},
      ports: [],
    });
  }
  for (const f of flows) {
    for (const ep of [...f.from, f.to]) {
      if (ep.kind === "tier" && ep.workload) {
        const ns = tierNamespace(prefix, ep.tier);
        if (nodes.some((n) => n.namespace === ns && covered(ep, n) && n.origin === "object")) {
          continue;
        }
        add({
          namespace: ns,
          name: ep.workload,
          tier: ep.tier,
          origin: "modelled",
          note: `workload ${ep.workload} of the flow table; no object in the manifests`,
          podLabels: workloadPodLabels(ep.workload),
          ports: [],
        });
      } else if (ep.kind === "external") {
        const name = ep.podLabels ? Object.values(ep.podLabels).join("-") : "pods";
        add({
          namespace: ep.namespace,
          name,
          origin: "modelled",
          note: `${
            ep.podLabels
              ? "pods labelled " +
                Object.entries(ep.podLabels)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(",")
              : "any pod"
          } in ${ep.namespace} (outside the tier)`,
          podLabels: ep.podLabels ?? {},
          ports: [],
        });
      }
    }
  }
  add({
    namespace: STRANGER_NAMESPACE,
    name: "stranger",
    origin: "modelled",
    note: "any pod of any other namespace: must reach nothing and be reached by nothing",
    podLabels: {},
    ports: [],
  });
  const rank = (n: Omit<WorkloadNode, "ip">): number =>
    n.tier !== undefined ? TIERS.indexOf(n.tier) : n.namespace === STRANGER_NAMESPACE ? 99 : 50;
  nodes.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      Number(a.origin === "modelled") - Number(b.origin === "modelled") ||
      a.id.localeCompare(b.id),
  );
  return nodes.map((n, i) => ({ ...n, ip: `10.${Math.floor(i / 250) + 1}.0.${(i % 250) + 1}` }));
}

/** Labels a workload's pods carry for its selectors (lib/topology's one selector contract). */
function workloadPodLabels(w: WorkloadName): Labels {
  return selectorLabels(WORKLOADS[w]);
}

function hasAll(labels: Labels, want: Labels): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}

/** Whether a flow-table endpoint covers a workload. */
export function endpointCovers(
  ep: Endpoint,
  n: Pick<WorkloadNode, "namespace" | "podLabels" | "tier">,
  prefix: string,
): boolean {
  switch (ep.kind) {
    case "tier":
      return (
        n.namespace === tierNamespace(prefix, ep.tier) &&
        (ep.workload === undefined || hasAll(n.podLabels, workloadPodLabels(ep.workload)))
      );
    case "external":
      return n.namespace === ep.namespace && hasAll(n.podLabels, ep.podLabels ?? {});
    case "all-managed":
      return n.tier !== undefined;
  }
}
