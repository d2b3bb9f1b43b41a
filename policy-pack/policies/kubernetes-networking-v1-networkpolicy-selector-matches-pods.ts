// Advisory: a NetworkPolicy whose pod selector (or a same-namespace peer's) matches no pod
// template of the stack.
import { checkNetworkPolicySelectorMatches } from "../analysis";
import { type CommonConfig, definePolicy } from "../support/define";
import { NSA_CISA_NETWORK, URLS } from "../support/frameworks";

export const networkPolicySelectorMatchesPods = definePolicy<CommonConfig>({
  name: "kubernetes-networking-v1-networkpolicy-selector-matches-pods",
  description:
    "A NetworkPolicy's spec.podSelector, and the podSelector of each peer in its own namespace, should match the pod template of at least one workload of the stack (`podSelector: {}` is never flagged).",
  enforcementLevel: "advisory",
  severity: "low",
  framework: NSA_CISA_NETWORK,
  remediationSteps: [
    "1. Compare the selector with the pod template labels of the workloads it should cover.",
    "2. Make sure the policy is in the namespace of those pods; for pods of other namespaces add a namespaceSelector to the peer.",
  ].join("\n"),
  url: URLS.networkPolicies,
  tags: ["kubernetes", "network"],
  defaults: { failClosedOnUnknown: false, exemptNamespaces: [] },
  config: {},
  check: checkNetworkPolicySelectorMatches,
  reads: ["NetworkPolicy", "Workload"],
});
