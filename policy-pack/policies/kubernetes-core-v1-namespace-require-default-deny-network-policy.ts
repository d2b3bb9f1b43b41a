// Mandatory: every Namespace of the stack is default-deny in both directions, and nothing in it
// re-opens a direction to everyone.
import { type Direction, type DefaultDenyConfig, checkDefaultDeny } from "../analysis";
import { type CommonConfig, definePolicy } from "../support/define";
import { CIS_5_3_2, URLS } from "../support/frameworks";
import { KUBE_DNS } from "../../lib/topology/workloads";

/** DNS egress, the one universal rule a default-deny namespace needs. */
const DNS_PORTS = [`${KUBE_DNS.port}/UDP`, `${KUBE_DNS.port}/TCP`];

type Config = CommonConfig & DefaultDenyConfig;

export const requireDefaultDenyNetworkPolicy = definePolicy<Config>({
  name: "kubernetes-core-v1-namespace-require-default-deny-network-policy",
  description:
    "Every Namespace must be isolated by a default-deny NetworkPolicy (podSelector: {}) in each configured direction, and no NetworkPolicy in it may re-open a direction to every peer (`ingress: [{}]`, `namespaceSelector: {}` without a podSelector, ipBlock 0.0.0.0/0).",
  enforcementLevel: "mandatory",
  severity: "high",
  framework: CIS_5_3_2,
  remediationSteps: [
    "1. In each namespace add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` and no rules (default deny).",
    "2. Write policyTypes explicitly: a policy without policyTypes governs Egress only if it has egress rules, so `egress: []` alone does not deny egress.",
    "3. Allow each needed flow with its own policy naming peers (namespaceSelector on kubernetes.io/metadata.name plus podSelector) and ports.",
    `4. Replace rules open to everyone (\`{}\` rules, \`namespaceSelector: {}\` alone, 0.0.0.0/0) with named peers; DNS egress on ${DNS_PORTS.join(" and ")} is allowed by default (allowedOpenPorts).`,
    "5. Exempt system namespaces with exemptNamespaces rather than leaving workloads open.",
  ].join("\n"),
  url: URLS.defaultDeny,
  tags: ["kubernetes", "network", "default-deny", "nsa-cisa"],
  defaults: {
    failClosedOnUnknown: true,
    exemptNamespaces: ["kube-system", "kube-public", "kube-node-lease"],
  },
  config: {
    directions: {
      type: "array",
      items: { type: "string", enum: ["Ingress", "Egress"] },
      minItems: 1,
      uniqueItems: true,
      default: ["Ingress", "Egress"] satisfies Direction[],
      description: "Directions every namespace must deny by default.",
    },
    allowedOpenPorts: {
      type: "object",
      properties: {
        ingress: { type: "array", items: { type: "string", pattern: "^[^/]+/(TCP|UDP|SCTP)$" } },
        egress: { type: "array", items: { type: "string", pattern: "^[^/]+/(TCP|UDP|SCTP)$" } },
      },
      required: ["ingress", "egress"],
      additionalProperties: false,
      default: { ingress: [], egress: DNS_PORTS },
      description:
        "Ports (`port/PROTOCOL`) a rule open to every peer may still allow without counting as re-opening the namespace, per direction. Default: DNS egress only.",
    },
  },
  check: checkDefaultDeny,
});
