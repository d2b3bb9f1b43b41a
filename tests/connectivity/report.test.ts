// The connectivity report on the stacks' own objects: equal to the flow table for dev and prod,
// from our core and from Cyclonus; and each mutation of the issue caught with its exact flow.
import { beforeAll, describe, expect, it } from "vitest";
import { flowTable } from "../../lib/flows";
import type { KubeObject } from "../../lib/connectivity/objects";
import { type ConnectivityReport, analyze, flowLabel } from "../../lib/connectivity/report";
import { loadStackConfig } from "../../scripts/connectivity/stack";
import { renderedObjects } from "../support/rendered";
import { STACKS } from "../support/stack-files";
import { cyclonusDisagreements, editPolicy, policy, runCli, withoutPolicy } from "./support";

function report(stack: "dev" | "prod", objects: readonly KubeObject[]): ConnectivityReport {
  const cfg = loadStackConfig(stack);
  return analyze({
    title: stack,
    objects,
    flows: flowTable({
      ingressNamespace: cfg.ingressNamespace,
      gatewayPort: cfg.gatewayPort,
      extraFlows: cfg.extraFlows,
    }),
    namespacePrefix: cfg.namespacePrefix,
  });
}

const labels = (cells: ConnectivityReport["unintended"]) => cells.map((c) => flowLabel(c.query));
const sideLabels = (r: ConnectivityReport, side: string, kind: string) =>
  r.sides.filter((d) => d.side === side && d.kind === kind).map((d) => flowLabel(d.cell.query));

describe.each(STACKS)("stack %s", (stack) => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await renderedObjects(stack);
  });

  it("allows exactly the flow table (0 unintended, 0 missing, each side alone)", () => {
    const r = report(stack, objects);
    expect(r.policyCount).toBeGreaterThanOrEqual(20);
    expect(labels(r.unintended)).toEqual([]);
    expect(labels(r.missing)).toEqual([]);
    expect(r.sides).toEqual([]);
    const allowed = r.cells.filter((c) => c.verdict.allowed).map((c) => flowLabel(c.query));
    // The flow table's rows, one example each, and nothing to or from outside the tier.
    expect(allowed).toEqual(
      expect.arrayContaining([
        "kgents-gateway/gateway -> kgents-agents/nats : 4222/TCP",
        "kgents-agents/nats -> kgents-agents/nats : 6222/TCP",
        "kgents-observability/pods -> kgents-agents/nats : 7777/TCP",
        "kgents-triad/pods -> kgents-triad/redis : 6379/TCP",
        "kgents-observability/pods -> kube-system/kube-dns : 53/UDP",
        "ingress-nginx/pods -> kgents-gateway/gateway : 8080/TCP",
        "kgents-gateway/gateway -> kgents-triad/redis : 6379/TCP",
        "kgents-observability/pods -> kgents-gateway/gateway : 9464/TCP",
      ]),
    );
    // The gateway's client flows are exact to its pods: other pods of its namespace get none.
    expect(allowed).not.toContain("kgents-gateway/pods -> kgents-agents/nats : 4222/TCP");
    expect(allowed).not.toContain("kgents-gateway/pods -> kgents-triad/redis : 6379/TCP");
    // Its metrics port is for scrapers only.
    expect(allowed).not.toContain("ingress-nginx/pods -> kgents-gateway/gateway : 9464/TCP");
    expect(allowed.filter((l) => l.includes("default/stranger"))).toEqual([]);
    expect(allowed).not.toContain("kgents-gateway/pods -> kgents-agents/nats : 6222/TCP");
    expect(allowed).not.toContain("kgents-agents/nats -> kube-system/kube-dns : 9153/TCP");
  });

  it("the CLI says the same, and Cyclonus agrees on every query (exit 0)", () => {
    const r = report(stack, objects);
    const run = runCli(stack, objects);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("**Equal to the flow table.**");
    expect(run.stdout).toContain(
      `Agrees with our core on all ${r.cells.length} queries (ingress, egress, overall).`,
    );
    expect(run.code).toBe(0);
  });
});

describe("mutations (dev), each caught with the exact offending flow", () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await renderedObjects("dev");
  });

  it("DNS egress removed from the triad namespace", () => {
    const r = report("dev", withoutPolicy(objects, "kgents-triad", "allow-dns-egress"));
    expect(
      cyclonusDisagreements(withoutPolicy(objects, "kgents-triad", "allow-dns-egress"), r),
    ).toEqual([]);
    expect(labels(r.missing).sort()).toEqual([
      "kgents-triad/pods -> kube-system/kube-dns : 53/TCP",
      "kgents-triad/pods -> kube-system/kube-dns : 53/UDP",
      "kgents-triad/redis -> kube-system/kube-dns : 53/TCP",
      "kgents-triad/redis -> kube-system/kube-dns : 53/UDP",
    ]);
    expect(r.unintended).toEqual([]);
  });

  it("an allow-all ingress added to the triad namespace", () => {
    const mutated = [
      ...objects,
      policy("kgents-triad", "allow-all-ingress", {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{}],
      }),
    ];
    const r = report("dev", mutated);
    expect(cyclonusDisagreements(mutated, r)).toEqual([]);
    expect(labels(r.unintended)).toContain("default/stranger -> kgents-triad/redis : 6379/TCP");
    expect(labels(r.unintended)).toContain(
      "default/stranger -> kgents-triad/redis : any other port/TCP",
    );
    expect(sideLabels(r, "ingress", "unintended")).toContain(
      "kgents-observability/pods -> kgents-triad/redis : 6379/TCP",
    );
    expect(r.missing).toEqual([]);
  });

  it("a namespace peer split from its pod selector (OR instead of AND)", () => {
    const mutated = editPolicy(objects, "kgents-agents", "allow-nats-route-ingress", (spec) => {
      const rule = (spec.ingress as { from: Record<string, unknown>[] }[])[0];
      const [peer] = rule?.from ?? [];
      rule!.from = [
        { namespaceSelector: peer?.namespaceSelector },
        { podSelector: peer?.podSelector },
      ];
    });
    const r = report("dev", mutated);
    expect(cyclonusDisagreements(mutated, r)).toEqual([]);
    // Hidden end to end by the client's egress policy, caught on the server's side.
    expect(sideLabels(r, "ingress", "unintended")).toEqual([
      "kgents-agents/pods -> kgents-agents/nats : 6222/TCP",
    ]);
    expect(r.missing).toEqual([]);
  });

  it("a peer selecting a namespace label no namespace carries", () => {
    const mutated = editPolicy(objects, "kgents-agents", "allow-nats-client-ingress", (spec) => {
      const rule = (spec.ingress as { from: Record<string, unknown>[] }[])[0];
      rule!.from[0] = { namespaceSelector: { matchLabels: { "kgents.io/tier": "gateways" } } };
    });
    const r = report("dev", mutated);
    expect(cyclonusDisagreements(mutated, r)).toEqual([]);
    expect(labels(r.missing).sort()).toEqual([
      "kgents-gateway/gateway -> kgents-agents/nats : 4222/TCP",
    ]);
    expect(r.unintended).toEqual([]);
  });

  it("the NATS cluster port 6222 opened to the gateway", () => {
    let mutated = editPolicy(objects, "kgents-gateway", "allow-nats-client-egress", (spec) => {
      (spec.egress as { ports: unknown[] }[])[0]!.ports.push({ port: 6222, protocol: "TCP" });
    });
    mutated = editPolicy(mutated, "kgents-agents", "allow-nats-route-ingress", (spec) => {
      (spec.ingress as { from: unknown[] }[])[0]!.from.push({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kgents-gateway" } },
      });
    });
    const r = report("dev", mutated);
    expect(cyclonusDisagreements(mutated, r)).toEqual([]);
    // End to end only the gateway's pods: the egress policy selects them alone.
    expect(labels(r.unintended).sort()).toEqual([
      "kgents-gateway/gateway -> kgents-agents/nats : 6222/TCP",
    ]);
    // The ingress side alone, opened to the whole namespace, admits its other pods too.
    expect(sideLabels(r, "ingress", "unintended").sort()).toEqual([
      "kgents-gateway/gateway -> kgents-agents/nats : 6222/TCP",
      "kgents-gateway/pods -> kgents-agents/nats : 6222/TCP",
    ]);
    expect(r.missing).toEqual([]);
  });

  it("the CLI exits 1 on a mutation, names the flow, and Cyclonus agrees", () => {
    const run = runCli("dev", withoutPolicy(objects, "kgents-triad", "allow-dns-egress"));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("**DIFFERENT from the flow table.**");
    expect(run.stdout).toContain("| kgents-triad/redis -> kube-system/kube-dns : 53/UDP | dns |");
    expect(run.stdout).toMatch(/Agrees with our core on all \d+ queries/);
  });
});
