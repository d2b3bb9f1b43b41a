// Kubernetes label-selector matching for test assertions (matchLabels + matchExpressions). Kept
// apart from policy-pack/analysis/selectors on purpose: an oracle independent of the pack it checks.
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selectorMatches(
  selector: Selector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}))
    if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    const ok =
      e.operator === "In"
        ? has && (e.values ?? []).includes(val ?? "")
        : e.operator === "NotIn"
          ? !has || !(e.values ?? []).includes(val ?? "")
          : e.operator === "Exists"
            ? has
            : e.operator === "DoesNotExist"
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}
