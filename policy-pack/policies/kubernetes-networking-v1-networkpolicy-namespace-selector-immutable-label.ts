// Advisory: NetworkPolicy peers should select namespaces by the immutable
// kubernetes.io/metadata.name label, not by a label a tenant can set.
import { type ImmutableLabelConfig, checkImmutableNamespaceLabel } from "../analysis";
import { type CommonConfig, definePolicy } from "../support/define";
import { NSA_CISA_NETWORK, URLS } from "../support/frameworks";
import { NAMESPACE_NAME_LABEL } from "../../lib/topology/tiers";

type Config = CommonConfig & ImmutableLabelConfig;

export const namespaceSelectorImmutableLabel = definePolicy<Config>({
  name: "kubernetes-networking-v1-networkpolicy-namespace-selector-immutable-label",
  description:
    "NetworkPolicy peers should select namespaces only by labels that cannot be forged (kubernetes.io/metadata.name, set by the API server), not by custom labels anyone allowed to label a namespace can add.",
  enforcementLevel: "advisory",
  severity: "medium",
  framework: NSA_CISA_NETWORK,
  remediationSteps: [
    "1. Replace `namespaceSelector.matchLabels` on custom labels with `kubernetes.io/metadata.name: <namespace>` (or matchExpressions In over several names).",
    "2. Keep descriptive labels such as tiers on namespaces for people and tools, not for access decisions.",
  ].join("\n"),
  url: URLS.namespaceNameLabel,
  tags: ["kubernetes", "network", "nsa-cisa"],
  defaults: { failClosedOnUnknown: false, exemptNamespaces: [] },
  config: {
    allowedLabels: {
      type: "array",
      items: { type: "string" },
      uniqueItems: true,
      default: [NAMESPACE_NAME_LABEL],
      description: "Namespace labels that cannot be forged and may be selected on.",
    },
  },
  check: checkImmutableNamespaceLabel,
  reads: ["NetworkPolicy"],
});
