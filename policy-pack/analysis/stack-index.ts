// One pass over the stack's resources, grouped by kind and namespace, so every check looks up
// what lives in a namespace instead of scanning the stack per object (no pairwise scan).
// Kinds are normalised lazily: a check pays only for the kinds it reads.
import {
  type ConfigObj,
  type NamespaceObj,
  type NetworkPolicyObj,
  type PdbObj,
  type StackResource,
  type WorkloadObj,
  classify,
  toConfig,
  toNamespace,
  toNetworkPolicy,
  toPdb,
  toWorkload,
} from "./resources";
import { type Maybe, Unknown } from "./unknown";

/** Objects grouped by namespace; those whose namespace is unknown are kept apart. */
export class ByNamespace<T extends { namespace: Maybe<string> }> {
  readonly all: readonly T[];
  private readonly map = new Map<string, T[]>();
  readonly unknownNamespace: T[] = [];

  constructor(objs: readonly T[]) {
    this.all = objs;
    for (const o of objs) {
      if (o.namespace instanceof Unknown) {
        this.unknownNamespace.push(o);
        continue;
      }
      let list = this.map.get(o.namespace);
      if (!list) this.map.set(o.namespace, (list = []));
      list.push(o);
    }
  }

  in(namespace: string): readonly T[] {
    return this.map.get(namespace) ?? [];
  }

  namespaces(): IterableIterator<string> {
    return this.map.keys();
  }
}

export class StackIndex {
  private readonly raw = {
    Namespace: [] as StackResource[],
    NetworkPolicy: [] as StackResource[],
    PodDisruptionBudget: [] as { r: StackResource; version: string }[],
    Workload: [] as { r: StackResource; kind: WorkloadObj["workloadKind"] }[],
    ConfigMap: [] as StackResource[],
    Secret: [] as StackResource[],
  };
  private cache = new Map<string, unknown>();

  constructor(resources: Iterable<StackResource>) {
    for (const r of resources) {
      const c = classify(r.type);
      if (!c) continue;
      switch (c.class) {
        case "PodDisruptionBudget":
          this.raw.PodDisruptionBudget.push({ r, version: c.version });
          break;
        case "Workload":
          this.raw.Workload.push({ r, kind: c.kind });
          break;
        default:
          this.raw[c.class].push(r);
      }
    }
  }

  private memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  get namespaces(): readonly NamespaceObj[] {
    return this.memo("ns", () => this.raw.Namespace.map(toNamespace));
  }

  get networkPolicies(): ByNamespace<NetworkPolicyObj> {
    return this.memo("np", () => new ByNamespace(this.raw.NetworkPolicy.map(toNetworkPolicy)));
  }

  get pdbs(): ByNamespace<PdbObj> {
    return this.memo(
      "pdb",
      () => new ByNamespace(this.raw.PodDisruptionBudget.map((x) => toPdb(x.r, x.version))),
    );
  }

  get workloads(): ByNamespace<WorkloadObj> {
    return this.memo(
      "wl",
      () => new ByNamespace(this.raw.Workload.map((x) => toWorkload(x.r, x.kind))),
    );
  }

  /** A ConfigMap or Secret by namespace and name (an unknown name never matches). */
  config(namespace: string, kind: "ConfigMap" | "Secret", name: string): ConfigObj | undefined {
    const byKey = this.memo("cfgByKey", () => {
      const m = new Map<string, ConfigObj>();
      for (const c of this.configs.all) {
        if (typeof c.namespace === "string" && typeof c.name === "string") {
          m.set(`${c.namespace}\u0000${c.configKind}\u0000${c.name}`, c);
        }
      }
      return m;
    });
    return byKey.get(`${namespace}\u0000${kind}\u0000${name}`);
  }

  get configs(): ByNamespace<ConfigObj> {
    return this.memo(
      "cfg",
      () =>
        new ByNamespace([
          ...this.raw.ConfigMap.map((r) => toConfig(r, "ConfigMap")),
          ...this.raw.Secret.map((r) => toConfig(r, "Secret")),
        ]),
    );
  }
}
