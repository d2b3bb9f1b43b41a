// Kubernetes label-selector semantics (metav1.LabelSelector), as the API server applies them.
//
// - matchLabels and matchExpressions are ANDed; matchLabels {k: v} is the requirement `k In (v)`.
// - An empty selector ({}: no requirements) selects everything; a null/missing selector selects
//   nothing (LabelSelectorAsSelector(nil) == Nothing). Two exceptions decided by the caller:
//   NetworkPolicy.spec.podSelector is a struct, so missing means {}; policy/v1beta1 PDBs treat {}
//   as nothing.
// - In: the label is present with one of the values. NotIn: the label is absent or has none of the
//   values. Exists / DoesNotExist: the key is present / absent.
// - A malformed selector (unknown operator, In/NotIn without values, Exists with values) is
//   rejected by the API server; here it selects nothing and carries the reason.
import { NAMESPACE_NAME_LABEL } from "../../lib/topology/tiers";
import {
  type Cursor,
  type Maybe,
  Unknown,
  entries,
  items,
  pathOf,
  read,
  readString,
} from "./unknown";

export type Labels = Readonly<Record<string, string>>;
export type Operator = "In" | "NotIn" | "Exists" | "DoesNotExist";
const OPERATORS: readonly string[] = ["In", "NotIn", "Exists", "DoesNotExist"];

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export type Selector =
  /** Selects nothing: null selector, v1beta1 empty PDB selector, or a malformed selector. */
  | { readonly kind: "nothing"; readonly reason: string }
  /** Selects the objects meeting every requirement; no requirements selects everything. */
  | { readonly kind: "requirements"; readonly requirements: readonly Requirement[] };

export const EVERYTHING: Selector = { kind: "requirements", requirements: [] };

export interface ParseOptions {
  /** What a missing or null selector means. @default "nothing" */
  readonly missing?: "nothing" | "everything";
  /** What an empty selector `{}` means (policy/v1beta1 PDBs: nothing). @default "everything" */
  readonly empty?: "nothing" | "everything";
}

/** Parses the LabelSelector at `c`. Unknown anywhere inside makes the whole selector unknown. */
export function parseSelector(c: Cursor | Unknown, opts: ParseOptions = {}): Maybe<Selector> {
  if (c instanceof Unknown) return c;
  if (c.value === undefined || c.value === null) {
    return opts.missing === "everything"
      ? EVERYTHING
      : { kind: "nothing", reason: "the selector is null" };
  }
  if (typeof c.value !== "object" || Array.isArray(c.value)) {
    return { kind: "nothing", reason: "the selector is not an object" };
  }
  const reqs: Requirement[] = [];
  const ml = read(c, "matchLabels");
  if (ml instanceof Unknown) return ml;
  const labels = entries(ml);
  if (labels instanceof Unknown) return labels;
  for (const [key, v] of labels ?? []) {
    if (typeof v.value !== "string") {
      return { kind: "nothing", reason: `matchLabels.${key} is not a string` };
    }
    reqs.push({ key, operator: "In", values: [v.value] });
  }
  const me = read(c, "matchExpressions");
  if (me instanceof Unknown) return me;
  const exprs = items(me);
  if (exprs instanceof Unknown) return exprs;
  for (const e of exprs ?? []) {
    const key = readString(e, "key");
    const op = readString(e, "operator");
    if (key instanceof Unknown) return key;
    if (op instanceof Unknown) return op;
    if (key === undefined || key === "") {
      return { kind: "nothing", reason: `${pathOf(e)} has no key` };
    }
    if (op === undefined || !OPERATORS.includes(op)) {
      return {
        kind: "nothing",
        reason: `${pathOf(e)} has an invalid operator ${JSON.stringify(op)}`,
      };
    }
    const vs = read(e, "values");
    if (vs instanceof Unknown) return vs;
    const vals = items(vs);
    if (vals instanceof Unknown) return vals;
    const values: string[] = [];
    for (const v of vals ?? []) {
      if (typeof v.value !== "string")
        return { kind: "nothing", reason: `${pathOf(v)} is not a string` };
      values.push(v.value);
    }
    const operator = op as Operator;
    if ((operator === "In" || operator === "NotIn") && values.length === 0) {
      return { kind: "nothing", reason: `${pathOf(e)}: operator ${operator} needs values` };
    }
    if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) {
      return { kind: "nothing", reason: `${pathOf(e)}: operator ${operator} takes no values` };
    }
    reqs.push({ key, operator, values });
  }
  if (reqs.length === 0 && opts.empty === "nothing") {
    return { kind: "nothing", reason: "an empty selector selects no pods in policy/v1beta1" };
  }
  return { kind: "requirements", requirements: reqs };
}

function meets(r: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case "In":
      return has && r.values.includes(labels[r.key] as string);
    case "NotIn":
      return !has || !r.values.includes(labels[r.key] as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
  }
}

/** Whether `sel` selects an object carrying `labels`. */
export function matches(sel: Selector, labels: Labels): boolean {
  if (sel.kind === "nothing") return false;
  for (const r of sel.requirements) if (!meets(r, labels)) return false;
  return true;
}

/** Whether `sel` selects every object (the empty selector). */
export function selectsEverything(sel: Selector): boolean {
  return sel.kind === "requirements" && sel.requirements.length === 0;
}

/** Label keys a selector constrains. */
export function selectorKeys(sel: Selector): string[] {
  return sel.kind === "requirements" ? sel.requirements.map((r) => r.key) : [];
}

/** Human-readable form, as kubectl prints it: `app=nats,tier in (a,b),!debug`. */
export function describeSelector(sel: Selector): string {
  if (sel.kind === "nothing") return `<selects nothing: ${sel.reason}>`;
  if (sel.requirements.length === 0) return "<everything>";
  return sel.requirements
    .map((r) => {
      switch (r.operator) {
        case "In":
          return r.values.length === 1
            ? `${r.key}=${r.values[0]}`
            : `${r.key} in (${r.values.join(",")})`;
        case "NotIn":
          return `${r.key} notin (${r.values.join(",")})`;
        case "Exists":
          return r.key;
        case "DoesNotExist":
          return `!${r.key}`;
      }
    })
    .join(",");
}

export function describeLabels(labels: Labels): string {
  const ks = Object.keys(labels).sort();
  return ks.length === 0 ? "{}" : `{${ks.map((k) => `${k}=${labels[k]}`).join(",")}}`;
}

const pairKey = (k: string, v: string): string => `${k}\u0000${v}`;

/** The `In` requirements of a selector: the ones an index can look up by `key=value`. */
function anchors(sel: Selector): Requirement[] {
  return sel.kind === "requirements" ? sel.requirements.filter((r) => r.operator === "In") : [];
}

/**
 * Finds the items whose selector matches a label set without testing every item: each selector
 * is filed under the values of one of its `In` requirements (matchLabels are `In` too), the one
 * rarest among all filed selectors, so a query only tests the items filed under the labels it
 * carries plus the few selectors with no `In` requirement. Keeps cross-resource checks
 * near-linear even when thousands of selectors share a common label.
 */
export class SelectorIndex<T> {
  private pending: { sel: Selector; item: T }[] = [];
  private readonly byPair = new Map<string, { sel: Selector; item: T }[]>();
  private readonly generic: { sel: Selector; item: T }[] = [];

  add(sel: Selector, item: T): void {
    if (sel.kind === "nothing") return;
    this.pending.push({ sel, item });
  }

  private build(): void {
    if (this.pending.length === 0) return;
    const freq = new Map<string, number>();
    for (const e of this.pending) {
      for (const r of anchors(e.sel)) {
        for (const v of new Set(r.values)) {
          const k = pairKey(r.key, v);
          freq.set(k, (freq.get(k) ?? 0) + 1);
        }
      }
    }
    for (const e of this.pending) {
      let best: Requirement | undefined;
      let bestCost = Infinity;
      for (const r of anchors(e.sel)) {
        let cost = 0;
        for (const v of new Set(r.values)) cost += freq.get(pairKey(r.key, v)) ?? 0;
        if (cost < bestCost) [best, bestCost] = [r, cost];
      }
      if (!best) {
        this.generic.push(e);
        continue;
      }
      for (const v of new Set(best.values)) {
        const k = pairKey(best.key, v);
        let list = this.byPair.get(k);
        if (!list) this.byPair.set(k, (list = []));
        list.push(e);
      }
    }
    this.pending = [];
  }

  /** Items whose selector matches `labels`. */
  query(labels: Labels): T[] {
    this.build();
    const out: T[] = [];
    for (const e of this.generic) if (matches(e.sel, labels)) out.push(e.item);
    for (const k of Object.keys(labels)) {
      const list = this.byPair.get(pairKey(k, labels[k] as string));
      if (list) for (const e of list) if (matches(e.sel, labels)) out.push(e.item);
    }
    return out;
  }
}

/**
 * The converse index: label sets filed under each `key=value` they carry, so "does this selector
 * match anything?" tests only the label sets under the selector's rarest `In` requirement.
 */
export class LabelIndex<T> {
  private readonly all: { labels: Labels; item: T }[] = [];
  private readonly byPair = new Map<string, { labels: Labels; item: T }[]>();

  add(labels: Labels, item: T): void {
    const e = { labels, item };
    this.all.push(e);
    for (const k of Object.keys(labels)) {
      // A generated value (FRESH) is never named by a selector: nothing to look up by.
      if (labels[k] === FRESH) continue;
      const key = pairKey(k, labels[k] as string);
      let list = this.byPair.get(key);
      if (!list) this.byPair.set(key, (list = []));
      list.push(e);
    }
  }

  get size(): number {
    return this.all.length;
  }

  /** Items whose labels `sel` matches. */
  query(sel: Selector): T[] {
    if (sel.kind === "nothing") return [];
    let candidates: { labels: Labels; item: T }[] = this.all;
    for (const r of anchors(sel)) {
      const lists = [...new Set(r.values)].map((v) => this.byPair.get(pairKey(r.key, v)) ?? []);
      const n = lists.reduce((a, l) => a + l.length, 0);
      if (n < candidates.length) candidates = lists.length === 1 ? (lists[0] ?? []) : lists.flat();
    }
    const out: T[] = [];
    for (const c of candidates) if (matches(sel, c.labels)) out.push(c.item);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// "Everyone", however it is spelled.

/** The label the API server sets on every namespace, to its name; it cannot be changed. */
export { NAMESPACE_NAME_LABEL };

/**
 * A label value no selector names: stands for a value the pack cannot know and nobody writes in
 * a selector (a new namespace's name, a generated hash). Label values cannot contain NUL.
 */
export const FRESH = "\u0000fresh";

/**
 * Whether `sel` selects every namespace, including any namespace created later: it selects a
 * namespace whose name it does not mention and that carries no label but the API server's
 * `kubernetes.io/metadata.name`. So `{}`, `Exists` or `NotIn` on the name label, and
 * `DoesNotExist` on a custom label all count: a new namespace passes each of them.
 */
export function selectsEveryNamespace(sel: Selector): boolean {
  return matches(sel, { [NAMESPACE_NAME_LABEL]: FRESH });
}

/**
 * Whether `sel` selects every pod anyone may create: it selects a pod without labels (`{}`,
 * `NotIn` or `DoesNotExist` expressions). A selector that names a label value (`app=web`, or
 * `app` Exists) is not "every pod", though whoever creates a pod chooses its labels.
 */
export function selectsEveryPod(sel: Selector): boolean {
  return matches(sel, {});
}

/** Namespace names a selector leaves out while selecting every other namespace. */
export function excludedNamespaces(sel: Selector): string[] {
  if (sel.kind !== "requirements") return [];
  return sel.requirements
    .filter((r) => r.key === NAMESPACE_NAME_LABEL && r.operator === "NotIn")
    .flatMap((r) => r.values);
}

/**
 * Whether every object a selector selects carries `key` with one of `values` (e.g. the peer
 * only reaches namespaces named kube-system).
 */
export function confinedTo(sel: Selector, key: string, values: readonly string[]): boolean {
  if (sel.kind === "nothing") return true;
  return sel.requirements.some(
    (r) => r.key === key && r.operator === "In" && r.values.every((v) => values.includes(v)),
  );
}

// ---------------------------------------------------------------------------------------------
// Coverage: do several selectors together select every label set?

const ABSENT = Symbol("absent");
type Value = string | typeof ABSENT;

function meetsValue(r: Requirement, v: Value): boolean {
  const has = v !== ABSENT;
  switch (r.operator) {
    case "In":
      return has && r.values.includes(v);
    case "NotIn":
      return !has || !r.values.includes(v);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
  }
}

export type Coverage =
  | { readonly covered: true }
  /** A label set none of the selectors selects. */
  | { readonly covered: false; readonly witness: Labels }
  /** The search gave up (too many combinations): treat as not proven. */
  | { readonly covered: undefined };

/**
 * Whether the union of `selectors` selects every possible label set, and if not, a label set it
 * misses. Each key ranges over: absent, a value no selector names, and each value some selector
 * names; a search assigns keys only where a selector still matches, so a typical call is a few
 * steps (any `{}` answers at once). `budget` bounds the steps.
 */
export function coversEveryLabelSet(selectors: readonly Selector[], budget = 20_000): Coverage {
  const sels = selectors.filter(
    (s): s is Extract<Selector, { kind: "requirements" }> => s.kind === "requirements",
  );
  if (sels.some((s) => s.requirements.length === 0)) return { covered: true };
  const domain = new Map<string, Value[]>();
  for (const s of sels) {
    for (const r of s.requirements) {
      let d = domain.get(r.key);
      if (!d) domain.set(r.key, (d = [ABSENT, FRESH]));
      for (const v of r.values) if (!d.includes(v)) d.push(v);
    }
  }
  const assign = new Map<string, Value>();
  let steps = 0;
  const search = (): Labels | null | "budget" => {
    if (++steps > budget) return "budget";
    let pick: { keys: string[]; reqs: readonly Requirement[] } | undefined;
    for (const s of sels) {
      let falsified = false;
      const open: string[] = [];
      for (const r of s.requirements) {
        const v = assign.get(r.key);
        if (v === undefined) {
          if (!open.includes(r.key)) open.push(r.key);
        } else if (!meetsValue(r, v)) {
          falsified = true;
          break;
        }
      }
      if (falsified) continue;
      if (open.length === 0) return null; // this selector matches every completion
      if (!pick || open.length < pick.keys.length) pick = { keys: open, reqs: s.requirements };
    }
    if (!pick) {
      const labels: Record<string, string> = {};
      for (const [k, v] of assign)
        if (v !== ABSENT) labels[k] = v === FRESH ? "<any other value>" : v;
      return labels;
    }
    for (const key of pick.keys) {
      for (const v of domain.get(key) ?? [ABSENT]) {
        if (pick.reqs.every((r) => r.key !== key || meetsValue(r, v))) continue;
        assign.set(key, v);
        const found = search();
        assign.delete(key);
        if (found !== null) return found;
      }
    }
    return null;
  };
  const r = search();
  if (r === "budget") return { covered: undefined };
  return r === null ? { covered: true } : { covered: false, witness: r };
}
