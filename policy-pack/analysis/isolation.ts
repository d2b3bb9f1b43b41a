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
import type { Direction, NetworkPolicyObj, Peer, PortSpec, Rule } from "./resources";
import { type Selector, selectsEverything } from "./selectors";
import { type Maybe, Unknown } from "./unknown";

/** The directions a policy governs, after defaulting. */
export function effectivePolicyTypes(np: NetworkPolicyObj): Maybe<ReadonlySet<Direction>> {
  if (np.policyTypes instanceof Unknown) return np.policyTypes;
  if (np.policyTypes !== undefined) {
    return new Set(np.policyTypes.filter((t): t is Direction => t === "Ingress" || t === "Egress"));
  }
  if (np.egress instanceof Unknown) return np.egress;
  const out = new Set<Direction>(["Ingress"]);
  if (np.egress !== undefined && np.egress.length > 0) out.add("Egress");
  return out;
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
}

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

/** Why a peer matches every source/destination, or undefined when it does not. */
function universalPeer(p: Peer): Maybe<string | undefined> {
  if (p.ipBlock instanceof Unknown) return p.ipBlock;
  if (p.ipBlock !== undefined) {
    if (p.ipBlock.cidr instanceof Unknown) return p.ipBlock.cidr;
    if (p.ipBlock.cidr !== undefined && WORLD.has(p.ipBlock.cidr)) {
      const ex = p.ipBlock.except.length > 0 ? ` (except ${p.ipBlock.except.join(", ")})` : "";
      return `${p.path} is ipBlock ${p.ipBlock.cidr}${ex}: every address`;
    }
    return undefined;
  }
  if (p.namespaceSelector instanceof Unknown) return p.namespaceSelector;
  if (p.namespaceSelector === undefined || !selectsEverything(p.namespaceSelector)) {
    return undefined;
  }
  if (p.podSelector instanceof Unknown) return p.podSelector;
  if (p.podSelector === undefined) {
    return `${p.path} is \`namespaceSelector: {}\` without a podSelector: every pod in every namespace`;
  }
  if (selectsEverything(p.podSelector)) {
    return `${p.path} is \`namespaceSelector: {}\` with \`podSelector: {}\`: every pod in every namespace`;
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
  if (ports.length === 0) return false;
  return ports.every(
    (p) =>
      p.port !== undefined &&
      (p.endPort === undefined || p.endPort === p.port) &&
      allowed.has(portKey(p)),
  );
}

/**
 * Rules of `dir` that re-open the policy's pods to everyone: no peers (`ingress: [{}]`,
 * `from: []`), `namespaceSelector: {}` without a pod selector, or ipBlock `0.0.0.0/0` / `::/0`,
 * unless every port of the rule is in `allowed` (e.g. DNS egress 53/UDP, 53/TCP).
 * Only counts rules of directions the policy governs.
 */
export function openRules(
  np: NetworkPolicyObj,
  dir: Direction,
  allowed: OpenPortAllowance,
): Maybe<OpenRule[]> {
  const types = effectivePolicyTypes(np);
  if (types instanceof Unknown) return types;
  if (!types.has(dir)) return [];
  const rules = dir === "Ingress" ? np.ingress : np.egress;
  if (rules instanceof Unknown) return rules;
  const out: OpenRule[] = [];
  for (const r of rules ?? []) {
    const o = openRule(r, dir, allowed);
    if (o instanceof Unknown) return o;
    if (o) out.push(o);
  }
  return out;
}

function openRule(
  r: Maybe<Rule>,
  dir: Direction,
  allowed: OpenPortAllowance,
): Maybe<OpenRule | undefined> {
  if (r instanceof Unknown) return r;
  if (r.peers instanceof Unknown) return r.peers;
  let reason: string | undefined;
  if (r.peers.length === 0) {
    reason =
      dir === "Ingress"
        ? `${r.path} has no \`from\`: every source`
        : `${r.path} has no \`to\`: every destination`;
  } else {
    for (const p of r.peers) {
      if (p instanceof Unknown) return p;
      const why = universalPeer(p);
      if (why instanceof Unknown) return why;
      if (why) {
        reason = why;
        break;
      }
    }
  }
  if (!reason) return undefined;
  if (r.ports instanceof Unknown) return r.ports;
  const ports: PortSpec[] = [];
  for (const p of r.ports) {
    if (p instanceof Unknown) return p;
    ports.push(p);
  }
  if (onlyAllowedPorts(ports, allowed)) return undefined;
  return { path: r.path, reason, ports: describePorts(ports) };
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
