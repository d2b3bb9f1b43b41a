// The pure analysis core on plain objects: selector semantics, the selector/label indexes
// (checked against a brute-force scan), budget arithmetic, type tokens and unknown reads.
import { describe, expect, it } from "vitest";
import {
  LabelIndex,
  SelectorIndex,
  StackIndex,
  type Selector,
  Unknown,
  blocksAllEvictions,
  classify,
  cursor,
  describeSelector,
  effectivePolicyTypes,
  imageBaseName,
  keptAvailable,
  matches,
  parseSelector,
  parseToken,
  quorum,
  child,
  pathOf,
  read,
  readString,
  str,
  toNetworkPolicy,
  toPdb,
} from "../../policy-pack/analysis";

const sel = (v: unknown, opts?: Parameters<typeof parseSelector>[1]) => {
  const s = parseSelector(cursor("urn:x", v), opts);
  if (s instanceof Unknown) throw new Error("unexpected unknown");
  return s;
};

describe("label selectors", () => {
  const labels = { app: "db", tier: "backend" };
  it.each([
    ["matchLabels subset", { matchLabels: { app: "db" } }, true],
    ["matchLabels superset", { matchLabels: { app: "db", role: "primary" } }, false],
    ["In", { matchExpressions: [{ key: "app", operator: "In", values: ["x", "db"] }] }, true],
    [
      "In, other values",
      { matchExpressions: [{ key: "app", operator: "In", values: ["x"] }] },
      false,
    ],
    [
      "NotIn, label absent",
      { matchExpressions: [{ key: "track", operator: "NotIn", values: ["canary"] }] },
      true,
    ],
    [
      "NotIn, value listed",
      { matchExpressions: [{ key: "app", operator: "NotIn", values: ["db"] }] },
      false,
    ],
    ["Exists", { matchExpressions: [{ key: "tier", operator: "Exists" }] }, true],
    ["DoesNotExist", { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, false],
    [
      "matchLabels AND expressions",
      { matchLabels: { app: "db" }, matchExpressions: [{ key: "x", operator: "Exists" }] },
      false,
    ],
    ["empty selects everything", {}, true],
    ["null selects nothing", null, false],
    [
      "invalid operator selects nothing",
      { matchExpressions: [{ key: "app", operator: "Equals", values: ["db"] }] },
      false,
    ],
    [
      "In without values selects nothing",
      { matchExpressions: [{ key: "app", operator: "In", values: [] }] },
      false,
    ],
    [
      "Exists with values selects nothing",
      { matchExpressions: [{ key: "app", operator: "Exists", values: ["db"] }] },
      false,
    ],
  ])("%s", (_n, raw, want) => {
    expect(matches(sel(raw), labels)).toBe(want);
  });

  it("missing/empty options: NetworkPolicy podSelector missing = all; v1beta1 PDB {} = nothing", () => {
    expect(matches(sel(undefined, { missing: "everything" }), { a: "b" })).toBe(true);
    expect(matches(sel({}, { empty: "nothing" }), { a: "b" })).toBe(false);
  });

  it("describes selectors like kubectl", () => {
    expect(
      describeSelector(
        sel({
          matchLabels: { app: "nats" },
          matchExpressions: [
            { key: "t", operator: "In", values: ["a", "b"] },
            { key: "d", operator: "DoesNotExist" },
          ],
        }),
      ),
    ).toBe("app=nats,t in (a,b),!d");
  });

  it("indexes return exactly what a brute-force scan returns", () => {
    // Deterministic pseudo-random label sets and selectors over a small alphabet.
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const keys = ["app", "tier", "role", "zone"];
    const vals = ["a", "b", "c"];
    const labelSets = Array.from({ length: 300 }, () => {
      const l: Record<string, string> = {};
      for (const k of keys) if (rnd(3) > 0) l[k] = vals[rnd(3)] as string;
      return l;
    });
    const ops = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
    const selectors: Selector[] = Array.from({ length: 200 }, () => {
      const ml: Record<string, string> = {};
      if (rnd(2)) ml[keys[rnd(4)] as string] = vals[rnd(3)] as string;
      const exprs = Array.from({ length: rnd(3) }, () => {
        const operator = ops[rnd(4)] as string;
        return {
          key: keys[rnd(4)],
          operator,
          ...(operator === "In" || operator === "NotIn"
            ? { values: [vals[rnd(3)], vals[rnd(3)]] }
            : {}),
        };
      });
      return sel({ matchLabels: ml, matchExpressions: exprs });
    });
    const si = new SelectorIndex<number>();
    selectors.forEach((s, i) => si.add(s, i));
    const li = new LabelIndex<number>();
    labelSets.forEach((l, i) => li.add(l, i));
    for (const [i, l] of labelSets.entries()) {
      const brute = selectors.flatMap((s, j) => (matches(s, l) ? [j] : []));
      expect(
        si.query(l).sort((a, b) => a - b),
        `labels #${i}`,
      ).toEqual(brute);
    }
    for (const [j, s] of selectors.entries()) {
      const brute = labelSets.flatMap((l, i) => (matches(s, l) ? [i] : []));
      expect(
        li.query(s).sort((a, b) => a - b),
        `selector #${j}`,
      ).toEqual(brute);
    }
  });
});

describe("NetworkPolicy policyTypes defaulting", () => {
  const np = (spec: unknown) =>
    toNetworkPolicy({
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      urn: "u",
      name: "n",
      props: { metadata: { name: "n" }, spec },
    });
  it.each([
    ["explicit", { policyTypes: ["Egress"] }, ["Egress"]],
    ["none, no rules: Ingress", {}, ["Ingress"]],
    ["none, egress: [] : Ingress only", { egress: [] }, ["Ingress"]],
    ["none, an egress rule: both", { egress: [{}] }, ["Ingress", "Egress"]],
    ["empty list defaults too", { policyTypes: [], egress: [{}] }, ["Ingress", "Egress"]],
  ])("%s", (_n, spec, want) => {
    const t = effectivePolicyTypes(np(spec));
    expect(t instanceof Unknown ? t : [...t]).toEqual(want);
  });
});

describe("disruption budgets", () => {
  const pdb = (spec: Record<string, unknown>) =>
    toPdb(
      {
        type: "kubernetes:policy/v1:PodDisruptionBudget",
        urn: "u",
        name: "p",
        props: { metadata: { name: "p" }, spec },
      },
      "v1",
    );
  it.each([
    [{ minAvailable: 2 }, 3, 2],
    [{ minAvailable: "50%" }, 3, 2],
    [{ maxUnavailable: 1 }, 3, 2],
    [{ maxUnavailable: "34%" }, 3, 1],
    [{ maxUnavailable: "10%" }, 1, 0],
  ])("%j of %i pods keeps %i", (spec, n, kept) => {
    expect(keptAvailable(pdb(spec), n)).toBe(kept);
  });
  it("knows budgets that block every eviction", () => {
    expect(blocksAllEvictions(pdb({ maxUnavailable: 0 }), 3)).toMatch(/maxUnavailable is 0/);
    expect(blocksAllEvictions(pdb({ minAvailable: 3 }), 3)).toMatch(/not below the 3/);
    expect(blocksAllEvictions(pdb({ minAvailable: 2 }), 3)).toBeUndefined();
    expect(blocksAllEvictions(pdb({ maxUnavailable: 1 }), 1)).toBeUndefined();
    expect(blocksAllEvictions(pdb({ minAvailable: "100%" }), undefined)).toMatch(/100%/);
  });
  it("quorum is floor(n/2)+1", () => {
    expect([1, 2, 3, 4, 5, 7].map(quorum)).toEqual([1, 2, 2, 3, 3, 4]);
  });
});

describe("type tokens and images", () => {
  it("classifies Kubernetes type tokens", () => {
    expect(parseToken("kubernetes:core/v1:Namespace")).toEqual({
      groupVersion: "core/v1",
      kind: "Namespace",
    });
    expect(classify("kubernetes:apps/v1:StatefulSet")).toEqual({
      class: "Workload",
      kind: "StatefulSet",
    });
    expect(classify("kubernetes:policy/v1beta1:PodDisruptionBudget")).toEqual({
      class: "PodDisruptionBudget",
      version: "v1beta1",
    });
    expect(classify("kubernetes:networking.k8s.io/v1:NetworkPolicy")).toEqual({
      class: "NetworkPolicy",
    });
    expect(classify("kubernetes:apps/v1:StatefulSetPatch")).toEqual({
      class: "Workload",
      kind: "StatefulSet",
      patch: true,
    });
    expect(classify("kubernetes:helm.sh/v3:Release")).toEqual({
      class: "Opaque",
      childrenVisible: false,
    });
    expect(classify("aws:s3/bucket:Bucket")).toBeUndefined();
  });
  it.each([
    ["nats:2.14.9-alpine", "nats"],
    ["docker.io/library/nats:2.14.9@sha256:abc", "nats"],
    ["registry.local:5000/nats-io/nats-server", "nats-server"],
    ["natsio/prometheus-nats-exporter:0.17.3", "prometheus-nats-exporter"],
  ])("image %s is %s", (image, base) => {
    expect(imageBaseName(image)).toBe(base);
  });
});

describe("unknown reads", () => {
  it("turns a getter's UnknownValueError into an Unknown with URN and path", () => {
    class UnknownValueError extends Error {}
    const props = {
      spec: {
        get replicas(): number {
          throw new UnknownValueError("number value can't be known during preview");
        },
      },
    };
    const r = read(cursor("urn:a", props), "spec", "replicas");
    expect(r).toBeInstanceOf(Unknown);
    expect((r as Unknown).describe()).toBe("spec.replicas of urn:a is unknown during preview");
  });
  it("lets other errors through", () => {
    const props = {
      get spec(): unknown {
        throw new TypeError("boom");
      },
    };
    expect(() => read(cursor("urn:a", props), "spec")).toThrow("boom");
  });
  it("readString answers as str(read(...)) does, with the same path on every unknown", () => {
    class UnknownValueError extends Error {}
    const markers = new Set(["04da6b54-80e4-46f7-96ec-b56ff0331ba9"]);
    const props = {
      metadata: {
        name: "web",
        labels: { a: "1" },
        namespace: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      },
      spec: {
        selector: { matchLabels: { app: "web" } },
        ports: [{ protocol: "UDP" }, { protocol: 53 }],
        get replicas(): number {
          throw new UnknownValueError("unknown");
        },
      },
    };
    const c = cursor("urn:a", props, "", markers);
    const paths: (string | number)[][] = [
      ["metadata", "name"],
      ["metadata", "labels"],
      ["metadata", "labels", "a"],
      ["metadata", "namespace"],
      ["metadata", "missing", "deeper"],
      ["spec", "selector", "matchLabels"],
      ["spec", "ports", 0],
      ["spec", "replicas"],
      ["spec", "replicas", "x"],
      ["nothing"],
    ];
    for (const keys of paths) {
      const [k1, k2, k3] = keys as [string | number, string | number, string | number];
      const fast = readString(c, k1, k2, k3);
      const slow = str(read(c, k1, k2, k3));
      if (slow instanceof Unknown) {
        expect(fast, keys.join(".")).toBeInstanceOf(Unknown);
        expect((fast as Unknown).describe()).toBe(slow.describe());
        expect((fast as Unknown).marker).toBe(slow.marker);
      } else expect(fast, keys.join(".")).toBe(slow);
    }
    expect(readString(c, "metadata", "name")).toBe("web");
    expect((readString(c, "metadata", "namespace") as Unknown).describe()).toBe(
      "metadata.namespace of urn:a is unknown during preview",
    );
    const nested = read(c, "spec", "ports", 1);
    expect(readString(nested as ReturnType<typeof cursor>, "protocol")).toBeUndefined();
  });
});

describe("multi-level reads", () => {
  it("read(c, a, b, ...) answers as child() level by level: value, path, unknowns", () => {
    class UnknownValueError extends Error {}
    const marker = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const props = {
      spec: {
        template: { metadata: { labels: { app: "x" } } },
        ports: [{ port: 80 }, { port: marker }],
        name: "plain",
        get replicas(): number {
          throw new UnknownValueError("unknown");
        },
      },
    };
    const root = cursor("urn:a", props, "", new Set([marker]));
    const stepwise = (keys: (string | number)[]) => {
      let cur: ReturnType<typeof read> = root;
      for (const k of keys) {
        if (cur instanceof Unknown) return cur;
        cur = child(cur, k);
      }
      return cur;
    };
    const paths: (string | number)[][] = [
      ["spec", "template"],
      ["spec", "template", "metadata", "labels"],
      ["spec", "ports", 0, "port"],
      ["spec", "ports", 1, "port"],
      ["spec", "replicas", "x"],
      ["spec", "name", "deeper"],
      ["missing", "a", "b"],
    ];
    for (const keys of paths) {
      const [k1, k2, k3, k4] = keys as [string | number, string | number, string, string];
      const fast = read(root, k1, k2, k3, k4);
      const slow = stepwise(keys);
      const what = keys.join(".");
      if (slow instanceof Unknown) {
        expect(fast, what).toBeInstanceOf(Unknown);
        expect((fast as Unknown).describe(), what).toBe(slow.describe());
        continue;
      }
      expect(fast, what).not.toBeInstanceOf(Unknown);
      const f = fast as Exclude<typeof fast, Unknown>;
      expect(f.value, what).toEqual(slow.value);
      expect(pathOf(f), what).toBe(pathOf(slow));
      // Reading on from the end of a multi-level read keeps the full path.
      expect(pathOf(child(f, "next") as typeof f), what).toBe(`${pathOf(slow)}.next`);
    }
  });
});

describe("stack index reads", () => {
  it("refuses to show a kind its policy did not declare, naming it", () => {
    const ns = {
      type: "kubernetes:core/v1:Namespace",
      urn: "urn:ns",
      name: "a",
      props: { metadata: { name: "a" } },
    };
    const idx = new StackIndex([ns], new Set(["Namespace"] as const));
    expect(idx.namespaces.map((n) => n.name)).toEqual(["a"]);
    expect(() => idx.networkPolicies).toThrow(
      /reads NetworkPolicy objects but its policy does not declare them/,
    );
    expect(() => idx.configs).toThrow(/reads ConfigMap objects/);
    expect(new StackIndex([ns]).networkPolicies.all).toEqual([]);
  });
});
