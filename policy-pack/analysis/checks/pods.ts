// Pod templates of each namespace, indexed by label, built on first use.
import type { WorkloadObj } from "../resources";
import { LabelIndex } from "../selectors";
import type { StackIndex } from "../stack-index";
import { Unknown } from "../unknown";

export interface NamespacePods {
  readonly index: LabelIndex<WorkloadObj>;
  /** Set when some pod template of the namespace (or of an unknown namespace) is unknown. */
  readonly unknown?: Unknown;
}

export function podsByNamespace(idx: StackIndex): (ns: string) => NamespacePods {
  const cache = new Map<string, NamespacePods>();
  const floating = idx.workloads.unknownNamespace[0]?.namespace;
  return (ns) => {
    let e = cache.get(ns);
    if (!e) {
      const index = new LabelIndex<WorkloadObj>();
      let unknown: Unknown | undefined = floating instanceof Unknown ? floating : undefined;
      for (const w of idx.workloads.in(ns)) {
        if (w.podLabels instanceof Unknown) unknown ??= w.podLabels;
        else index.add(w.podLabels, w);
      }
      e = unknown ? { index, unknown } : { index };
      cache.set(ns, e);
    }
    return e;
  };
}
