// The flow table (lib/flows.ts): each flow's ports are its server workload's, written out here
// as the design's table says; extra flows parse or fail naming the rule.
import { describe, expect, it } from "vitest";
import { flowTable, parseExtraFlow } from "../../../lib/flows";

const table = flowTable({ ingressNamespace: "ing", gatewayPort: 8080 });
const portsOf = (name: string) =>
  table.find((f) => f.name === name)?.ports.map((p) => `${p.protocol}/${p.port}`);

describe("flow table", () => {
  it("has the design's flows and ports", () => {
    expect(table.map((f) => f.name)).toEqual([
      "nats-client",
      "nats-route",
      "nats-monitor",
      "redis-client",
      "dns",
      "gateway-public",
      "gateway-metrics",
    ]);
    expect(portsOf("nats-client")).toEqual(["TCP/4222"]);
    expect(portsOf("nats-route")).toEqual(["TCP/6222"]);
    expect(portsOf("nats-monitor")).toEqual(["TCP/8222", "TCP/7777"]);
    expect(portsOf("redis-client")).toEqual(["TCP/6379"]);
    expect(portsOf("dns")).toEqual(["UDP/53", "TCP/53"]);
    expect(portsOf("gateway-public")).toEqual(["TCP/8080"]);
    expect(portsOf("gateway-metrics")).toEqual(["TCP/9464"]);
  });

  it("lets the gateway's pods, not its whole namespace, reach NATS and Redis", () => {
    const from = (name: string) => table.find((f) => f.name === name)?.from;
    const gatewayPods = { kind: "tier", tier: "gateway", workload: "gateway" };
    expect(from("nats-client")).toEqual([gatewayPods, { kind: "tier", tier: "agents" }]);
    expect(from("redis-client")).toEqual([
      { kind: "tier", tier: "agents" },
      gatewayPods,
      { kind: "tier", tier: "triad" },
    ]);
    expect(from("gateway-metrics")).toEqual([{ kind: "tier", tier: "observability" }]);
  });

  it("targets workloads in their own tiers", () => {
    const to = (name: string) => table.find((f) => f.name === name)?.to;
    expect(to("nats-client")).toEqual({ kind: "tier", tier: "agents", workload: "nats" });
    expect(to("redis-client")).toEqual({ kind: "tier", tier: "triad", workload: "redis" });
    expect(to("gateway-public")).toEqual({ kind: "tier", tier: "gateway", workload: "gateway" });
    expect(to("gateway-metrics")).toEqual({ kind: "tier", tier: "gateway", workload: "gateway" });
  });

  it("parses extra flows and names the broken rule otherwise", () => {
    expect(parseExtraFlow("observability->triad/redis:9121/TCP")).toMatchObject({
      name: "extra-observability-triad-9121",
      from: [{ kind: "tier", tier: "observability" }],
      to: { kind: "tier", tier: "triad", workload: "redis" },
      ports: [{ port: 9121, protocol: "TCP" }],
    });
    expect(parseExtraFlow("nowhere->triad:1/TCP")).toMatch(/unknown tier "nowhere"/);
    expect(parseExtraFlow("agents->triad/mysql:1/TCP")).toMatch(/unknown workload "mysql"/);
    expect(parseExtraFlow("agents->triad:70000/TCP")).toMatch(/outside 1-65535/);
    expect(parseExtraFlow("agents triad")).toMatch(/must look like/);
  });
});
