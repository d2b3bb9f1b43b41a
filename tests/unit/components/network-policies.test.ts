// NetworkPolicies alone under mocks: one child per rendered policy, named
// `<component>-<tier>-<policy>`, parented to the component, and the policy names as output.
import { beforeAll, describe, expect, it } from "vitest";
import { NetworkPolicies } from "../../../components/network-policies";
import { flowTable } from "../../../lib/flows";
import { networkPolicies } from "../../../lib/network-policies";
import { objectKey, type ProgramRun, runUnderMocks, tree } from "../../support/program";

const flows = flowTable({ ingressNamespace: "ing", gatewayPort: 8080 });

describe("NetworkPolicies", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runUnderMocks(() => {
      const n = new NetworkPolicies("net", { prefix: "p", flows });
      return { policyNames: n.policyNames };
    });
  });

  it("registers one NetworkPolicy per rendered manifest, as it was rendered", () => {
    const expected = networkPolicies(flows, "p");
    const children = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
    // Registrations complete in any order: compare by name.
    const byName = (xs: [string, unknown][]) => xs.sort(([a], [b]) => a.localeCompare(b));
    expect(byName(children.map((r) => [r.name, r.inputs.spec]))).toEqual(
      byName(
        expected.map((p) => [
          `net-${p.tier}-${p.manifest.metadata?.name}`,
          JSON.parse(JSON.stringify(p.manifest.spec)) as unknown,
        ]),
      ),
    );
    expect(
      tree(run.resources).filter((t) => !t.endsWith("<- kgents:components:NetworkPolicies::net")),
    ).toEqual(["kgents:components:NetworkPolicies::net <- "]);
  });

  it("outputs `namespace/name` of every policy", () => {
    const children = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect([...(run.outputs.policyNames as string[])].sort()).toEqual(
      children.map((r) => objectKey(r).replace("NetworkPolicy/", "")).sort(),
    );
    expect(run.outputs.policyNames).toContain("p-agents/default-deny");
  });
});
