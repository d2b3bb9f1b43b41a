// Verdict rules of the production checklist over objects read from the cluster and files read
// from the repo: default-deny, wide-open rules, the NATS budget, the drain, the load baseline.
// Pure (plain objects in, findings out) so each rule is unit-tested on fixtures. The selector
// matching here is deliberately not the policy pack's: the checklist double-checks, on the live
// cluster, what the pack promised on the plan, so it must not share the pack's mistakes.

/** The fields of a label selector the rules read. */
export interface Selector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
  }[];
}

export interface Peer {
  readonly podSelector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

export interface Rule {
  readonly from?: readonly Peer[];
  readonly to?: readonly Peer[];
  readonly ports?: readonly { readonly port?: number | string; readonly protocol?: string }[];
}

/** A NetworkPolicy as the API returns it (only what the rules read). */
export interface PolicyObject {
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: Selector;
  readonly policyTypes: readonly string[];
  readonly ingress?: readonly Rule[];
  readonly egress?: readonly Rule[];
}

function emptySelector(s: Selector | undefined): boolean {
  return (
    s !== undefined &&
    Object.keys(s.matchLabels ?? {}).length === 0 &&
    (s.matchExpressions ?? []).length === 0
  );
}

/** Kubernetes label-selector semantics (matchLabels AND every matchExpression). */
export function selects(s: Selector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of s.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(labels[e.key] as string)) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[e.key] as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false; // an operator we do not know selects nothing we can vouch for
    }
  }
  return true;
}

export interface DefaultDeny {
  /** Policies that deny all ingress to every pod of the namespace (no rule, empty selector). */
  readonly ingress: readonly string[];
  readonly egress: readonly string[];
}

/**
 * Which policies make a namespace default-deny in each direction: an empty pod selector, the
 * direction in policyTypes, and no rule for it. A split pair (one per direction) counts too.
 */
export function defaultDeny(policies: readonly PolicyObject[]): DefaultDeny {
  const deny = (dir: "Ingress" | "Egress") =>
    policies
      .filter(
        (p) =>
          emptySelector(p.podSelector) &&
          p.policyTypes.includes(dir) &&
          (dir === "Ingress" ? (p.ingress ?? []) : (p.egress ?? [])).length === 0,
      )
      .map((p) => p.name);
  return { ingress: deny("Ingress"), egress: deny("Egress") };
}

const ANY_ADDRESS = new Set(["0.0.0.0/0", "::/0"]);

/**
 * Rules that admit more than a flow: no peer at all (every source or destination), a peer that
 * selects every namespace without narrowing the pods, or an ipBlock of the whole address space.
 * Returned as `policy: direction rule #n: why`.
 */
export function wideOpenRules(policies: readonly PolicyObject[]): string[] {
  const out: string[] = [];
  for (const p of policies) {
    for (const dir of ["ingress", "egress"] as const) {
      (p[dir] ?? []).forEach((r, n) => {
        const peers = dir === "ingress" ? r.from : r.to;
        const where = `${p.name}: ${dir} rule #${n + 1}`;
        if (peers === undefined || peers.length === 0) {
          out.push(`${where}: no peer, so every ${dir === "ingress" ? "source" : "destination"}`);
          return;
        }
        for (const peer of peers) {
          if (peer.ipBlock && ANY_ADDRESS.has(peer.ipBlock.cidr))
            out.push(`${where}: ipBlock ${peer.ipBlock.cidr}`);
          if (emptySelector(peer.namespaceSelector) && !peer.podSelector)
            out.push(
              `${where}: namespaceSelector {} without a podSelector (every pod of every namespace)`,
            );
          if (
            emptySelector(peer.namespaceSelector) &&
            peer.podSelector &&
            emptySelector(peer.podSelector)
          )
            out.push(`${where}: every pod of every namespace`);
        }
      });
    }
  }
  return out;
}

/** The problems that keep a workload namespace from being isolated as the stack declared it. */
export function namespaceProblems(
  namespace: string,
  live: readonly PolicyObject[],
  declared: readonly string[] | undefined,
): string[] {
  const problems: string[] = [];
  const dd = defaultDeny(live);
  if (dd.ingress.length === 0) problems.push(`${namespace}: no default-deny for ingress`);
  if (dd.egress.length === 0) problems.push(`${namespace}: no default-deny for egress`);
  if (declared) {
    const names = new Set(live.map((p) => p.name));
    for (const d of declared)
      if (!names.has(d)) problems.push(`${namespace}: ${d} is declared by the stack but missing`);
  }
  problems.push(...wideOpenRules(live).map((w) => `${namespace}/${w}`));
  return problems;
}

/** A PodDisruptionBudget as the API returns it. */
export interface PdbObject {
  readonly name: string;
  readonly selector: Selector;
  readonly minAvailable?: number | string;
  readonly maxUnavailable?: number | string;
  readonly status?: {
    readonly expectedPods?: number;
    readonly currentHealthy?: number;
    readonly desiredHealthy?: number;
    readonly disruptionsAllowed?: number;
  };
}

export interface PdbFinding {
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** The budget covering the pods, when exactly one does. */
  readonly pdb?: PdbObject;
}

/**
 * The NATS budget: exactly one PDB covers the StatefulSet's pods, minAvailable is the stack's
 * (the quorum unless configured higher), every pod counts and is healthy, and so exactly
 * `replicas - minAvailable` disruptions are allowed.
 */
export function judgeNatsPdb(
  podLabels: Readonly<Record<string, string>>,
  replicas: number,
  expectedMinAvailable: number,
  pdbs: readonly PdbObject[],
): PdbFinding {
  const covering = pdbs.filter((p) => !emptySelector(p.selector) && selects(p.selector, podLabels));
  if (covering.length === 0)
    return { ok: false, problems: ["no PodDisruptionBudget selects the NATS pods"] };
  if (covering.length > 1)
    return {
      ok: false,
      problems: [
        `${covering.length} budgets select the NATS pods (${covering.map((p) => p.name).join(", ")}): the eviction API refuses every eviction`,
      ],
    };
  const pdb = covering[0] as PdbObject;
  const problems: string[] = [];
  if (pdb.minAvailable !== expectedMinAvailable)
    problems.push(
      `minAvailable = ${String(pdb.minAvailable ?? "(unset)")}: the stack expects ${expectedMinAvailable} of ${replicas}`,
    );
  const s = pdb.status ?? {};
  if (s.expectedPods !== replicas)
    problems.push(`status.expectedPods = ${s.expectedPods ?? "?"}: expected ${replicas}`);
  if (s.currentHealthy !== replicas)
    problems.push(`status.currentHealthy = ${s.currentHealthy ?? "?"} of ${replicas}`);
  const allowed = replicas - expectedMinAvailable;
  if (s.disruptionsAllowed !== allowed)
    problems.push(
      `status.disruptionsAllowed = ${s.disruptionsAllowed ?? "?"}: expected ${allowed}`,
    );
  return { ok: problems.length === 0, problems, pdb };
}

/** One eviction of the drain: the pod and the API's HTTP status. */
export interface Eviction {
  readonly pod: string;
  readonly status: number;
}

/**
 * The drain passes when the first eviction is accepted (201), the next one — while the first pod
 * is still gone — is refused by the budget (429), and the StatefulSet is whole again afterwards.
 */
export function judgeDrain(evictions: readonly Eviction[], recovered: boolean): string[] {
  const problems: string[] = [];
  const [first, second] = evictions;
  if (!first || first.status !== 201)
    problems.push(
      `first eviction: ${first ? `HTTP ${first.status}` : "not attempted"}, expected 201`,
    );
  if (!second || second.status !== 429)
    problems.push(
      `second eviction: ${second ? `HTTP ${second.status}` : "not attempted"}, expected 429 (refused by the budget)`,
    );
  if (!recovered) problems.push("the StatefulSet did not return to all replicas ready");
  return problems;
}

/** The fields of a baseline record (load/baselines/<stack>-<date>.json) the checklist reads. */
export interface BaselineRecord {
  readonly stack?: string;
  readonly date?: string;
  readonly tool?: string;
  readonly durationS?: number;
  readonly rate?: { readonly target?: number; readonly achieved?: number };
  readonly latencyMs?: { readonly p95?: number; readonly p99?: number };
  readonly errorRate?: number;
}

/** The fields of load/spec.json the checklist reads. */
export interface LoadBudget {
  readonly rate: number;
  readonly durationS: number;
  readonly budgets: {
    readonly p95Ms: number;
    readonly errorRate: number;
    readonly minAchievedRatio: number;
  };
}

/** A baseline meets the launch budget: the spec's rate for the spec's duration, p95 and errors in budget. */
export function judgeBaseline(r: BaselineRecord, spec: LoadBudget): string[] {
  const problems: string[] = [];
  const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  if (!num(r.rate?.target) || r.rate.target < spec.rate)
    problems.push(`target rate ${r.rate?.target ?? "?"} req/s: the budget needs ${spec.rate}`);
  const minAchieved = spec.rate * spec.budgets.minAchievedRatio;
  if (!num(r.rate?.achieved) || r.rate.achieved < minAchieved)
    problems.push(`achieved ${r.rate?.achieved ?? "?"} req/s < ${minAchieved}`);
  // A run records its measured wall time, a hair under the nominal duration.
  if (!num(r.durationS) || r.durationS < spec.durationS * 0.98)
    problems.push(`duration ${r.durationS ?? "?"} s < ${spec.durationS} s`);
  if (!num(r.latencyMs?.p95) || r.latencyMs.p95 >= spec.budgets.p95Ms)
    problems.push(`p95 ${r.latencyMs?.p95 ?? "?"} ms, budget < ${spec.budgets.p95Ms} ms`);
  if (!num(r.errorRate) || r.errorRate >= spec.budgets.errorRate)
    problems.push(`error rate ${r.errorRate ?? "?"}, budget < ${spec.budgets.errorRate}`);
  return problems;
}

/**
 * The newest baseline of a stack among file names `<stack>-<YYYY-MM-DD>[time].json` (other
 * records beside them, e.g. `<stack>-<date>-capacity.json`, are not baselines).
 */
export function newestBaseline(files: readonly string[], stack: string): string | undefined {
  const escaped = stack.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const baseline = new RegExp(`^${escaped}-\\d{4}-\\d{2}-\\d{2}(?:[T_-][\\d:.-]*)?\\.json$`);
  return files
    .filter((f) => baseline.test(f))
    .sort()
    .at(-1);
}
