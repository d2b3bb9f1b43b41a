// NetworkPolicy isolation, per direction, as the API defines it:
// - A pod is isolated for a direction once any NetworkPolicy selecting it has that direction in
//   its policyTypes. policyTypes defaults (when absent or empty) to Ingress always, plus Egress
//   only if the policy has at least one egress rule: `egress: []` without policyTypes does NOT
//   isolate egress.
// - Rules of a direction only count if the direction is in the effective policyTypes. An empty or
//   missing rule list allows nothing; a rule with no peers allows every peer; a rule with no ports
//   allows every port. Peers in a list are ORed; podSelector and namespaceSelector in ONE peer are
//   ANDed (those pods in those namespaces).
// - A namespace is isolated for a direction (whatever pods come later) when a policy in it selects
//   every pod (`podSelector: {}`) with that direction in its effective policyTypes.
import { KUBE_DNS } from "../../lib/topology/workloads";

import { type IpBlockSpec, admitted, isOpenAddressSet } from "./cidr";
import type { Direction, NetworkPolicyObj, Peer, PortSpec, Rule } from "./resources";
import {
  type Labels,
  NAMESPACE_NAME_LABEL,
  type Selector,
  coversEveryLabelSet,
  matches,
  confinedTo,
  describeLabels,
  describeSelector,
  excludedNamespaces,
  selectsEveryNamespace,
  selectsEveryPod,
  selectsEverything,
} from "./selectors";
import { type Maybe, Unknown } from "./unknown";

/** The DNS port: egress to it may only reach the cluster DNS. */
const DNS = KUBE_DNS.port;

/** The four answers of effectivePolicyTypes, shared: it is asked per policy and direction. */
const TYPES: readonly ReadonlySet<Direction>[] = [
  new Set<Direction>(),
  new Set<Direction>(["Ingress"]),
  new Set<Direction>(["Egress"]),
  new Set<Direction>(["Ingress", "Egress"]),
];

const typesOf = (ingress: boolean, egress: boolean): ReadonlySet<Direction> =>
  TYPES[(ingress ? 1 : 0) + (egress ? 2 : 0)] as ReadonlySet<Direction>;

/** The directions a policy governs, after defaulting. */
export function effectivePolicyTypes(np: NetworkPolicyObj): Maybe<ReadonlySet<Direction>> {
  if (np.policyTypes instanceof Unknown) return np.policyTypes;
  if (np.policyTypes !== undefined) {
    return typesOf(np.policyTypes.includes("Ingress"), np.policyTypes.includes("Egress"));
  }
  if (np.egress instanceof Unknown) return np.egress;
  return typesOf(true, np.egress !== undefined && np.egress.length > 0);
}

/** Whether this policy, on its own, isolates every pod of its namespace for `dir`. */
export function isolatesNamespace(np: NetworkPolicyObj, dir: Direction): Maybe<boolean> {
  if (np.podSelector instanceof Unknown) return np.podSelector;
  if (!selectsEverything(np.podSelector)) return false;
  const types = effectivePolicyTypes(np);
  if (types instanceof Unknown) return types;
  return types.has(dir);
}

/** Why a policy that selects every pod still leaves `dir` open, if it is a known pitfall. */
export function isolationPitfall(np: NetworkPolicyObj, dir: Direction): string | undefined {
  if (dir !== "Egress" || np.policyTypes !== undefined) return undefined;
  if (np.podSelector instanceof Unknown || !selectsEverything(np.podSelector)) return undefined;
  if (np.egress instanceof Unknown) return undefined;
  const written = np.egress === undefined ? "has no egress section" : "has `egress: []`";
  return `NetworkPolicy ${np.name instanceof Unknown ? "<unknown>" : np.name} ${written} and no policyTypes, so its policyTypes default to [Ingress] and egress stays open; list Egress in policyTypes`;
}

/** Ports a universal rule may still open (e.g. DNS egress), written `53/UDP`. */
export type OpenPortAllowance = ReadonlySet<string>;

export interface OpenRule {
  /** Path of the rule, e.g. `spec.ingress[0]`. */
  readonly path: string;
  /** Why the rule lets in (or out) everyone. */
  readonly reason: string;
  /** Ports it opens, as written; "all ports" when unrestricted. */
  readonly ports: string;
  /** `open`: every peer; `dns`: DNS egress wider than the cluster DNS. */
  readonly kind: "open" | "dns";
}

/** A destination DNS egress may go to: pods with these labels in this namespace. */
export interface DnsPeer {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** What a rule may open without being reported. */
export interface OpenRuleOptions {
  /** Ports (`53/UDP`) a rule may open to everyone (explicit opt-out). */
  readonly allowed: OpenPortAllowance;
  /** Egress on port 53 may only reach these peers; undefined = no DNS rule. */
  readonly dnsPeers?: readonly DnsPeer[];
  /** The policy's own namespace (a peer without namespaceSelector is in it). */
  readonly namespace?: string;
}

function describePeerNamespaces(sel: Selector): string {
  const ex = excludedNamespaces(sel);
  return ex.length > 0 ? `every namespace but ${ex.join(", ")}` : "every namespace";
}

/** Why a pod/namespace peer matches every pod of every namespace, or undefined. */
function universalPeer(p: Peer): Maybe<string | undefined> {
  if (p.ipBlock !== undefined) return undefined;
  if (p.namespaceSelector instanceof Unknown) return p.namespaceSelector;
  if (p.namespaceSelector === undefined || !selectsEveryNamespace(p.namespaceSelector)) {
    return undefined;
  }
  if (p.podSelector instanceof Unknown) return p.podSelector;
  const nsText = selectsEverything(p.namespaceSelector)
    ? "`namespaceSelector: {}`"
    : `namespaceSelector ${describeSelector(p.namespaceSelector)} (selects ${describePeerNamespaces(p.namespaceSelector)}, new ones included)`;
  if (p.podSelector === undefined) {
    return `${p.path} is ${nsText} without a podSelector: every pod in every namespace`;
  }
  if (selectsEveryPod(p.podSelector)) {
    const podText = selectsEverything(p.podSelector)
      ? "`podSelector: {}`"
      : `podSelector ${describeSelector(p.podSelector)}, which an unlabelled pod satisfies`;
    return `${p.path} is ${nsText} with ${podText}: every pod in every namespace`;
  }
  return undefined;
}

function portKey(p: PortSpec): string {
  return `${String(p.port)}/${p.protocol}`;
}

function describePorts(ports: readonly PortSpec[]): string {
  if (ports.length === 0) return "all ports";
  return ports
    .map((p) =>
      p.port === undefined
        ? `all ${p.protocol} ports`
        : p.endPort !== undefined
          ? `${String(p.port)}-${p.endPort}/${p.protocol}`
          : portKey(p),
    )
    .join(", ");
}

/** Whether every port of the rule is one the allowance tolerates. */
function onlyAllowedPorts(ports: readonly PortSpec[], allowed: OpenPortAllowance): boolean {
  if (ports.length === 0 || allowed.size === 0) return false;
  return ports.every(
    (p) =>
      p.port !== undefined &&
      (p.endPort === undefined || p.endPort === p.port) &&
      allowed.has(portKey(p)),
  );
}

/** Whether the rule names port 53 (UDP or TCP), alone or in a range; an empty list does not. */
function namesDnsPort(ports: readonly PortSpec[], allowed: OpenPortAllowance): boolean {
  return ports.some(
    (p) =>
      (p.protocol === "UDP" || p.protocol === "TCP") &&
      !allowed.has(`${DNS}/${p.protocol}`) &&
      (p.port === undefined ||
        p.port === DNS ||
        (typeof p.port === "number" &&
          p.endPort !== undefined &&
          p.port <= DNS &&
          DNS <= p.endPort)),
  );
}

/** Whether the peer only reaches the cluster DNS pods. */
export function isDnsPeer(p: Peer, dns: readonly DnsPeer[], policyNamespace?: string): boolean {
  if (p.ipBlock !== undefined) return false;
  if (p.podSelector === undefined || p.podSelector instanceof Unknown) return false;
  if (p.namespaceSelector instanceof Unknown) return false;
  const pod = p.podSelector;
  const nsSel = p.namespaceSelector;
  return dns.some(
    (d) =>
      (nsSel === undefined
        ? policyNamespace === d.namespace
        : confinedTo(nsSel, NAMESPACE_NAME_LABEL, [d.namespace])) &&
      Object.keys(d.podLabels).length > 0 &&
      Object.entries(d.podLabels).every(([k, v]) => confinedTo(pod, k, [v])),
  );
}

/**
 * Rules of `dir` that re-open the policy's pods to everyone: no peers (`ingress: [{}]`,
 * `from: []`), a peer selecting every namespace (however spelled) without narrowing the pods,
 * or ipBlocks that together admit most of the internet (see cidr.ts); and egress rules that let
 * DNS (port 53) reach anything but the cluster DNS. A rule whose every port is in
 * `allowed` is not reported. Only counts rules of directions the policy governs.
 */
export function openRules(
  np: NetworkPolicyObj,
  dir: Direction,
  opts: OpenRuleOptions,
): Maybe<OpenRule[]> {
  const types = effectivePolicyTypes(np);
  if (types instanceof Unknown) return types;
  if (!types.has(dir)) return [];
  const rules = dir === "Ingress" ? np.ingress : np.egress;
  if (rules instanceof Unknown) return rules;
  const ns = np.namespace instanceof Unknown ? undefined : np.namespace;
  const out: OpenRule[] = [];
  const ruleOpts = ns !== undefined ? { ...opts, namespace: ns } : opts;
  for (const r of rules ?? []) {
    const o = openRule(r, dir, ruleOpts);
    if (o instanceof Unknown) return o;
    if (o) out.push(o);
  }
  return out;
}

function openRule(
  r: Maybe<Rule>,
  dir: Direction,
  opts: OpenRuleOptions,
): Maybe<OpenRule | undefined> {
  if (r instanceof Unknown) return r;
  if (r.peers instanceof Unknown) return r.peers;
  if (r.ports instanceof Unknown) return r.ports;
  const ports: PortSpec[] = [];
  for (const p of r.ports) {
    if (p instanceof Unknown) return p;
    ports.push(p);
  }
  if (onlyAllowedPorts(ports, opts.allowed)) return undefined;
  let reason: string | undefined;
  const peers: Peer[] = [];
  for (const p of r.peers) {
    if (p instanceof Unknown) return p;
    peers.push(p);
  }
  if (peers.length === 0) {
    reason =
      dir === "Ingress"
        ? `${r.path} has no \`from\`: every source`
        : `${r.path} has no \`to\`: every destination`;
  } else {
    for (const p of peers) {
      const why = universalPeer(p);
      if (why instanceof Unknown) return why;
      if (why) {
        reason = why;
        break;
      }
    }
  }
  if (!reason) {
    const blocks: IpBlockSpec[] = [];
    for (const p of peers) {
      if (p.ipBlock === undefined) continue;
      if (p.ipBlock instanceof Unknown) return p.ipBlock;
      if (p.ipBlock.cidr instanceof Unknown) return p.ipBlock.cidr;
      blocks.push({ cidr: p.ipBlock.cidr ?? "", except: p.ipBlock.except });
    }
    if (blocks.length > 0) {
      const { set, invalid } = admitted(blocks);
      const written = blocks
        .map((b) => (b.except.length > 0 ? `${b.cidr} except ${b.except.join(", ")}` : b.cidr))
        .join(" + ");
      if (invalid.length > 0) {
        reason = `${r.path} has ipBlock ${invalid.map((x) => JSON.stringify(x)).join(", ")} that the pack cannot read as a CIDR`;
      } else {
        const open = isOpenAddressSet(set);
        if (open) reason = `${r.path} ipBlocks ${written} ${open}`;
      }
    }
  }
  if (reason) return { path: r.path, reason, ports: describePorts(ports), kind: "open" };
  if (dir === "Egress" && opts.dnsPeers && namesDnsPort(ports, opts.allowed)) {
    const wide = peers.filter((p) => !isDnsPeer(p, opts.dnsPeers ?? [], opts.namespace));
    if (wide.length > 0) {
      const where = opts.dnsPeers.map((d) => `${describeLabels(d.podLabels)} in ${d.namespace}`);
      return {
        path: r.path,
        reason:
          `${r.path} lets DNS (port ${DNS}) reach ${wide.map((p) => p.path).join(", ")}, wider than ` +
          `the cluster DNS (${where.join(" or ")}): a resolver outside the cluster is a tunnel out`,
        ports: describePorts(ports),
        kind: "dns",
      };
    }
  }
  return undefined;
}

/** Every namespaceSelector of every peer of the policy's governed rules, with its path. */
export function namespaceSelectors(
  np: NetworkPolicyObj,
): Maybe<{ path: string; selector: Maybe<Selector> }[]> {
  const out: { path: string; selector: Maybe<Selector> }[] = [];
  for (const rules of [np.ingress, np.egress]) {
    if (rules instanceof Unknown) return rules;
    for (const r of rules ?? []) {
      if (r instanceof Unknown) return r;
      if (r.peers instanceof Unknown) return r.peers;
      for (const p of r.peers) {
        if (p instanceof Unknown) return p;
        if (p.namespaceSelector !== undefined) {
          out.push({ path: `${p.path}.namespaceSelector`, selector: p.namespaceSelector });
        }
      }
    }
  }
  return out;
}

/** Whether the policies of one namespace, together, isolate every pod of it for `dir`. */
export type NamespaceIsolation =
  | { readonly isolated: true }
  | {
      readonly isolated: false;
      /** Labels of a pod no policy governing `dir` selects. */
      readonly witness?: Labels;
      /** A value unknown at preview that might have isolated it. */
      readonly unknown?: Unknown;
      /** The coverage search gave up. */
      readonly undecided?: boolean;
    };

/**
 * Isolation of a whole namespace for `dir`: every pod, present or future, is selected by some
 * policy there that governs `dir`. One `podSelector: {}` policy does it; so do several whose
 * selectors together cover every label set (`app` Exists + `app` DoesNotExist).
 */
export function namespaceIsolation(
  nps: readonly NetworkPolicyObj[],
  dir: Direction,
): NamespaceIsolation {
  const sels: Selector[] = [];
  let unknown: Unknown | undefined;
  for (const np of nps) {
    const types = effectivePolicyTypes(np);
    if (types instanceof Unknown) {
      unknown ??= types;
      continue;
    }
    if (!types.has(dir)) continue;
    if (np.podSelector instanceof Unknown) {
      unknown ??= np.podSelector;
      continue;
    }
    if (selectsEverything(np.podSelector)) return { isolated: true };
    sels.push(np.podSelector);
  }
  const c = coversEveryLabelSet(sels);
  if (c.covered === true) return { isolated: true };
  if (unknown) return { isolated: false, unknown };
  if (c.covered === undefined) return { isolated: false, undecided: true };
  return { isolated: false, witness: c.witness };
}

/** Whether some policy governing `dir` selects a pod with these labels. */
export function podIsolated(
  nps: readonly NetworkPolicyObj[],
  labels: Labels,
  dir: Direction,
): Maybe<boolean> {
  let unknown: Unknown | undefined;
  for (const np of nps) {
    const types = effectivePolicyTypes(np);
    if (types instanceof Unknown) {
      unknown ??= types;
      continue;
    }
    if (!types.has(dir)) continue;
    if (np.podSelector instanceof Unknown) {
      unknown ??= np.podSelector;
      continue;
    }
    if (matches(np.podSelector, labels)) return true;
  }
  return unknown ?? false;
}
