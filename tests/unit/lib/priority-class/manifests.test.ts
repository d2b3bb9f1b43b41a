// The data tier's PriorityClass (lib/priority-class): named per stack prefix, above ordinary
// workloads, below the system classes, never the cluster default.
import { describe, expect, it } from "vitest";
import { dataPriorityClass, dataPriorityClassName } from "../../../../lib/priority-class";

describe("data tier PriorityClass", () => {
  it("is named after the prefix and ranks between ordinary pods and the system classes", () => {
    const pc = dataPriorityClass("acme");
    expect(pc.metadata?.name).toBe("acme-data");
    expect(dataPriorityClassName("acme")).toBe("acme-data");
    expect(pc.value).toBeGreaterThan(0);
    // system-cluster-critical is 2000000000; user classes must stay at or below 1000000000.
    expect(pc.value).toBeLessThanOrEqual(1_000_000_000);
    expect(pc.globalDefault).toBe(false);
    expect(pc.preemptionPolicy).toBe("PreemptLowerPriority");
    expect(pc.metadata?.labels).toMatchObject({ "app.kubernetes.io/managed-by": "pulumi" });
  });
});
