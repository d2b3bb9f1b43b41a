// Our connectivity core: does a set of NetworkPolicies allow one piece of traffic? Built on the
// policy pack's pure analysis core (its NetworkPolicy parser, selector semantics and policyTypes
// defaulting), so the pack and this report cannot disagree on what a selector means.
//
// Semantics (networking.k8s.io/v1): traffic needs both the source's egress and the
// destination's ingress. A pod is isolated for a direction when a policy of its namespace selects
// it with that direction in its effective policyTypes; an isolated pod lets traffic through when
// any rule of those policies matches the peer and the port; a pod no policy isolates allows all.
// In a rule, no peers = every peer, no ports = every port; peers are ORed; a peer's
// namespaceSelector and podSelector are ANDed; a peer without namespaceSelector means the
// policy's own namespace. Ports match the destination port: protocol (default TCP), number or
// number range (endPort), or a named port of the destination container.
import {
  type Direction,
  type NetworkPolicyObj,
  type Peer,
  type PortSpec,
  type Labels,
  Unknown,
  classify,
  effectivePolicyTypes,
  matches,
  toNetworkPolicy,
} from "../../policy-pack/analysis";
import { type KubeObject, objectId, toStackResource } from "./objects";

export type Protocol = "TCP" | "UDP" | "SCTP";

/** One side of a connection: a pod with its namespace. */
export interface TrafficPeer {
  readonly namespace: string;
  readonly namespaceLabels: Labels;
  readonly podLabels: Labels;
  /** Pod IP (ipBlock peers match on it). */
  readonly ip: string;
}

export interface Traffic {
  readonly source: TrafficPeer;
  readonly destination: TrafficPeer;
  readonly port: number;
  /** Name of the destination container port, when it has one (named ports in policies). */
  readonly portName?: string;
  readonly protocol: Protocol;
}

export interface DirectionVerdict {
  readonly allowed: boolean;
  /** Whether any policy isolates the pod for this direction. */
  readonly isolated: boolean;
  /** `namespace/name` of the policies whose rules let the traffic through. */
  readonly allowedBy: readonly string[];
}

export interface Verdict {
  readonly allowed: boolean;
  readonly ingress: DirectionVerdict;
  readonly egress: DirectionVerdict;
}

/** Policies parsed once, fully known (rendered objects carry no unknowns). */
export interface PolicySet {
  readonly policies: readonly {
    readonly id: string;
    readonly np: NetworkPolicyObj;
    readonly types: ReadonlySet<Direction>;
  }[];
}

function known<T>(v: T | Unknown, what: string): T {
  if (v instanceof Unknown) throw new Error(`${what}: ${v.describe()}`);
  return v;
}

/** Parses every NetworkPolicy among `objects` with the pack's core. */
export function policySet(objects: readonly KubeObject[]): PolicySet {
  const policies = [];
  for (const o of objects) {
    const r = toStackResource(o);
    if (classify(r.type)?.class !== "NetworkPolicy") continue;
    const np = toNetworkPolicy(r);
    const id = objectId(o);
    policies.push({ id, np, types: known(effectivePolicyTypes(np), id) });
  }
  return { policies };
}

function ipv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((a, p) => a * 256 + p, 0);
}

/** Whether an IPv4 address lies in a CIDR; IPv6 CIDRs never hold an IPv4 address. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const addr = ipv4(ip);
  const net = ipv4(base ?? "");
  if (addr === undefined || net === undefined) return false;
  const bits = Number(bitsText ?? "32");
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new Error(`ipBlock cidr = ${JSON.stringify(cidr)}: prefix length must be 0-32`);
  }
  const size = 2 ** (32 - bits);
  return Math.floor(addr / size) === Math.floor(net / size);
}

function peerMatches(p: Peer, policyNs: string, other: TrafficPeer, where: string): boolean {
  const block = p.ipBlock === undefined ? undefined : known(p.ipBlock, where);
  if (block !== undefined) {
    const cidr = known(block.cidr, where);
    if (cidr === undefined) throw new Error(`${where}: ${p.path}.ipBlock has no cidr`);
    return inCidr(other.ip, cidr) && !block.except.some((e) => inCidr(other.ip, e));
  }
  const nsSel = p.namespaceSelector === undefined ? undefined : known(p.namespaceSelector, where);
  const podSel = p.podSelector === undefined ? undefined : known(p.podSelector, where);
  if (nsSel === undefined && podSel === undefined) {
    throw new Error(
      `${where}: ${p.path} has none of podSelector, namespaceSelector, ipBlock: the API server rejects such a peer`,
    );
  }
  const nsOk =
    nsSel === undefined ? other.namespace === policyNs : matches(nsSel, other.namespaceLabels);
  const podOk = podSel === undefined ? true : matches(podSel, other.podLabels);
  return nsOk && podOk;
}

function portMatches(p: PortSpec, t: Traffic): boolean {
  if (p.protocol !== t.protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === "string") {
    // An IntOrString port written as a numeric string is a number to the API server.
    if (/^\d+$/.test(p.port)) return Number(p.port) === t.port;
    return p.port === t.portName;
  }
  if (p.endPort !== undefined) return t.port >= p.port && t.port <= p.endPort;
  return p.port === t.port;
}

function decide(set: PolicySet, t: Traffic, dir: Direction): DirectionVerdict {
  const self = dir === "Ingress" ? t.destination : t.source;
  const other = dir === "Ingress" ? t.source : t.destination;
  let isolated = false;
  const allowedBy: string[] = [];
  for (const { id, np, types } of set.policies) {
    if (!types.has(dir)) continue;
    if (known(np.namespace, id) !== self.namespace) continue;
    if (!matches(known(np.podSelector, id), self.podLabels)) continue;
    isolated = true;
    const rules = known(dir === "Ingress" ? np.ingress : np.egress, id) ?? [];
    const lets = rules.some((mr) => {
      const r = known(mr, id);
      const peers = known(r.peers, id).map((p) => known(p, id));
      const ports = known(r.ports, id).map((p) => known(p, id));
      const peerOk =
        peers.length === 0 || peers.some((p) => peerMatches(p, self.namespace, other, id));
      const portOk = ports.length === 0 || ports.some((p) => portMatches(p, t));
      return peerOk && portOk;
    });
    if (lets) allowedBy.push(id);
  }
  return { allowed: !isolated || allowedBy.length > 0, isolated, allowedBy };
}

/** Whether the policies allow the traffic, per direction and overall. */
export function decideTraffic(set: PolicySet, t: Traffic): Verdict {
  const ingress = decide(set, t, "Ingress");
  const egress = decide(set, t, "Egress");
  return { allowed: ingress.allowed && egress.allowed, ingress, egress };
}
