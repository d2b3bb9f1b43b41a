// The shared vocabulary (lib/topology): tiers and namespaces, workloads and ports, the label
// contract, the quorum rule. Written out here independently of the code.
import { describe, expect, it } from "vitest";
import {
  commonLabels,
  LONGEST_TIER_SUFFIX,
  quorum,
  quorumFormula,
  selectorLabels,
  serviceHost,
  TIERS,
  tierNamespace,
  WORKLOADS,
} from "../../../../lib/topology";

describe("topology", () => {
  it("has the four tiers, each a `<prefix>-<tier>` namespace", () => {
    expect(TIERS).toEqual(["agents", "triad", "gateway", "observability"]);
    expect(tierNamespace("kgents", "triad")).toBe("kgents-triad");
    expect(LONGEST_TIER_SUFFIX).toBe("-observability".length);
  });

  it("places each workload in its tier with its ports", () => {
    expect(WORKLOADS.nats).toMatchObject({ tier: "agents", component: "messaging" });
    expect(WORKLOADS.nats.ports).toEqual({
      client: 4222,
      cluster: 6222,
      monitor: 8222,
      exporter: 7777,
    });
    expect(WORKLOADS.redis).toMatchObject({ tier: "triad", ports: { redis: 6379 } });
    expect(WORKLOADS.gateway).toMatchObject({ tier: "gateway" });
    for (const [key, w] of Object.entries(WORKLOADS)) expect(w.name).toBe(key);
  });

  it("selects with the stable subset of the common labels (no version)", () => {
    for (const w of Object.values(WORKLOADS)) {
      const sel = selectorLabels(w);
      expect(sel).toEqual({
        "app.kubernetes.io/name": w.name,
        "app.kubernetes.io/instance": w.name,
      });
      const common = commonLabels(w, "1.2.3");
      expect(common).toMatchObject(sel);
      expect(common["app.kubernetes.io/version"]).toBe("1.2.3");
      expect(Object.keys(sel)).not.toContain("app.kubernetes.io/version");
    }
  });

  it("computes the Raft quorum floor(n/2)+1", () => {
    expect([1, 2, 3, 4, 5, 7].map(quorum)).toEqual([1, 2, 2, 3, 3, 4]);
    expect(quorumFormula()).toBe("floor(n/2)+1");
    expect(quorumFormula(5)).toBe("floor(5/2)+1");
  });

  it("names in-cluster services", () => {
    expect(serviceHost("nats", "ns", "c.local")).toBe("nats.ns.svc.c.local");
  });
});
