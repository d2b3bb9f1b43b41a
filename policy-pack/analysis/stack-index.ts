// One pass over the stack's resources, grouped by kind, cluster and namespace, so every check
// looks up what lives in a namespace instead of scanning the stack per object (no pairwise scan).
// Kinds are normalised lazily: a check pays only for the kinds it reads.
//
// Before grouping, the index settles what the stack really creates:
// - `<Kind>Patch` resources are merged into the object of the stack they patch (same cluster,
//   kind, namespace and name; objects merge, lists and scalars are replaced, as server-side apply
//   does for the atomic lists of these kinds); a patch of an object the stack lacks stays on its
//   own, marked `externalPatch`: the fields it does not set are invisible.
// - Resources registered without a provider under a Kubernetes type token are components that
//   create nothing; they are set aside (`impostors`) and never counted as objects.
// - Helm Releases and yaml/v2 / Helm v4 / kustomize/v2 components without visible children are
//   set aside as `opaque`: objects the pack cannot read.
import {
  type ConfigObj,
  type NamespaceObj,
  type NetworkPolicyObj,
  type PdbObj,
  type StackResource,
  type WorkloadObj,
  classify,
  namespaceOf,
  toConfig,
  toNamespace,
  toNetworkPolicy,
  toPdb,
  toWorkload,
} from "./resources";
import { type Maybe, Unknown, cursor, readString } from "./unknown";

/** Key of a namespace in a cluster. */
export function scopeKey(cluster: string, namespace: string): string {
  return `${cluster}\u0000${namespace}`;
}

const NONE: readonly never[] = [];

/** Objects grouped by cluster and namespace; those whose namespace is unknown are kept apart. */
export class ByNamespace<T extends { namespace: Maybe<string>; cluster: string }> {
  readonly all: readonly T[];
  // Cluster, then namespace: no key string is built (and hashed) per object or per lookup. Built
  // on first lookup: a resource policy makes these for a stack of one resource and never looks up.
  #map: Map<string, Map<string, T[]>> | undefined;
  #floating: readonly T[] | undefined;

  constructor(objs: readonly T[]) {
    this.all = objs;
  }

  /** Objects whose namespace is unknown (preview). */
  get unknownNamespace(): readonly T[] {
    if (this.#floating === undefined) this.group();
    return this.#floating as readonly T[];
  }

  /** Objects in `namespace` of `cluster` ("" = the ambient cluster). */
  in(namespace: string, cluster = ""): readonly T[] {
    if (this.#floating === undefined) this.group();
    return this.#map?.get(cluster)?.get(namespace) ?? NONE;
  }

  private group(): void {
    let map: Map<string, Map<string, T[]>> | undefined;
    let floating: T[] | undefined;
    for (const o of this.all) {
      if (o.namespace instanceof Unknown) {
        (floating ??= []).push(o);
        continue;
      }
      map ??= new Map<string, Map<string, T[]>>();
      let byNs = map.get(o.cluster);
      if (!byNs) map.set(o.cluster, (byNs = new Map<string, T[]>()));
      let list = byNs.get(o.namespace);
      if (!list) byNs.set(o.namespace, (list = []));
      list.push(o);
    }
    this.#map = map;
    this.#floating = floating ?? NONE;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Server-side-apply-like merge: objects merge key by key; lists and scalars are replaced. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(target) || !isPlainObject(patch)) return patch === undefined ? target : patch;
  const out: Record<string, unknown> = { ...target };
  for (const k of Object.keys(patch)) out[k] = mergePatch(target[k], patch[k]);
  return out;
}

function identity(r: StackResource, cls: string): string | undefined {
  const c = cursor(r.urn, r.props, "", r.unknownMarkers);
  const name = readString(c, "metadata", "name");
  if (name === undefined || name instanceof Unknown) return undefined;
  if (cls === "Namespace") return `${r.cluster ?? ""}\u0000${cls}\u0000${name}`;
  const ns = namespaceOf(r, c);
  if (ns instanceof Unknown) return undefined;
  return `${r.cluster ?? ""}\u0000${cls}\u0000${ns}\u0000${name}`;
}

/** The kinds of object a check can read from the index. */
export type IndexedKind =
  "Namespace" | "NetworkPolicy" | "PodDisruptionBudget" | "Workload" | "ConfigMap" | "Secret";

export class StackIndex {
  private readonly raw = {
    Namespace: [] as StackResource[],
    NetworkPolicy: [] as StackResource[],
    PodDisruptionBudget: [] as { r: StackResource; version: string }[],
    Workload: [] as { r: StackResource; kind: WorkloadObj["workloadKind"] }[],
    ConfigMap: [] as StackResource[],
    Secret: [] as StackResource[],
  };
  /** Components registered under a Kubernetes type token (they create nothing). */
  readonly impostors: StackResource[] = [];
  /** Resources that create Kubernetes objects the pack cannot read. */
  readonly opaque: StackResource[] = [];

  /**
   * `reads`: the kinds the check declares it reads (see PolicyDefinition.reads); reading any
   * other kind throws, so a check cannot silently see an empty list for a kind it never asked for.
   * Absent: every kind.
   */
  constructor(
    resources: Iterable<StackResource>,
    private readonly reads?: ReadonlySet<IndexedKind>,
  ) {
    // Built once per policy for the stack, and once per resource for each resource policy: no
    // allocation here that a stack without patches does not need.
    let patches: { r: StackResource; cls: string }[] | undefined;
    for (const r of resources) {
      const c = classify(r.type);
      if (!c) continue;
      if (c.class === "Opaque") {
        if (!c.childrenVisible || !r.hasChildren) this.opaque.push(r);
      } else if (r.component) {
        this.impostors.push(r);
      } else if (c.patch) {
        (patches ??= []).push({ r, cls: c.class === "Workload" ? `Workload/${c.kind}` : c.class });
      } else if (c.class === "PodDisruptionBudget") {
        this.raw.PodDisruptionBudget.push({ r, version: c.version });
      } else if (c.class === "Workload") {
        this.raw.Workload.push({ r, kind: c.kind });
      } else {
        this.raw[c.class].push(r);
      }
    }
    if (patches) this.mergePatches(patches);
  }

  /** Merges each patch into the object it patches, when the stack declares it. */
  private mergePatches(patches: readonly { r: StackResource; cls: string }[]): void {
    const targets = new Map<string, { list: StackResource[]; i: number }>();
    const lists: [string, StackResource[]][] = [
      ["Namespace", this.raw.Namespace],
      ["NetworkPolicy", this.raw.NetworkPolicy],
      ["ConfigMap", this.raw.ConfigMap],
      ["Secret", this.raw.Secret],
    ];
    for (const [cls, list] of lists) {
      list.forEach((r, i) => {
        const id = identity(r, cls);
        if (id) targets.set(id, { list, i });
      });
    }
    const pdbRs = this.raw.PodDisruptionBudget.map((x) => x.r);
    pdbRs.forEach((r, i) => {
      const id = identity(r, "PodDisruptionBudget");
      if (id) targets.set(id, { list: pdbRs, i });
    });
    const wlRs = this.raw.Workload.map((x) => x.r);
    wlRs.forEach((r, i) => {
      const id = identity(r, `Workload/${this.raw.Workload[i]?.kind ?? ""}`);
      if (id) targets.set(id, { list: wlRs, i });
    });
    for (const { r, cls } of patches) {
      const id = identity(r, cls);
      const t = id ? targets.get(id) : undefined;
      if (t) {
        const old = t.list[t.i] as StackResource;
        t.list[t.i] = {
          ...old,
          props: mergePatch(old.props, r.props),
          patchedBy: [...(old.patchedBy ?? []), r.urn],
        };
      } else {
        const standalone = { ...r, externalPatch: true };
        const c = classify(r.type);
        if (c?.class === "PodDisruptionBudget") {
          this.raw.PodDisruptionBudget.push({ r: standalone, version: c.version });
          pdbRs.push(standalone);
        } else if (c?.class === "Workload") {
          this.raw.Workload.push({ r: standalone, kind: c.kind });
          wlRs.push(standalone);
        } else if (c && c.class !== "Opaque") this.raw[c.class].push(standalone);
      }
    }
    this.raw.PodDisruptionBudget = this.raw.PodDisruptionBudget.map((x, i) => ({
      ...x,
      r: pdbRs[i] as StackResource,
    }));
    this.raw.Workload = this.raw.Workload.map((x, i) => ({ ...x, r: wlRs[i] as StackResource }));
  }

  // Each view is built on first use and kept; plain fields rather than a keyed memo, because the
  // getters are read in the checks' inner loops and a memo allocated a closure on every read.
  #namespaces: readonly NamespaceObj[] | undefined;
  #networkPolicies: ByNamespace<NetworkPolicyObj> | undefined;
  #pdbs: ByNamespace<PdbObj> | undefined;
  #workloads: ByNamespace<WorkloadObj> | undefined;
  #configs: ByNamespace<ConfigObj> | undefined;
  #configByKey: Map<string, ConfigObj> | undefined;

  private declared(kind: IndexedKind): void {
    if (this.reads && !this.reads.has(kind)) {
      throw new Error(
        `this check reads ${kind} objects but its policy does not declare them in \`reads\` (${[...this.reads].join(", ")})`,
      );
    }
  }

  get namespaces(): readonly NamespaceObj[] {
    this.declared("Namespace");
    return (this.#namespaces ??= this.raw.Namespace.map(toNamespace));
  }

  get networkPolicies(): ByNamespace<NetworkPolicyObj> {
    this.declared("NetworkPolicy");
    return (this.#networkPolicies ??= new ByNamespace(this.raw.NetworkPolicy.map(toNetworkPolicy)));
  }

  get pdbs(): ByNamespace<PdbObj> {
    this.declared("PodDisruptionBudget");
    return (this.#pdbs ??= new ByNamespace(
      this.raw.PodDisruptionBudget.map((x) => toPdb(x.r, x.version)),
    ));
  }

  get workloads(): ByNamespace<WorkloadObj> {
    this.declared("Workload");
    return (this.#workloads ??= new ByNamespace(
      this.raw.Workload.map((x) => toWorkload(x.r, x.kind)),
    ));
  }

  /** A ConfigMap or Secret by cluster, namespace and name (an unknown name never matches). */
  config(
    namespace: string,
    kind: "ConfigMap" | "Secret",
    name: string,
    cluster = "",
  ): ConfigObj | undefined {
    if (!this.#configByKey) {
      const m = new Map<string, ConfigObj>();
      for (const c of this.configs.all) {
        if (typeof c.namespace === "string" && typeof c.name === "string") {
          m.set(`${c.cluster}\u0000${c.namespace}\u0000${c.configKind}\u0000${c.name}`, c);
        }
      }
      this.#configByKey = m;
    }
    return this.#configByKey.get(`${cluster}\u0000${namespace}\u0000${kind}\u0000${name}`);
  }

  get configs(): ByNamespace<ConfigObj> {
    this.declared("ConfigMap");
    this.declared("Secret");
    return (this.#configs ??= new ByNamespace([
      ...this.raw.ConfigMap.map((r) => toConfig(r, "ConfigMap")),
      ...this.raw.Secret.map((r) => toConfig(r, "Secret")),
    ]));
  }
}
