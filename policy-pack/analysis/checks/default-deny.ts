// Every namespace the stack uses must be isolated by default-deny NetworkPolicies in each
// configured direction, nothing may re-open a direction to everyone, and nothing may slip past
// NetworkPolicies altogether.
//
// Split for the enforcement path (see support/define.ts):
// - `defaultDenyResourceFindings`: what one resource shows on its own (a rule open to everyone,
//   DNS egress wider than the cluster DNS, a hostNetwork pod, a Helm Release). Run as a resource
//   policy too, so `pulumi up --skip-preview` stops the resource before it is created.
// - `checkDefaultDeny` (stack): what needs the whole stack (namespace isolation, namespaces used
//   but not declared, workloads in exempt namespaces, patches, components, other clusters).
import { KUBE_DNS } from "../../../lib/topology/workloads";
import {
  type DnsPeer,
  type OpenRuleOptions,
  isolationPitfall,
  namespaceIsolation,
  openRules,
  podIsolated,
} from "../isolation";
import {
  type Direction,
  type NetworkPolicyObj,
  type StackResource,
  type WorkloadObj,
  hostNetworkOf,
  podShapes,
} from "../resources";
import { describeLabels, matches } from "../selectors";
import { type StackIndex, scopeKey } from "../stack-index";
import { Unknown } from "../unknown";
import { type Finding, describeRef, unknownFinding } from "./common";
import { opaqueFindings } from "./unreadable";

export interface DefaultDenyConfig {
  /** Directions every namespace must deny by default. */
  readonly directions: readonly Direction[];
  /** Namespaces that need not be default-deny (system namespaces). */
  readonly exemptNamespaces: readonly string[];
  /** Ports (`53/UDP`) a rule open to every peer may still allow, per direction. */
  readonly allowedOpenPorts: {
    readonly ingress: readonly string[];
    readonly egress: readonly string[];
  };
  /** Where DNS egress may go; port 53 to anything else is reported. */
  readonly dnsPeers: readonly DnsPeer[];
  /** `namespace/name` of workloads allowed hostNetwork and not required to be isolated. */
  readonly exemptWorkloads: readonly string[];
  /**
   * `fail` (default): a Namespace whose name is unknown at preview fails closed.
   * `match-dependencies`: it passes at preview when NetworkPolicies computed from it (their
   * namespace unknown too) would isolate it; the check runs in full once names are known.
   */
  readonly unknownNamespaceNames: "fail" | "match-dependencies";
  /** Pulumi names (`type::name`) of resources whose objects the pack cannot read, accepted. */
  readonly acknowledgedUnreadable: readonly string[];
}

function podsOf(np: NetworkPolicyObj): string {
  return np.podSelector instanceof Unknown
    ? "its pods"
    : np.podSelector.kind === "requirements" && np.podSelector.requirements.length === 0
      ? "every pod"
      : "the pods it selects";
}

type RuleOptions = Readonly<Record<Direction, OpenRuleOptions>>;

const ruleOptionsCache = new WeakMap<
  DefaultDenyConfig["allowedOpenPorts"],
  { dnsPeers: DefaultDenyConfig["dnsPeers"]; options: RuleOptions }
>();

/**
 * What an open rule may still allow, per direction. Kept per configuration object: the resource
 * policy asks for it once per resource, and the defaults are the same objects every time.
 */
function ruleOptions(cfg: DefaultDenyConfig): RuleOptions {
  const hit = ruleOptionsCache.get(cfg.allowedOpenPorts);
  if (hit && hit.dnsPeers === cfg.dnsPeers) return hit.options;
  const options: RuleOptions = {
    Ingress: { allowed: new Set(cfg.allowedOpenPorts.ingress) },
    Egress: { allowed: new Set(cfg.allowedOpenPorts.egress), dnsPeers: cfg.dnsPeers },
  };
  ruleOptionsCache.set(cfg.allowedOpenPorts, { dnsPeers: cfg.dnsPeers, options });
  return options;
}

/** Rules of `np` open to everyone (or DNS to anywhere), as findings on `np`. */
function reopenFindings(np: NetworkPolicyObj, cfg: DefaultDenyConfig, where: string): Finding[] {
  const out: Finding[] = [];
  const options = ruleOptions(cfg);
  for (const dir of cfg.directions) {
    const open = openRules(np, dir, options[dir]);
    if (open instanceof Unknown) {
      out.push(
        unknownFinding(np.urn, `that ${describeRef(np)} does not re-open ${dir} traffic`, open),
      );
      continue;
    }
    for (const o of open) {
      out.push({
        urn: np.urn,
        message:
          o.kind === "dns"
            ? `${describeRef(np)} lets ${podsOf(np)} of ${where} send DNS beyond the cluster DNS: ${o.reason}, on ${o.ports}. Allow port ${KUBE_DNS.port} only to the cluster DNS pods (namespaceSelector kubernetes.io/metadata.name, podSelector), or configure dnsPeers.`
            : `${describeRef(np)} re-opens ${dir} for ${podsOf(np)} of ${where}, ` +
              `which must stay default-deny: ${o.reason}, on ${o.ports}. Allow named peers ` +
              `(namespaceSelector on kubernetes.io/metadata.name, podSelector) and ports instead.`,
      });
    }
  }
  return out;
}

function workloadKey(w: WorkloadObj): string | undefined {
  return typeof w.namespace === "string" && typeof w.name === "string"
    ? `${w.namespace}/${w.name}`
    : undefined;
}

/** Findings one resource shows on its own; `idx` holds just that resource. */
export function defaultDenyResourceFindings(idx: StackIndex, cfg: DefaultDenyConfig): Finding[] {
  const out: Finding[] = [];
  for (const np of idx.networkPolicies.all) {
    if (typeof np.namespace === "string" && cfg.exemptNamespaces.includes(np.namespace)) continue;
    const f = reopenFindings(
      np,
      cfg,
      typeof np.namespace === "string" ? `namespace ${np.namespace}` : "its namespace",
    );
    // In an exempt namespace nothing would be reported: an unknown namespace fails closed.
    if (np.namespace instanceof Unknown) {
      const u = np.namespace;
      out.push(
        ...f.map((x) =>
          x.unknown ? x : { ...x, unknown: u, message: `${x.message} (its namespace is unknown)` },
        ),
      );
    } else out.push(...f);
  }
  const ws = idx.workloads.all;
  if (ws.length > 0) out.push(...hostNetworkFindings(ws, cfg));
  if (idx.opaque.length > 0)
    out.push(...opaqueFindings(idx, cfg.acknowledgedUnreadable, "resource"));
  return out;
}

function hostNetworkFindings(ws: readonly WorkloadObj[], cfg: DefaultDenyConfig): Finding[] {
  const exemptWl = new Set(cfg.exemptWorkloads);
  const out: Finding[] = [];
  for (const w of ws) {
    const key = workloadKey(w);
    if (key && exemptWl.has(key)) continue;
    const h = hostNetworkOf(w);
    if (h instanceof Unknown) {
      out.push(unknownFinding(w.urn, `that ${describeRef(w)} does not use hostNetwork`, h));
    } else if (h) {
      out.push({
        urn: w.urn,
        message:
          `${describeRef(w)} runs its pods with hostNetwork: true: they share the node's network ` +
          `and no NetworkPolicy isolates them, whatever the namespace's default-deny says. Drop ` +
          `hostNetwork, or list the workload in exemptWorkloads (namespace/name) on purpose.`,
      });
    }
  }
  return out;
}

export function checkDefaultDeny(idx: StackIndex, cfg: DefaultDenyConfig): Finding[] {
  const out: Finding[] = [];
  const exempt = new Set(cfg.exemptNamespaces);
  const exemptWl = new Set(cfg.exemptWorkloads);
  const nps = idx.networkPolicies;
  const floating = nps.unknownNamespace;
  // With match-dependencies, a policy computed from a Namespace whose name is unknown is taken
  // to be in that namespace, so it does not make every other namespace uncertain.
  const unknownNamed = new Set(
    idx.namespaces.filter((n) => n.name instanceof Unknown).map((n) => n.urn),
  );
  const roaming =
    cfg.unknownNamespaceNames === "match-dependencies"
      ? floating.filter((np) => !np.dependsOn.some((d) => unknownNamed.has(d)))
      : floating;
  const floatingUnknown =
    roaming[0]?.namespace instanceof Unknown ? roaming[0].namespace : undefined;

  // Components that borrowed a Kubernetes type token: they create nothing.
  for (const r of idx.impostors) {
    if (!/:(Namespace|NetworkPolicy|NetworkPolicyPatch)$/.test(r.type)) continue;
    out.push(impostorFinding(r));
  }
  out.push(...opaqueFindings(idx, cfg.acknowledgedUnreadable, "stack"));

  // The namespaces to isolate: those declared, and those the stack's workloads are placed in.
  interface Scope {
    cluster: string;
    name: string;
    urn: string;
    declared: boolean;
    users: WorkloadObj[];
  }
  const scopes = new Map<string, Scope>();
  for (const ns of idx.namespaces) {
    if (ns.name instanceof Unknown) {
      const f = unknownNamespaceName(ns.urn, ns.name, floating, cfg);
      if (f) out.push(f);
      continue;
    }
    scopes.set(scopeKey(ns.cluster, ns.name), {
      cluster: ns.cluster,
      name: ns.name,
      urn: ns.urn,
      declared: true,
      users: [],
    });
  }
  for (const w of idx.workloads.all) {
    if (w.namespace instanceof Unknown) continue;
    const k = scopeKey(w.cluster, w.namespace);
    let s = scopes.get(k);
    if (!s) {
      s = { cluster: w.cluster, name: w.namespace, urn: w.urn, declared: false, users: [] };
      scopes.set(k, s);
    }
    s.users.push(w);
  }
  // NetworkPolicies in namespaces the stack neither declares nor fills are still its policies.
  for (const np of nps.all) {
    if (np.namespace instanceof Unknown) continue;
    const k = scopeKey(np.cluster, np.namespace);
    if (!scopes.has(k)) {
      scopes.set(k, {
        cluster: np.cluster,
        name: np.namespace,
        urn: np.urn,
        declared: false,
        users: [],
      });
    }
  }

  for (const s of scopes.values()) {
    const here = nps.in(s.name, s.cluster);
    const where = `namespace ${s.name}`;
    if (exempt.has(s.name)) {
      out.push(...exemptScopeFindings(s.name, s.users, here, cfg, exemptWl));
      continue;
    }
    // Objects merged from patches, and patches of objects the stack lacks.
    for (const np of here) {
      if (np.patchedBy.length > 0) out.push(...reopenFindings(np, cfg, where));
      if (np.externalPatch) {
        out.push({
          urn: np.urn,
          message:
            `${describeRef(np)} patches a NetworkPolicy this stack does not declare: the rules ` +
            `and selectors it does not set are invisible to the pack, so ${where} cannot be ` +
            `proven default-deny. Declare the NetworkPolicy in the stack and patch that.`,
        });
      }
    }
    if (s.users.length === 0 && !s.declared) continue; // only policies: re-opening is checked
    for (const dir of cfg.directions) {
      const iso = namespaceIsolation(here, dir);
      if (iso.isolated) continue;
      const u = iso.unknown ?? floatingUnknown;
      if (u) {
        out.push(unknownFinding(s.urn, `that ${where} is isolated for ${dir} traffic`, u));
        continue;
      }
      const hints = here.map((np) => isolationPitfall(np, dir)).filter((h) => h !== undefined);
      const intro = s.declared
        ? `Namespace ${s.name}`
        : `Namespace ${s.name}, where this stack puts ${s.users.slice(0, 3).map(describeRef).join(", ")}${s.users.length > 3 ? ` and ${s.users.length - 3} more` : ""} without declaring it,`;
      const why = iso.witness
        ? Object.keys(iso.witness).length === 0
          ? `no NetworkPolicy in it selects every pod (podSelector: {}) with ${dir} in its policyTypes`
          : `no NetworkPolicy with ${dir} in its policyTypes selects a pod labelled ${describeLabels(iso.witness)}`
        : `the pack could not prove that its NetworkPolicies' selectors together cover every pod; add one with podSelector: {}`;
      out.push({
        urn: s.urn,
        message:
          `${intro} is not isolated for ${dir} traffic: ${why}, so such pods ` +
          `${dir === "Ingress" ? "accept connections from" : "may open connections to"} anywhere.` +
          (s.declared
            ? ""
            : " The pack sees only this stack's NetworkPolicies; declare the default-deny here.") +
          (hints.length > 0 ? ` ${hints.join("; ")}.` : ""),
      });
    }
  }
  return out;
}

/**
 * In an exempt namespace the stack need not isolate the namespace, but its own workloads there
 * must be isolated by its policies, and no policy selecting them may be open to everyone.
 */
function exemptScopeFindings(
  ns: string,
  users: readonly WorkloadObj[],
  here: readonly NetworkPolicyObj[],
  cfg: DefaultDenyConfig,
  exemptWl: ReadonlySet<string>,
): Finding[] {
  const out: Finding[] = [];
  const selected = new Set<NetworkPolicyObj>();
  for (const w of users) {
    const key = workloadKey(w);
    if (key && exemptWl.has(key)) continue;
    const shapes = podShapes(w, false);
    if (shapes instanceof Unknown) {
      out.push(unknownFinding(w.urn, `that ${describeRef(w)} is isolated`, shapes));
      continue;
    }
    const labels = shapes[0]?.labels ?? {};
    for (const np of here) {
      if (!(np.podSelector instanceof Unknown) && matches(np.podSelector, labels)) selected.add(np);
    }
    for (const dir of cfg.directions) {
      const r = podIsolated(here, labels, dir);
      if (r instanceof Unknown) {
        out.push(unknownFinding(w.urn, `that ${describeRef(w)} is isolated for ${dir}`, r));
      } else if (!r) {
        out.push({
          urn: w.urn,
          message:
            `${describeRef(w)} is this stack's workload in the exempt namespace ${ns}, and no ` +
            `NetworkPolicy of the stack with ${dir} in its policyTypes selects its pods ` +
            `${describeLabels(labels)}: exempting a namespace does not exempt what the stack puts there. ` +
            `Add a default-deny policy selecting these pods, or list the workload in exemptWorkloads.`,
        });
      }
    }
  }
  for (const np of selected)
    out.push(...reopenFindings(np, cfg, `namespace ${ns} (this stack's workloads)`));
  return out;
}

function unknownNamespaceName(
  urn: string,
  name: Unknown,
  floating: readonly NetworkPolicyObj[],
  cfg: DefaultDenyConfig,
): Finding | undefined {
  if (cfg.unknownNamespaceNames === "match-dependencies") {
    const mine = floating.filter((np) => np.dependsOn.includes(urn));
    const missing = cfg.directions.filter((d) => !namespaceIsolation(mine, d).isolated);
    if (missing.length === 0) return undefined;
    return unknownFinding(
      urn,
      `that the namespace is default-deny (no NetworkPolicy computed from it isolates ${missing.join(", ")})`,
      name,
    );
  }
  return unknownFinding(
    urn,
    "that the namespace is default-deny (set unknownNamespaceNames: match-dependencies to accept NetworkPolicies computed from it at preview)",
    name,
  );
}

export function impostorFinding(r: StackResource): Finding {
  return {
    urn: r.urn,
    message:
      `${r.name} is registered under the Kubernetes type token ${r.type} without a Kubernetes ` +
      `provider: it is a component and creates nothing in any cluster, so the pack ignores what ` +
      `it claims. Create the object with a Kubernetes provider resource.`,
  };
}
