// Advisory: NetworkPolicy peers that pick namespaces by a custom label. Anyone who may label a
// namespace can give it that label and be let in; the API server sets kubernetes.io/metadata.name
// itself, so it cannot be forged.
import { namespaceSelectors } from "../isolation";
import { selectorKeys } from "../selectors";
import type { StackIndex } from "../stack-index";
import { Unknown } from "../unknown";
import { type Finding, describeRef, unknownFinding } from "./common";

export interface ImmutableLabelConfig {
  readonly exemptNamespaces: readonly string[];
  /** Namespace labels that cannot be forged and may be selected on. */
  readonly allowedLabels: readonly string[];
}

export function checkImmutableNamespaceLabel(
  idx: StackIndex,
  cfg: ImmutableLabelConfig,
): Finding[] {
  const out: Finding[] = [];
  const exempt = new Set(cfg.exemptNamespaces);
  const allowed = new Set(cfg.allowedLabels);
  for (const np of idx.networkPolicies.all) {
    if (typeof np.namespace === "string" && exempt.has(np.namespace)) continue;
    const sels = namespaceSelectors(np);
    const what = (): string => `the namespace selectors of ${describeRef(np)}`;
    if (sels instanceof Unknown) {
      out.push(unknownFinding(np.urn, what, sels));
      continue;
    }
    for (const { path, selector } of sels) {
      if (selector instanceof Unknown) {
        out.push(unknownFinding(np.urn, what, selector));
        continue;
      }
      const custom = [...new Set(selectorKeys(selector).filter((k) => !allowed.has(k)))];
      if (custom.length === 0) continue;
      out.push({
        urn: np.urn,
        message:
          `${describeRef(np)} selects namespaces by the mutable label(s) ${custom.join(", ")} ` +
          `at ${path}: anyone allowed to label a namespace can be let in. Select on ` +
          `${[...allowed].join(" or ")} instead.`,
      });
    }
  }
  return out;
}
