// The pods of each namespace (of each cluster), as their controllers create them (see
// `podShapes`), indexed by label, built on first use.
import { type PodShape, type WorkloadObj, namesOrdinals, podShapes } from "../resources";
import { LabelIndex } from "../selectors";
import { type StackIndex, scopeKey } from "../stack-index";
import { Unknown } from "../unknown";

export interface Pod extends PodShape {
  readonly workload: WorkloadObj;
}

export interface NamespacePods {
  readonly index: LabelIndex<Pod>;
  /** Workloads of the namespace. */
  readonly workloads: number;
  /** Set when some pod template of the namespace (or of an unknown namespace) is unknown. */
  readonly unknown?: Unknown;
}

const perIndex = new WeakMap<StackIndex, (ns: string, cluster: string) => NamespacePods>();

/** Shared by every check run on the same index (built once per namespace). */
export function podsByNamespace(idx: StackIndex): (ns: string, cluster: string) => NamespacePods {
  let f = perIndex.get(idx);
  if (!f) perIndex.set(idx, (f = build(idx)));
  return f;
}

function build(idx: StackIndex): (ns: string, cluster: string) => NamespacePods {
  const cache = new Map<string, NamespacePods>();
  const floating = idx.workloads.unknownNamespace[0]?.namespace;
  return (ns, cluster) => {
    const key = scopeKey(cluster, ns);
    let e = cache.get(key);
    if (!e) {
      const index = new LabelIndex<Pod>();
      let unknown: Unknown | undefined = floating instanceof Unknown ? floating : undefined;
      const ws = idx.workloads.in(ns, cluster);
      // Each StatefulSet pod on its own only where some selector of the namespace names one.
      const perOrdinal =
        idx.pdbs.in(ns, cluster).some((p) => namesOrdinals(p.selector)) ||
        idx.networkPolicies.in(ns, cluster).some((np) => namesOrdinals(np.podSelector));
      for (const w of ws) {
        const shapes = podShapes(w, perOrdinal);
        if (shapes instanceof Unknown) unknown ??= shapes;
        else for (const s of shapes) index.add(s.labels, { ...s, workload: w });
      }
      e = unknown ? { index, unknown, workloads: ws.length } : { index, workloads: ws.length };
      cache.set(key, e);
    }
    return e;
  };
}
