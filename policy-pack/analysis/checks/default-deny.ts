// Every Namespace of the stack must be isolated by a default-deny NetworkPolicy in each
// configured direction, and no NetworkPolicy in it may re-open a direction to everyone.
import { isolatesNamespace, isolationPitfall, openRules } from "../isolation";
import type { Direction, NetworkPolicyObj } from "../resources";
import type { StackIndex } from "../stack-index";
import { Unknown } from "../unknown";
import { type Finding, describeRef, unknownFinding } from "./common";

export interface DefaultDenyConfig {
  /** Directions every namespace must deny by default. */
  readonly directions: readonly Direction[];
  /** Namespaces left alone (system namespaces). */
  readonly exemptNamespaces: readonly string[];
  /** Ports (`53/UDP`) a rule open to every peer may still allow, per direction. */
  readonly allowedOpenPorts: {
    readonly ingress: readonly string[];
    readonly egress: readonly string[];
  };
}

function podsOf(np: NetworkPolicyObj): string {
  return np.podSelector instanceof Unknown
    ? "its pods"
    : np.podSelector.kind === "requirements" && np.podSelector.requirements.length === 0
      ? "every pod"
      : "the pods it selects";
}

export function checkDefaultDeny(idx: StackIndex, cfg: DefaultDenyConfig): Finding[] {
  const out: Finding[] = [];
  const exempt = new Set(cfg.exemptNamespaces);
  const allowed = {
    Ingress: new Set(cfg.allowedOpenPorts.ingress),
    Egress: new Set(cfg.allowedOpenPorts.egress),
  };
  const nps = idx.networkPolicies;
  const floating = nps.unknownNamespace;
  const stackNamespaces = new Set<string>();

  for (const ns of idx.namespaces) {
    if (ns.name instanceof Unknown) {
      out.push(unknownFinding(ns.urn, "that the namespace is default-deny", ns.name));
      continue;
    }
    stackNamespaces.add(ns.name);
    if (exempt.has(ns.name)) continue;
    const here = nps.in(ns.name);
    for (const dir of cfg.directions) {
      let isolated = false;
      let unknown: Unknown | undefined;
      for (const np of here) {
        const r = isolatesNamespace(np, dir);
        if (r instanceof Unknown) unknown ??= r;
        else if (r) {
          isolated = true;
          break;
        }
      }
      if (isolated) continue;
      const floatingNs = floating[0]?.namespace;
      unknown ??= floatingNs instanceof Unknown ? floatingNs : undefined;
      if (unknown) {
        out.push(
          unknownFinding(
            ns.urn,
            `that namespace ${ns.name} is isolated for ${dir} traffic`,
            unknown,
          ),
        );
        continue;
      }
      const hints = here.map((np) => isolationPitfall(np, dir)).filter((h) => h !== undefined);
      out.push({
        urn: ns.urn,
        message:
          `Namespace ${ns.name} is not isolated for ${dir} traffic: no NetworkPolicy in it selects ` +
          `every pod (podSelector: {}) with ${dir} in its policyTypes, so its pods ` +
          `${dir === "Ingress" ? "accept connections from" : "may open connections to"} anywhere.` +
          (hints.length > 0 ? ` ${hints.join("; ")}.` : ""),
      });
    }
  }

  // Re-opening: a rule open to everyone in a namespace that must stay default-deny.
  const reopens = (np: NetworkPolicyObj, nsName: string | undefined): void => {
    for (const dir of cfg.directions) {
      const open = openRules(np, dir, allowed[dir]);
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
            `${describeRef(np)} re-opens ${dir} for ${podsOf(np)} of ${nsName ? `namespace ${nsName}` : "its namespace"}, ` +
            `which must stay default-deny: ${o.reason}, on ${o.ports}. Allow named peers ` +
            `(namespaceSelector on kubernetes.io/metadata.name, podSelector) and ports instead.`,
        });
      }
    }
  };
  for (const nsName of stackNamespaces) {
    if (exempt.has(nsName)) continue;
    for (const np of nps.in(nsName)) reopens(np, nsName);
  }
  // A policy whose namespace is unknown could land in any of them.
  if (stackNamespaces.size > 0) {
    for (const np of floating) {
      const before = out.length;
      reopens(np, undefined);
      for (let i = before; i < out.length; i++) {
        const f = out[i] as Finding;
        if (!f.unknown && np.namespace instanceof Unknown) {
          out[i] = {
            ...f,
            message: `${f.message} (its namespace is unknown)`,
            unknown: np.namespace,
          };
        }
      }
    }
  }
  return out;
}
