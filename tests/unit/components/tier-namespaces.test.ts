// TierNamespaces alone under mocks: four Namespaces named `<component>-<tier>`, parented to the
// component, and the namespace name per tier as output.
import { beforeAll, describe, expect, it } from "vitest";
import { TierNamespaces } from "../../../components/tier-namespaces";
import { type ProgramRun, runUnderMocks, tree } from "../../support/program";

const C = "kgents:components:TierNamespaces::t";

describe("TierNamespaces", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runUnderMocks(() => {
      const t = new TierNamespaces("t", { prefix: "acme" });
      return { names: t.names, count: t.namespaces.length };
    });
  });

  it("registers one restricted Namespace per tier", () => {
    expect(tree(run.resources)).toEqual([
      `${C} <- `,
      ...["agents", "triad", "gateway", "observability"].map(
        (tier) => `kubernetes:core/v1:Namespace::t-${tier} <- ${C}`,
      ),
    ]);
    const labels = run.resources[1]?.inputs.metadata as { labels: Record<string, string> };
    expect(labels.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("outputs the namespace name per tier", () => {
    expect(run.outputs).toEqual({
      names: {
        agents: "acme-agents",
        triad: "acme-triad",
        gateway: "acme-gateway",
        observability: "acme-observability",
      },
      count: 4,
    });
  });
});
