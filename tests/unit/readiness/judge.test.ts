// lib/readiness/judge: each rule on a valid fixture (the objects the prod stack deploys, as the
// API returns them), then the fixture changed in one field.
import { describe, expect, it } from "vitest";
import {
  type BaselineRecord,
  defaultDeny,
  judgeBaseline,
  judgeDrain,
  judgeNatsPdb,
  type LoadBudget,
  namespaceProblems,
  newestBaseline,
  type PdbObject,
  type PolicyObject,
  selects,
  wideOpenRules,
} from "../../../lib/readiness/judge";

const NS = "kgents-agents";
const denyAll: PolicyObject = {
  name: "default-deny",
  namespace: NS,
  podSelector: {},
  policyTypes: ["Ingress", "Egress"],
};
const natsLabels = { "app.kubernetes.io/name": "nats", "app.kubernetes.io/instance": "nats" };
const clients: PolicyObject = {
  name: "allow-nats-clients-ingress",
  namespace: NS,
  podSelector: { matchLabels: natsLabels },
  policyTypes: ["Ingress"],
  ingress: [
    {
      from: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kgents-gateway" } },
        },
      ],
      ports: [{ port: 4222, protocol: "TCP" }],
    },
  ],
};
const dns: PolicyObject = {
  name: "allow-dns-egress",
  namespace: NS,
  podSelector: {},
  policyTypes: ["Egress"],
  egress: [
    {
      to: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
          podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
        },
      ],
      ports: [{ port: 53, protocol: "UDP" }],
    },
  ],
};
const live = [denyAll, clients, dns];

describe("selects", () => {
  it("matchLabels and every matchExpression must hold", () => {
    expect(selects({ matchLabels: natsLabels }, { ...natsLabels, extra: "x" })).toBe(true);
    expect(selects({ matchLabels: natsLabels }, { "app.kubernetes.io/name": "nats" })).toBe(false);
    const expr = (operator: string, values?: string[]) => ({
      matchExpressions: [{ key: "tier", operator, ...(values ? { values } : {}) }],
    });
    expect(selects(expr("In", ["a", "b"]), { tier: "b" })).toBe(true);
    expect(selects(expr("In", ["a"]), { tier: "b" })).toBe(false);
    expect(selects(expr("NotIn", ["a"]), {})).toBe(true);
    expect(selects(expr("NotIn", ["a"]), { tier: "a" })).toBe(false);
    expect(selects(expr("Exists"), { tier: "" })).toBe(true);
    expect(selects(expr("DoesNotExist"), { tier: "" })).toBe(false);
    expect(selects(expr("Gt", ["1"]), { tier: "2" })).toBe(false);
  });
});

describe("defaultDeny", () => {
  it("finds the both-ways policy, and a split pair", () => {
    expect(defaultDeny(live)).toEqual({ ingress: ["default-deny"], egress: ["default-deny"] });
    const split = [
      { ...denyAll, name: "deny-in", policyTypes: ["Ingress"] },
      { ...denyAll, name: "deny-out", policyTypes: ["Egress"] },
    ];
    expect(defaultDeny(split)).toEqual({ ingress: ["deny-in"], egress: ["deny-out"] });
  });

  it("a selector on some pods, a missing direction or a rule is not default-deny", () => {
    expect(defaultDeny([{ ...denyAll, podSelector: { matchLabels: natsLabels } }]).ingress).toEqual(
      [],
    );
    expect(defaultDeny([{ ...denyAll, policyTypes: ["Ingress"] }]).egress).toEqual([]);
    expect(defaultDeny([{ ...denyAll, ingress: [{ from: [] }] }]).ingress).toEqual([]);
  });
});

describe("wideOpenRules", () => {
  it("the deployed policies have none", () => {
    expect(wideOpenRules(live)).toEqual([]);
  });

  it("names a rule without peers, an all-namespaces peer and the whole address space", () => {
    expect(wideOpenRules([{ ...clients, ingress: [{ ports: [{ port: 4222 }] }] }])).toEqual([
      "allow-nats-clients-ingress: ingress rule #1: no peer, so every source",
    ]);
    expect(
      wideOpenRules([{ ...clients, ingress: [{ from: [{ namespaceSelector: {} }] }] }]),
    ).toEqual([
      "allow-nats-clients-ingress: ingress rule #1: namespaceSelector {} without a podSelector (every pod of every namespace)",
    ]);
    expect(
      wideOpenRules([{ ...dns, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }]),
    ).toEqual(["allow-dns-egress: egress rule #1: ipBlock 0.0.0.0/0"]);
    expect(
      wideOpenRules([{ ...dns, egress: [{ to: [{ namespaceSelector: {}, podSelector: {} }] }] }]),
    ).toEqual(["allow-dns-egress: egress rule #1: every pod of every namespace"]);
  });
});

describe("namespaceProblems", () => {
  const declared = ["default-deny", "allow-nats-clients-ingress", "allow-dns-egress"];
  it("none for the namespace as deployed", () => {
    expect(namespaceProblems(NS, live, declared)).toEqual([]);
  });

  it("a deleted default-deny is named in both directions, and as a declared policy gone", () => {
    expect(namespaceProblems(NS, [clients, dns], declared)).toEqual([
      "kgents-agents: no default-deny for ingress",
      "kgents-agents: no default-deny for egress",
      "kgents-agents: default-deny is declared by the stack but missing",
    ]);
  });
});

describe("judgeNatsPdb", () => {
  const pdb: PdbObject = {
    name: "nats",
    selector: { matchLabels: natsLabels },
    minAvailable: 2,
    status: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 },
  };
  const podLabels = { ...natsLabels, "app.kubernetes.io/component": "messaging" };

  it("passes the quorum budget over all healthy pods", () => {
    expect(judgeNatsPdb(podLabels, 3, 2, [pdb])).toEqual({ ok: true, problems: [], pdb });
  });

  it("fails when no budget, two budgets, a weaker budget, or a pod down", () => {
    expect(judgeNatsPdb(podLabels, 3, 2, []).problems).toEqual([
      "no PodDisruptionBudget selects the NATS pods",
    ]);
    expect(judgeNatsPdb(podLabels, 3, 2, [pdb, { ...pdb, name: "other" }]).problems[0]).toMatch(
      /^2 budgets select the NATS pods \(nats, other\)/,
    );
    expect(
      judgeNatsPdb(podLabels, 3, 2, [
        { ...pdb, minAvailable: 1, status: { ...pdb.status, disruptionsAllowed: 2 } },
      ]).problems,
    ).toEqual([
      "minAvailable = 1: the stack expects 2 of 3",
      "status.disruptionsAllowed = 2: expected 1",
    ]);
    expect(
      judgeNatsPdb(podLabels, 3, 2, [
        { ...pdb, status: { ...pdb.status, currentHealthy: 2, disruptionsAllowed: 0 } },
      ]).problems,
    ).toEqual(["status.currentHealthy = 2 of 3", "status.disruptionsAllowed = 0: expected 1"]);
    // A selector on a label the pods do not carry covers nothing.
    expect(
      judgeNatsPdb(podLabels, 3, 2, [{ ...pdb, selector: { matchLabels: { app: "nats" } } }]).ok,
    ).toBe(false);
  });
});

describe("judgeDrain", () => {
  it("201 then 429 and whole again passes", () => {
    expect(
      judgeDrain(
        [
          { pod: "nats-2", status: 201 },
          { pod: "nats-1", status: 429 },
        ],
        true,
      ),
    ).toEqual([]);
  });

  it("a second eviction let through, a refused first, or no recovery fail", () => {
    expect(
      judgeDrain(
        [
          { pod: "nats-2", status: 201 },
          { pod: "nats-1", status: 201 },
        ],
        true,
      ),
    ).toEqual(["second eviction: HTTP 201, expected 429 (refused by the budget)"]);
    expect(judgeDrain([{ pod: "nats-2", status: 429 }], true)).toEqual([
      "first eviction: HTTP 429, expected 201",
      "second eviction: not attempted, expected 429 (refused by the budget)",
    ]);
    expect(
      judgeDrain(
        [
          { pod: "nats-2", status: 201 },
          { pod: "nats-1", status: 429 },
        ],
        false,
      ),
    ).toEqual(["the StatefulSet did not return to all replicas ready"]);
  });
});

describe("judgeBaseline", () => {
  const spec: LoadBudget = {
    rate: 100,
    durationS: 60,
    budgets: { p95Ms: 500, errorRate: 0.01, minAchievedRatio: 0.99 },
  };
  const rec: BaselineRecord = {
    stack: "prod",
    durationS: 59.99,
    rate: { target: 100, achieved: 100.01 },
    latencyMs: { p95: 8.3, p99: 61 },
    errorRate: 0,
  };

  it("a 60 s run at 100 req/s within budget passes", () => {
    expect(judgeBaseline(rec, spec)).toEqual([]);
  });

  it("names each broken budget", () => {
    expect(judgeBaseline({ ...rec, latencyMs: { p95: 500 } }, spec)).toEqual([
      "p95 500 ms, budget < 500 ms",
    ]);
    expect(judgeBaseline({ ...rec, errorRate: 0.02 }, spec)).toEqual([
      "error rate 0.02, budget < 0.01",
    ]);
    expect(judgeBaseline({ ...rec, rate: { target: 100, achieved: 90 } }, spec)).toEqual([
      "achieved 90 req/s < 99",
    ]);
    expect(judgeBaseline({ ...rec, durationS: 30 }, spec)).toEqual(["duration 30 s < 60 s"]);
    expect(judgeBaseline({ ...rec, rate: { target: 50, achieved: 50 } }, spec)).toEqual([
      "target rate 50 req/s: the budget needs 100",
      "achieved 50 req/s < 99",
    ]);
    expect(judgeBaseline({}, spec)).toHaveLength(5);
  });
});

describe("newestBaseline", () => {
  it("the stack's latest by date, never another stack's", () => {
    const files = [
      "dev-2026-12-01.json",
      "prod-2026-11-30.json",
      "prod-2026-12-01.json",
      "prod-2026-12-01.md",
    ];
    expect(newestBaseline(files, "prod")).toBe("prod-2026-12-01.json");
    // A capacity record is not a baseline, even when it sorts after one.
    expect(newestBaseline(["dev-2026-12-01.json", "dev-2026-12-02-capacity.json"], "dev")).toBe(
      "dev-2026-12-01.json",
    );
    expect(newestBaseline(["dev-2026-12-01.json", "dev-2026-12-02T10-00-00.json"], "dev")).toBe(
      "dev-2026-12-02T10-00-00.json",
    );
    expect(newestBaseline(files, "staging")).toBeUndefined();
  });
});
