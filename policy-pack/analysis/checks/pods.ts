// The pods of each namespace (of each cluster), as their controllers create them (see
// `podShapes`), indexed by label, built on first use.
import { type PodShape, type WorkloadObj, namesOrdinals, podShapes } from "../resources";
import { LabelIndex, type Selector } from "../selectors";
import { type StackIndex, scopeKey } from "../stack-index";
import { Unknown } from "../unknown";

export interface Pod extends PodShape {
  readonly workload: WorkloadObj;
}

export interface NamespacePods {
  /**
   * The pods `sel` matches. Each StatefulSet pod is a pod of its own only when `sel` names an
   * ordinal (`statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`); otherwise its
   * pods match alike and come back as one shape counting them all. Either way the counts add up
   * to the same number of pods.
   */
  query(sel: Selector): Pod[];
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

/**
 * The pods of one namespace. Each index is built on the first query that needs it: a check whose
 * selectors never name an ordinal never expands a StatefulSet pod by pod, and deciding that needs
 * no other kind of object parsed.
 */
class Pods implements NamespacePods {
  readonly workloads: number;
  readonly unknown?: Unknown;
  private generic: LabelIndex<Pod> | undefined;
  private ordinal: LabelIndex<Pod> | undefined;

  constructor(
    private readonly ws: readonly WorkloadObj[],
    floating: Unknown | undefined,
  ) {
    this.workloads = ws.length;
    let unknown = floating;
    // Whether a template is unknown does not depend on the expansion (see podShapes).
    for (const w of ws) {
      const shapes = podShapes(w, false);
      if (shapes instanceof Unknown) {
        unknown ??= shapes;
        break;
      }
    }
    if (unknown) this.unknown = unknown;
  }

  query(sel: Selector): Pod[] {
    return this.index(namesOrdinals(sel)).query(sel);
  }

  private index(perOrdinal: boolean): LabelIndex<Pod> {
    let index = perOrdinal ? this.ordinal : this.generic;
    if (!index) {
      index = new LabelIndex<Pod>();
      for (const w of this.ws) {
        const shapes = podShapes(w, perOrdinal);
        if (!(shapes instanceof Unknown))
          for (const s of shapes) index.add(s.labels, { ...s, workload: w });
      }
      if (perOrdinal) this.ordinal = index;
      else this.generic = index;
    }
    return index;
  }
}

function build(idx: StackIndex): (ns: string, cluster: string) => NamespacePods {
  const cache = new Map<string, NamespacePods>();
  const first = idx.workloads.unknownNamespace[0]?.namespace;
  const floating = first instanceof Unknown ? first : undefined;
  return (ns, cluster) => {
    const key = scopeKey(cluster, ns);
    let e = cache.get(key);
    if (!e) cache.set(key, (e = new Pods(idx.workloads.in(ns, cluster), floating)));
    return e;
  };
}
