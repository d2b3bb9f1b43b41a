// Normalises the Kubernetes resources of a Pulumi stack into the few facts the checks need.
// Resources are recognised by Pulumi type token (`kubernetes:<group>/<version>:<Kind>`), so the
// pack works on any Pulumi Kubernetes program: hand-written resources, yaml/v2 and Helm v4
// children alike.
import { FRESH, type Labels, type Selector, parseSelector } from "./selectors";
import {
  type Cursor,
  type Maybe,
  Unknown,
  cursor,
  entries,
  items,
  pathOf,
  read,
  readString,
  stringMap,
} from "./unknown";

/** One resource as the stack sees it: type token, URN, properties (possibly unknown-checking). */
export interface StackResource {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  readonly props: unknown;
  /** The Kubernetes provider's `namespace` setting, if the resource has an explicit provider. */
  readonly providerNamespace?: Maybe<string | undefined>;
  /** String values of `props` that stand for "unknown" (raw CrossGuard properties). */
  readonly unknownMarkers?: ReadonlySet<string>;
  /**
   * Which cluster the object goes to: a key built from its provider's kubeconfig, context and
   * cluster settings, or the provider's URN when those are unknown. Objects of different
   * clusters never protect each other. Absent: the one ambient cluster.
   */
  readonly cluster?: string;
  /** The provider's Pulumi name, for messages. */
  readonly providerName?: string;
  /**
   * Registered without a provider: a ComponentResource that borrowed a Kubernetes type token.
   * It creates nothing in any cluster, so the pack does not believe what it claims.
   */
  readonly component?: boolean;
  /** URNs of the resources its properties were computed from. */
  readonly dependsOn?: readonly string[];
  /** Whether some resource of the stack names this one as its parent. */
  readonly hasChildren?: boolean;
  /** Set by the stack index: this object is a `<Kind>Patch` of an object the stack lacks. */
  readonly externalPatch?: boolean;
  /** Set by the stack index: URNs of the `<Kind>Patch` resources merged into this object. */
  readonly patchedBy?: readonly string[];
}

/** Where a resource is: its URN, Pulumi type and Kubernetes identity. */
export interface ObjectRef {
  readonly urn: string;
  readonly type: string;
  readonly kind: string;
  /** metadata.name */
  readonly name: Maybe<string>;
  /** Cluster key (see `StackResource.cluster`); "" for the ambient cluster. */
  readonly cluster: string;
  /** A `<Kind>Patch` of an object this stack does not declare: fields it omits are unseen. */
  readonly externalPatch: boolean;
  /** `<Kind>Patch` resources merged into this object. */
  readonly patchedBy: readonly string[];
}

export interface NamespacedRef extends ObjectRef {
  /** metadata.namespace, else the provider's namespace, else `default`. */
  readonly namespace: Maybe<string>;
}

const TOKEN = /^kubernetes:([a-z0-9.-]+\/)?(v[0-9a-z]+):([A-Za-z]+)$/;

/** Splits a type token into `group/version` (`core/v1` for the core group) and kind. */
export function parseToken(type: string): { groupVersion: string; kind: string } | undefined {
  const m = TOKEN.exec(type);
  if (!m) return undefined;
  return { groupVersion: `${(m[1] ?? "core/").slice(0, -1)}/${m[2]}`, kind: m[3] as string };
}

export const WORKLOAD_KINDS = [
  "StatefulSet",
  "Deployment",
  "ReplicaSet",
  "DaemonSet",
  "ReplicationController",
  "Job",
  "CronJob",
  "Pod",
] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

const WORKLOAD_GROUPS: Readonly<Record<WorkloadKind, readonly string[]>> = {
  StatefulSet: ["apps"],
  Deployment: ["apps", "extensions"],
  ReplicaSet: ["apps", "extensions"],
  DaemonSet: ["apps", "extensions"],
  ReplicationController: ["core"],
  Job: ["batch"],
  CronJob: ["batch"],
  Pod: ["core"],
};

export type ResourceClass = (
  | { readonly class: "Namespace" }
  | { readonly class: "NetworkPolicy" }
  | { readonly class: "PodDisruptionBudget"; readonly version: string }
  | { readonly class: "Workload"; readonly kind: WorkloadKind }
  | { readonly class: "ConfigMap" }
  | { readonly class: "Secret" }
  /** Creates Kubernetes objects the pack cannot read (Helm Release) or reads only as children. */
  | { readonly class: "Opaque"; readonly childrenVisible: boolean }
) & {
  /** A `<Kind>Patch` resource (server-side apply patch of an existing object). */
  readonly patch?: boolean;
};

/**
 * Types that create Kubernetes objects without being one. A Helm `Release` installs objects the
 * engine never sees; yaml/v2, Helm v4 and kustomize/v2 components register their objects as
 * child resources, which the pack reads, unless their input is unknown at preview.
 */
const OPAQUE: Readonly<Record<string, boolean>> = {
  "kubernetes:helm.sh/v3:Release": false,
  "kubernetes:helm.sh/v4:Chart": true,
  "kubernetes:yaml/v2:ConfigFile": true,
  "kubernetes:yaml/v2:ConfigGroup": true,
  "kubernetes:kustomize/v2:Directory": true,
};

const classified = new Map<string, ResourceClass | undefined>();

/** Classifies a type token; `undefined` for everything the checks ignore. Memoised per token. */
export function classify(type: string): ResourceClass | undefined {
  if (!type.startsWith("kubernetes:")) return undefined;
  if (classified.has(type)) return classified.get(type);
  const c = classifyToken(type);
  classified.set(type, c);
  return c;
}

function classifyToken(type: string): ResourceClass | undefined {
  const opaque = OPAQUE[type];
  if (opaque !== undefined) return { class: "Opaque", childrenVisible: opaque };
  const t = parseToken(type);
  if (!t) return undefined;
  if (t.kind.endsWith("Patch") && t.kind !== "Patch") {
    const c = classifyToken(type.slice(0, -"Patch".length));
    return c && c.class !== "Opaque" ? { ...c, patch: true } : undefined;
  }
  const group = t.groupVersion.split("/")[0] as string;
  switch (t.kind) {
    case "Namespace":
      return group === "core" ? { class: "Namespace" } : undefined;
    case "NetworkPolicy":
      return group === "networking.k8s.io" || group === "extensions"
        ? { class: "NetworkPolicy" }
        : undefined;
    case "PodDisruptionBudget":
      return group === "policy"
        ? { class: "PodDisruptionBudget", version: t.groupVersion.split("/")[1] as string }
        : undefined;
    case "ConfigMap":
      return group === "core" ? { class: "ConfigMap" } : undefined;
    case "Secret":
      return group === "core" ? { class: "Secret" } : undefined;
  }
  const kind = WORKLOAD_KINDS.find((k) => k === t.kind);
  if (kind && WORKLOAD_GROUPS[kind].includes(group)) return { class: "Workload", kind };
  return undefined;
}

/** A cursor on the resource's properties. */
function propsCursor(r: StackResource): Cursor {
  return cursor(r.urn, r.props, "", r.unknownMarkers);
}

/**
 * What every parsed object carries (ObjectRef), set field by field by the views below: one
 * object per resource and policy, with no intermediate reference object to copy from.
 */
abstract class ObjectView implements ObjectRef {
  readonly urn: string;
  readonly type: string;
  readonly name: Maybe<string>;
  readonly cluster: string;
  readonly externalPatch: boolean;
  readonly patchedBy: readonly string[];

  constructor(
    r: StackResource,
    readonly kind: string,
    c: Cursor,
  ) {
    const name = readString(c, "metadata", "name");
    this.urn = r.urn;
    this.type = r.type;
    this.name = name === undefined ? new Unknown(r.urn, "metadata.name (not set)") : name;
    this.cluster = r.cluster ?? "";
    this.externalPatch = r.externalPatch ?? false;
    this.patchedBy = r.patchedBy ?? NO_PATCHES;
  }
}

const NO_PATCHES: readonly string[] = [];

/** metadata.namespace, else the provider's default namespace, else `default`. */
export function namespaceOf(r: StackResource, c: Cursor): Maybe<string> {
  const ns = readString(c, "metadata", "namespace");
  if (ns instanceof Unknown) return ns;
  if (ns !== undefined && ns !== "") return ns;
  const p = r.providerNamespace;
  if (p instanceof Unknown) return p;
  if (p !== undefined && p !== "") return p;
  return "default";
}

export interface NamespaceObj extends ObjectRef {
  readonly labels: Maybe<Labels>;
}

class NamespaceView extends ObjectView implements NamespaceObj {
  readonly labels: Maybe<Labels>;
  constructor(r: StackResource, c: Cursor) {
    super(r, "Namespace", c);
    this.labels = stringMap(read(c, "metadata", "labels"));
  }
}

export function toNamespace(r: StackResource): NamespaceObj {
  return new NamespaceView(r, propsCursor(r));
}

// ---------------------------------------------------------------------------------------------
// NetworkPolicy

export type Direction = "Ingress" | "Egress";
export const DIRECTIONS: readonly Direction[] = ["Ingress", "Egress"];

export interface IpBlock {
  readonly cidr: Maybe<string | undefined>;
  readonly except: readonly string[];
}

/** One entry of `from`/`to`. A field that is absent is `undefined` (not "everything"). */
export interface Peer {
  readonly path: string;
  readonly podSelector?: Maybe<Selector>;
  readonly namespaceSelector?: Maybe<Selector>;
  readonly ipBlock?: Maybe<IpBlock>;
}

export interface PortSpec {
  readonly protocol: string;
  /** Number or named port; undefined = every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface Rule {
  readonly path: string;
  /** Empty: every source (ingress) or destination (egress). */
  readonly peers: Maybe<readonly Maybe<Peer>[]>;
  /** Empty: every port. */
  readonly ports: Maybe<readonly Maybe<PortSpec>[]>;
}

export interface NetworkPolicyObj extends NamespacedRef {
  /** URNs of the resources its properties were computed from. */
  readonly dependsOn: readonly string[];
  /** spec.podSelector; missing means `{}` (all pods of the namespace). */
  readonly podSelector: Maybe<Selector>;
  /** spec.policyTypes as written; `undefined` when absent or empty (defaulting applies). */
  readonly policyTypes: Maybe<readonly string[] | undefined>;
  /** spec.ingress / spec.egress; `undefined` when absent. */
  readonly ingress: Maybe<readonly Maybe<Rule>[] | undefined>;
  readonly egress: Maybe<readonly Maybe<Rule>[] | undefined>;
}

/** A peer; its path (for messages only) is built when a message asks for it. */
class PeerView implements Peer {
  podSelector?: Maybe<Selector>;
  namespaceSelector?: Maybe<Selector>;
  ipBlock?: Maybe<IpBlock>;
  constructor(private readonly c: Cursor) {}
  get path(): string {
    return pathOf(this.c);
  }
}

function parsePeer(c: Cursor): Maybe<Peer> {
  const o = c.value;
  const has = (k: string): boolean => typeof o === "object" && o !== null && k in o;
  const peer = new PeerView(c);
  if (has("podSelector")) {
    const p = read(c, "podSelector");
    if (p instanceof Unknown || (p.value !== undefined && p.value !== null)) {
      peer.podSelector = parseSelector(p);
    }
  }
  if (has("namespaceSelector")) {
    const n = read(c, "namespaceSelector");
    if (n instanceof Unknown || (n.value !== undefined && n.value !== null)) {
      peer.namespaceSelector = parseSelector(n);
    }
  }
  if (has("ipBlock")) {
    const b = read(c, "ipBlock");
    if (b instanceof Unknown) peer.ipBlock = b;
    else if (b.value !== undefined && b.value !== null) {
      const cidr = readString(b, "cidr");
      const ex = read(b, "except");
      const exItems = ex instanceof Unknown ? ex : items(ex);
      if (exItems instanceof Unknown) peer.ipBlock = exItems;
      else {
        const except: string[] = [];
        for (const e of exItems ?? []) if (typeof e.value === "string") except.push(e.value);
        peer.ipBlock = { cidr, except };
      }
    }
  }
  return peer;
}

function parsePort(c: Cursor): Maybe<PortSpec> {
  const proto = readString(c, "protocol");
  if (proto instanceof Unknown) return proto;
  const port = read(c, "port");
  if (port instanceof Unknown) return port;
  const end = read(c, "endPort");
  if (end instanceof Unknown) return end;
  const spec: { -readonly [K in keyof PortSpec]: PortSpec[K] } = { protocol: proto ?? "TCP" };
  if (typeof port.value === "number" || typeof port.value === "string") spec.port = port.value;
  if (typeof end.value === "number") spec.endPort = end.value;
  return spec;
}

/** A rule; its path (for messages only) is built when a message asks for it. */
class RuleView implements Rule {
  constructor(
    private readonly c: Cursor,
    readonly peers: Maybe<readonly Maybe<Peer>[]>,
    readonly ports: Maybe<readonly Maybe<PortSpec>[]>,
  ) {}
  get path(): string {
    return pathOf(this.c);
  }
}

function parseRules(
  c: Cursor | Unknown,
  peersKey: "from" | "to",
): Maybe<Maybe<Rule>[] | undefined> {
  if (c instanceof Unknown) return c;
  const rs = items(c);
  if (rs === undefined || rs instanceof Unknown) return rs;
  return rs.map((r): Maybe<Rule> => {
    const pc = read(r, peersKey);
    const peers = pc instanceof Unknown ? pc : items(pc);
    const oc = read(r, "ports");
    const ports = oc instanceof Unknown ? oc : items(oc);
    return new RuleView(
      r,
      peers instanceof Unknown ? peers : (peers ?? []).map((p) => parsePeer(p)),
      ports instanceof Unknown ? ports : (ports ?? []).map((p) => parsePort(p)),
    );
  });
}

export function toNetworkPolicy(r: StackResource): NetworkPolicyObj {
  return new NetworkPolicyView(r, propsCursor(r));
}

const UNSET: unique symbol = Symbol("unset");

/** A NetworkPolicy whose rules are parsed on first use (most checks read only its selector). */
class NetworkPolicyView extends ObjectView implements NetworkPolicyObj {
  readonly dependsOn: readonly string[];
  readonly namespace: Maybe<string>;
  readonly podSelector: Maybe<Selector>;
  readonly policyTypes: Maybe<readonly string[] | undefined>;
  private readonly spec: Cursor | Unknown;
  #ingress: Maybe<readonly Maybe<Rule>[] | undefined> | typeof UNSET = UNSET;
  #egress: Maybe<readonly Maybe<Rule>[] | undefined> | typeof UNSET = UNSET;

  constructor(r: StackResource, c: Cursor) {
    super(r, "NetworkPolicy", c);
    const spec = read(c, "spec");
    const types = spec instanceof Unknown ? spec : read(spec, "policyTypes");
    let policyTypes: Maybe<string[] | undefined>;
    if (types instanceof Unknown) policyTypes = types;
    else {
      const ts = items(types);
      if (ts instanceof Unknown) policyTypes = ts;
      else if (ts === undefined || ts.length === 0) policyTypes = undefined;
      else policyTypes = ts.map((t) => String(t.value));
    }
    this.dependsOn = r.dependsOn ?? NO_PATCHES;
    this.namespace = namespaceOf(r, c);
    this.podSelector = parseSelector(spec instanceof Unknown ? spec : read(spec, "podSelector"), {
      missing: "everything",
    });
    this.policyTypes = policyTypes;
    this.spec = spec;
  }

  get ingress(): Maybe<readonly Maybe<Rule>[] | undefined> {
    if (this.#ingress === UNSET) {
      const s = this.spec;
      this.#ingress = parseRules(s instanceof Unknown ? s : read(s, "ingress"), "from");
    }
    return this.#ingress;
  }

  get egress(): Maybe<readonly Maybe<Rule>[] | undefined> {
    if (this.#egress === UNSET) {
      const s = this.spec;
      this.#egress = parseRules(s instanceof Unknown ? s : read(s, "egress"), "to");
    }
    return this.#egress;
  }
}

// ---------------------------------------------------------------------------------------------
// PodDisruptionBudget

export type IntOrPercent =
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "percent"; readonly value: number };

export interface PdbObj extends NamespacedRef {
  readonly version: string;
  readonly selector: Maybe<Selector>;
  readonly minAvailable: Maybe<IntOrPercent | undefined>;
  readonly maxUnavailable: Maybe<IntOrPercent | undefined>;
}

/** Parses an IntOrString budget value ("50%", 2, "2"). */
export function parseIntOrPercent(c: Cursor | Unknown): Maybe<IntOrPercent | undefined> {
  if (c instanceof Unknown) return c;
  const v = c.value;
  if (typeof v === "number" && Number.isFinite(v)) return { kind: "int", value: v };
  if (typeof v === "string") {
    const pm = /^(\d+)%$/.exec(v.trim());
    if (pm) return { kind: "percent", value: Number(pm[1]) };
    if (/^\d+$/.test(v.trim())) return { kind: "int", value: Number(v) };
  }
  return undefined;
}

export function toPdb(r: StackResource, version: string): PdbObj {
  return new PdbView(r, version, propsCursor(r));
}

class PdbView extends ObjectView implements PdbObj {
  readonly namespace: Maybe<string>;
  readonly selector: Maybe<Selector>;
  readonly minAvailable: Maybe<IntOrPercent | undefined>;
  readonly maxUnavailable: Maybe<IntOrPercent | undefined>;

  constructor(
    r: StackResource,
    readonly version: string,
    c: Cursor,
  ) {
    super(r, "PodDisruptionBudget", c);
    const spec = read(c, "spec");
    this.namespace = namespaceOf(r, c);
    this.selector = parseSelector(spec instanceof Unknown ? spec : read(spec, "selector"), {
      missing: "nothing",
      empty: version === "v1beta1" ? "nothing" : "everything",
    });
    this.minAvailable = parseIntOrPercent(
      spec instanceof Unknown ? spec : read(spec, "minAvailable"),
    );
    this.maxUnavailable = parseIntOrPercent(
      spec instanceof Unknown ? spec : read(spec, "maxUnavailable"),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Workloads (anything with a pod template)

export interface ContainerInfo {
  readonly image: Maybe<string | undefined>;
  /** command + args, as written. */
  readonly argv: Maybe<readonly string[]>;
}

export interface WorkloadObj extends NamespacedRef {
  readonly workloadKind: WorkloadKind;
  /** Labels of the pods it creates (template labels; a bare Pod's own labels). */
  readonly podLabels: Maybe<Labels>;
  /**
   * Desired pods: spec.replicas (default 1) for StatefulSet, Deployment, ReplicaSet and
   * ReplicationController, 1 for a Pod; `undefined` where it depends on the cluster (DaemonSet)
   * or is not a standing count (Job, CronJob).
   */
  readonly replicas: Maybe<number | undefined>;
  /** The pod spec, read on demand (see `containersOf`, `mountsOf`): most checks never need it. */
  readonly podSpec: Cursor | Unknown;
}

/**
 * `spec.hostNetwork` of its pods: such pods share the node's network namespace and no
 * NetworkPolicy applies to them.
 */
export function hostNetworkOf(w: WorkloadObj): Maybe<boolean> {
  if (w.podSpec instanceof Unknown) return w.podSpec;
  const h = read(w.podSpec, "hostNetwork");
  if (h instanceof Unknown) return h;
  return h.value === true;
}

/** A pod the workload creates: its labels as the controller sets them, and how many such pods. */
export interface PodShape {
  readonly labels: Labels;
  /** Pods with these labels (1 per StatefulSet ordinal; replicas otherwise; undefined = unknown). */
  readonly count: number | undefined;
  /** `name-0` for a StatefulSet pod, else the workload's name. */
  readonly name: string;
}

/** Most StatefulSet ordinals the pack enumerates one by one; larger sets are summarised. */
const MAX_ORDINALS = 1000;

/**
 * The pods a workload really creates: the template labels plus the labels its controller adds
 * (a StatefulSet: `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index` and
 * `controller-revision-hash`; a Deployment: `pod-template-hash`; a DaemonSet:
 * `controller-revision-hash`, `pod-template-generation`; a Job: `job-name`, `controller-uid` and
 * their `batch.kubernetes.io/` forms). Generated values are `FRESH`: no selector can name them
 * in advance, and one that tries (`controller-revision-hash In (...)`) stops matching at the next
 * rollout. A StatefulSet yields one shape per ordinal.
 */
export function podShapes(w: WorkloadObj, perOrdinal = true): Maybe<PodShape[]> {
  // The index's own workloads keep their shapes; a WeakMap per call here was a large share of the
  // collector's work (ephemerons), for objects that live exactly as long as their index.
  if (w instanceof WorkloadView) return w.shapes(perOrdinal);
  const memo = perOrdinal ? shapes : genericShapes;
  let s = memo.get(w);
  if (!s) memo.set(w, (s = computePodShapes(w, perOrdinal)));
  return s;
}

/** Label keys that differ between the pods of one StatefulSet. */
export const ORDINAL_KEYS: readonly string[] = [
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
];

/** Whether a selector tells the pods of one StatefulSet apart (then each ordinal matters). */
export function namesOrdinals(sel: Maybe<Selector>): boolean {
  return (
    !(sel instanceof Unknown) &&
    sel.kind === "requirements" &&
    sel.requirements.some((r) => ORDINAL_KEYS.includes(r.key))
  );
}

/** `db-0, db-1, db-2` for a summarised StatefulSet shape (`db-*`), else its name. */
export function podNames(s: PodShape): string[] {
  if (!s.name.endsWith("-*") || s.count === undefined || s.count > 10) return [s.name];
  return Array.from({ length: s.count }, (_, i) => `${s.name.slice(0, -1)}${i}`);
}

const shapes = new WeakMap<WorkloadObj, Maybe<PodShape[]>>();
const genericShapes = new WeakMap<WorkloadObj, Maybe<PodShape[]>>();

function computePodShapes(w: WorkloadObj, perOrdinal: boolean): Maybe<PodShape[]> {
  if (w.podLabels instanceof Unknown) return w.podLabels;
  const base = w.podLabels;
  const name = w.name instanceof Unknown ? FRESH : w.name;
  const count = w.replicas instanceof Unknown ? undefined : w.replicas;
  switch (w.workloadKind) {
    case "StatefulSet": {
      if (w.replicas instanceof Unknown) return w.replicas;
      if (w.name instanceof Unknown) return w.name;
      const n = w.replicas ?? 1;
      // Unless a selector names an ordinal, every pod of the set matches alike: one shape.
      if (n > MAX_ORDINALS || !perOrdinal) {
        return [
          {
            labels: {
              ...base,
              "controller-revision-hash": FRESH,
              "statefulset.kubernetes.io/pod-name": FRESH,
              "apps.kubernetes.io/pod-index": FRESH,
            },
            count: n,
            name: `${name}-*`,
          },
        ];
      }
      const out: PodShape[] = [];
      for (let i = 0; i < n; i++) {
        out.push({
          labels: {
            ...base,
            "controller-revision-hash": FRESH,
            "statefulset.kubernetes.io/pod-name": `${name}-${i}`,
            "apps.kubernetes.io/pod-index": String(i),
          },
          count: 1,
          name: `${name}-${i}`,
        });
      }
      return out;
    }
    case "Deployment":
      return [{ labels: { ...base, "pod-template-hash": FRESH }, count, name }];
    case "DaemonSet":
      return [
        {
          labels: { ...base, "controller-revision-hash": FRESH, "pod-template-generation": FRESH },
          count,
          name,
        },
      ];
    case "Job":
    case "CronJob":
      return [
        {
          labels: {
            ...base,
            "controller-uid": FRESH,
            "batch.kubernetes.io/controller-uid": FRESH,
            "job-name": w.workloadKind === "Job" ? name : FRESH,
            "batch.kubernetes.io/job-name": w.workloadKind === "Job" ? name : FRESH,
          },
          count,
          name,
        },
      ];
    default:
      return [{ labels: base, count, name }];
  }
}

function podTemplate(c: Cursor, kind: WorkloadKind): Cursor | Unknown {
  switch (kind) {
    case "Pod":
      return c;
    case "CronJob":
      return read(c, "spec", "jobTemplate", "spec", "template");
    default:
      return read(c, "spec", "template");
  }
}

/** Containers (init containers first) of a workload's pods. */
export function containersOf(w: WorkloadObj): Maybe<ContainerInfo[]> {
  return parseContainers(w.podSpec);
}

/** Names of ConfigMaps and Secrets the pods mount (volumes and projected sources). */
export function mountsOf(w: WorkloadObj): {
  configMaps: Maybe<string[]>;
  secrets: Maybe<string[]>;
} {
  return parseMounts(w.podSpec);
}

function parseContainers(spec: Cursor | Unknown): Maybe<ContainerInfo[]> {
  if (spec instanceof Unknown) return spec;
  const out: ContainerInfo[] = [];
  for (const key of ["initContainers", "containers"]) {
    const cs = read(spec, key);
    if (cs instanceof Unknown) return cs;
    const list = items(cs);
    if (list instanceof Unknown) return list;
    for (const ct of list ?? []) {
      const image = readString(ct, "image");
      let argv: Maybe<string[]> = [];
      for (const k of ["command", "args"]) {
        if (argv instanceof Unknown) break;
        const a = read(ct, k);
        const as = a instanceof Unknown ? a : items(a);
        if (as instanceof Unknown) argv = as;
        else for (const x of as ?? []) if (typeof x.value === "string") argv.push(x.value);
      }
      out.push({ image, argv });
    }
  }
  return out;
}

function parseMounts(spec: Cursor | Unknown): {
  configMaps: Maybe<string[]>;
  secrets: Maybe<string[]>;
} {
  if (spec instanceof Unknown) return { configMaps: spec, secrets: spec };
  const vs = read(spec, "volumes");
  const list = vs instanceof Unknown ? vs : items(vs);
  if (list instanceof Unknown) return { configMaps: list, secrets: list };
  let configMaps: Maybe<string[]> = [];
  let secrets: Maybe<string[]> = [];
  const add = (which: "cm" | "secret", v: Maybe<string> | undefined): void => {
    if (which === "cm") {
      if (configMaps instanceof Unknown) return;
      if (v instanceof Unknown) configMaps = v;
      else if (v !== undefined) configMaps.push(v);
    } else {
      if (secrets instanceof Unknown) return;
      if (v instanceof Unknown) secrets = v;
      else if (v !== undefined) secrets.push(v);
    }
  };
  for (const v of list ?? []) {
    add("cm", readString(v, "configMap", "name"));
    add("secret", readString(v, "secret", "secretName"));
    const srcs = read(v, "projected", "sources");
    const sl = srcs instanceof Unknown ? srcs : items(srcs);
    if (sl instanceof Unknown) {
      add("cm", sl);
      add("secret", sl);
      continue;
    }
    for (const s of sl ?? []) {
      add("cm", readString(s, "configMap", "name"));
      add("secret", readString(s, "secret", "name"));
    }
  }
  return { configMaps, secrets };
}

export function toWorkload(r: StackResource, kind: WorkloadKind): WorkloadObj {
  return new WorkloadView(r, kind, propsCursor(r));
}

/** Desired pods (see WorkloadObj.replicas). */
function replicasOf(c: Cursor, kind: WorkloadKind): Maybe<number | undefined> {
  switch (kind) {
    case "StatefulSet":
    case "Deployment":
    case "ReplicaSet":
    case "ReplicationController": {
      const rc = read(c, "spec", "replicas");
      if (rc instanceof Unknown) return rc;
      return typeof rc.value === "number" ? rc.value : 1;
    }
    case "Pod":
      return 1;
    default:
      return undefined;
  }
}

/** A workload whose pod template is read on first use: several checks need only its namespace. */
class WorkloadView extends ObjectView implements WorkloadObj {
  readonly namespace: Maybe<string>;
  readonly replicas: Maybe<number | undefined>;
  #template: Cursor | Unknown | undefined;
  #labels: Maybe<Labels> | undefined;
  #spec: Cursor | Unknown | undefined;
  #shapes: Maybe<PodShape[]> | undefined;
  #genericShapes: Maybe<PodShape[]> | undefined;

  constructor(
    r: StackResource,
    readonly workloadKind: WorkloadKind,
    private readonly c: Cursor,
  ) {
    super(r, workloadKind, c);
    this.namespace = namespaceOf(r, c);
    this.replicas = replicasOf(c, workloadKind);
  }

  private template(): Cursor | Unknown {
    return (this.#template ??= podTemplate(this.c, this.workloadKind));
  }

  get podLabels(): Maybe<Labels> {
    if (this.#labels === undefined) {
      const t = this.template();
      this.#labels = stringMap(t instanceof Unknown ? t : read(t, "metadata", "labels"));
    }
    return this.#labels;
  }

  /** See `podShapes`. */
  shapes(perOrdinal: boolean): Maybe<PodShape[]> {
    if (perOrdinal) return (this.#shapes ??= computePodShapes(this, true));
    return (this.#genericShapes ??= computePodShapes(this, false));
  }

  get podSpec(): Cursor | Unknown {
    if (this.#spec === undefined) {
      const t = this.template();
      this.#spec = t instanceof Unknown ? t : read(t, "spec");
    }
    return this.#spec;
  }
}

// ---------------------------------------------------------------------------------------------
// ConfigMaps and Secrets (only their text, for recognising JetStream configuration)

export interface ConfigObj extends NamespacedRef {
  readonly configKind: "ConfigMap" | "Secret";
  /** The object's properties, read on demand by `configTexts`. */
  readonly cursor: Cursor;
}

class ConfigView extends ObjectView implements ConfigObj {
  readonly namespace: Maybe<string>;
  constructor(
    r: StackResource,
    readonly configKind: "ConfigMap" | "Secret",
    readonly cursor: Cursor,
  ) {
    super(r, configKind, cursor);
    this.namespace = namespaceOf(r, cursor);
  }
}

export function toConfig(r: StackResource, kind: "ConfigMap" | "Secret"): ConfigObj {
  return new ConfigView(r, kind, propsCursor(r));
}

/** Text values: ConfigMap data, Secret stringData and base64-decoded data. */
export function configTexts(cfg: ConfigObj): Maybe<string[]> {
  const texts: string[] = [];
  const keys = cfg.configKind === "ConfigMap" ? ["data"] : ["stringData", "data"];
  for (const key of keys) {
    const d = read(cfg.cursor, key);
    const es = d instanceof Unknown ? d : entries(d);
    if (es instanceof Unknown) return es;
    for (const [, v] of es ?? []) {
      if (typeof v.value !== "string") continue;
      texts.push(
        cfg.configKind === "Secret" && key === "data"
          ? Buffer.from(v.value, "base64").toString("utf8")
          : v.value,
      );
    }
  }
  return texts;
}
