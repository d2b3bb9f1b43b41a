// Mandatory: every Namespace of the stack is default-deny in both directions, and nothing in it
// re-opens a direction to everyone.
import {
  type Direction,
  type DefaultDenyConfig,
  checkDefaultDeny,
  defaultDenyResourceFindings,
} from "../analysis";
import { type CommonConfig, definePolicy } from "../support/define";
import { CIS_5_3_2, URLS } from "../support/frameworks";
import { KUBE_DNS } from "../../lib/topology/workloads";

/** DNS egress, the one universal rule a default-deny namespace needs. */

type Config = CommonConfig & DefaultDenyConfig;

export const requireDefaultDenyNetworkPolicy = definePolicy<Config>({
  name: "kubernetes-core-v1-namespace-require-default-deny-network-policy",
  description:
    "Every namespace the stack declares or puts workloads in must be default-deny in each configured direction (its NetworkPolicies together select every pod); no rule may admit every peer however spelled (`{}`, a selector every new namespace satisfies, ipBlocks admitting most of the internet), DNS egress goes only to the cluster DNS, no pod uses hostNetwork, and objects the pack cannot read are reported.",
  enforcementLevel: "mandatory",
  severity: "high",
  framework: CIS_5_3_2,
  remediationSteps: [
    "1. In each namespace add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` and no rules (default deny).",
    "2. Write policyTypes explicitly: a policy without policyTypes governs Egress only if it has egress rules, so `egress: []` alone does not deny egress.",
    "3. Allow each needed flow with its own policy naming peers (namespaceSelector on kubernetes.io/metadata.name plus podSelector) and ports.",
    `4. Replace rules open to everyone (\`{}\` rules, \`namespaceSelector: {}\` or a NotIn/Exists on kubernetes.io/metadata.name, 0.0.0.0/0 or a union of prefixes covering it) with named peers; send DNS (port ${KUBE_DNS.port}) only to the cluster DNS (dnsPeers).`,
    "5. Declare the default-deny in every namespace the stack uses, `default` included; exemptNamespaces does not exempt the stack's own workloads there.",
    "6. Drop hostNetwork: true (or list the workload in exemptWorkloads on purpose); create objects through the cluster's provider, not another one or a component.",
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
    dnsPeers: {
      type: "array",
      items: {
        type: "object",
        properties: {
          namespace: { type: "string" },
          podLabels: { type: "object", additionalProperties: { type: "string" } },
        },
        required: ["namespace", "podLabels"],
        additionalProperties: false,
      },
      // The cluster DNS as the flow table knows it (lib/topology), the one DNS peer by default.
      default: [{ namespace: KUBE_DNS.namespace, podLabels: { ...KUBE_DNS.podLabels } }],
      description: `Where egress on port ${KUBE_DNS.port} may go: pods with these labels in this namespace (the peer must select that namespace by kubernetes.io/metadata.name and those pod labels). DNS to anything else is reported.`,
    },
    exemptWorkloads: {
      type: "array",
      items: { type: "string", pattern: "^[^/]+/[^/]+$" },
      uniqueItems: true,
      default: [],
      description:
        "Workloads (`namespace/name`) allowed hostNetwork and, in exempt namespaces, not required to be isolated.",
    },
    unknownNamespaceNames: {
      type: "string",
      enum: ["fail", "match-dependencies"],
      default: "fail",
      description:
        "A Namespace whose name is unknown at preview: `fail` (fail closed), or `match-dependencies` (pass at preview when NetworkPolicies computed from it would isolate it; the full check runs when the names are known).",
    },
    acknowledgedUnreadable: {
      type: "array",
      items: { type: "string" },
      uniqueItems: true,
      default: [],
      description:
        "Resources (`type::name`) whose Kubernetes objects the pack cannot read (Helm Release, yaml/v2 without visible children) that you accept.",
    },
    allowedOpenPorts: {
      type: "object",
      properties: {
        ingress: { type: "array", items: { type: "string", pattern: "^[^/]+/(TCP|UDP|SCTP)$" } },
        egress: { type: "array", items: { type: "string", pattern: "^[^/]+/(TCP|UDP|SCTP)$" } },
      },
      required: ["ingress", "egress"],
      additionalProperties: false,
      default: { ingress: [], egress: [] },
      description:
        "Ports (`port/PROTOCOL`) a rule open to every peer may still allow without counting as re-opening the namespace, per direction (an explicit opt-out; also lifts the DNS rule for those ports). Default: none.",
    },
  },
  check: checkDefaultDeny,
  reads: ["Namespace", "NetworkPolicy", "Workload"],
  checkResource: defaultDenyResourceFindings,
  resourceClasses: ["NetworkPolicy", "Workload", "Opaque"],
});
