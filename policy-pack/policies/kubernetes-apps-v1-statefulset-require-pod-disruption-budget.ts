// Mandatory: every StatefulSet at or above a replica threshold has a PodDisruptionBudget in its
// namespace whose selector matches its pod template labels.
import { type RequirePdbConfig, checkRequirePdb, pdbResourceFindings } from "../analysis";
import { type CommonConfig, definePolicy } from "../support/define";
import { K8S_DISRUPTIONS, URLS } from "../support/frameworks";
import { quorumFormula } from "../../lib/topology/quorum";

type Config = CommonConfig & RequirePdbConfig;

export const requirePodDisruptionBudget = definePolicy<Config>({
  name: "kubernetes-apps-v1-statefulset-require-pod-disruption-budget",
  description:
    "Every StatefulSet with at least `minReplicas` replicas must have exactly one working PodDisruptionBudget in its own namespace and cluster, judged against the pods the controller really creates: every pod selected by one budget only, which keeps at least one pod and lets at least one go; no budget may protect nothing.",
  enforcementLevel: "mandatory",
  severity: "medium",
  framework: K8S_DISRUPTIONS,
  remediationSteps: [
    "1. Add a policy/v1 PodDisruptionBudget in the StatefulSet's namespace.",
    "2. Use the StatefulSet's selector labels (a subset of the pod template labels) as spec.selector.matchLabels; every label the budget requires must be on the pod template.",
    `3. For a quorum system of n replicas set minAvailable: ${quorumFormula()}; for a single replica use maxUnavailable: 1 so drains can proceed.`,
    "4. Exempt a StatefulSet on purpose with exemptStatefulSets (namespace/name) or raise minReplicas.",
  ].join("\n"),
  url: URLS.pdb,
  tags: ["kubernetes", "availability", "pod-disruption-budget"],
  defaults: { failClosedOnUnknown: true, exemptNamespaces: ["kube-system"] },
  config: {
    minReplicas: {
      type: "integer",
      minimum: 0,
      default: 1,
      description:
        "StatefulSets with at least this many replicas (spec.replicas, default 1) need a budget; 2 skips single-replica sets as kube-score does, 3 matches Kyverno's require-pdb.",
    },
    exemptStatefulSets: {
      type: "array",
      items: { type: "string", pattern: "^[^/]+/[^/]+$" },
      uniqueItems: true,
      default: [],
      description: "StatefulSets (`namespace/name`) this policy ignores.",
    },
    acknowledgedUnreadable: {
      type: "array",
      items: { type: "string" },
      uniqueItems: true,
      default: [],
      description:
        "Resources (`type::name`) whose Kubernetes objects the pack cannot read (Helm Release, yaml/v2 without visible children) that you accept.",
    },
  },
  check: checkRequirePdb,
  reads: ["Workload", "PodDisruptionBudget"],
  checkResource: pdbResourceFindings,
  resourceClasses: ["PodDisruptionBudget", "Opaque"],
});
