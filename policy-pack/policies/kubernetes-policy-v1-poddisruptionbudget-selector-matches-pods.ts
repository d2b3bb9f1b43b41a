// Advisory: a PodDisruptionBudget whose selector matches no pod template of the stack.
import { checkPdbSelectorMatches } from "../analysis";
import { type CommonConfig, definePolicy } from "../support/define";
import { K8S_DISRUPTIONS, URLS } from "../support/frameworks";

export const pdbSelectorMatchesPods = definePolicy<CommonConfig>({
  name: "kubernetes-policy-v1-poddisruptionbudget-selector-matches-pods",
  description:
    "A PodDisruptionBudget's selector should match the pod template of at least one workload of the stack in its namespace (a null selector matches nothing).",
  enforcementLevel: "advisory",
  severity: "low",
  framework: K8S_DISRUPTIONS,
  remediationSteps: [
    "1. Compare spec.selector with the pod template labels of the workload it should protect; every label the selector requires must be on the template.",
    "2. Make sure the budget is in the workload's namespace.",
    "3. Set a selector: a budget without one selects no pods.",
  ].join("\n"),
  url: URLS.pdb,
  tags: ["kubernetes", "availability", "pod-disruption-budget"],
  defaults: { failClosedOnUnknown: false, exemptNamespaces: [] },
  config: {},
  check: checkPdbSelectorMatches,
  reads: ["PodDisruptionBudget", "Workload"],
});
