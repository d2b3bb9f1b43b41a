// DataPriority alone under mocks: one PriorityClass `<prefix>-data` parented to the component,
// its name as output.
import { beforeAll, describe, expect, it } from "vitest";
import { DataPriority } from "../../../components/data-priority";
import { type ProgramRun, runUnderMocks, tree } from "../../support/program";

describe("DataPriority", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runUnderMocks(() => ({
      className: new DataPriority("prio", { prefix: "acme" }).className,
    }));
  });

  it("registers one PriorityClass, parented to the component", () => {
    expect(tree(run.resources)).toEqual([
      "kgents:components:DataPriority::prio <- ",
      "kubernetes:scheduling.k8s.io/v1:PriorityClass::prio-class <- kgents:components:DataPriority::prio",
    ]);
    expect(run.resources[1]?.inputs).toMatchObject({
      metadata: { name: "acme-data" },
      globalDefault: false,
    });
  });

  it("outputs the class name", () => {
    expect(run.outputs).toEqual({ className: "acme-data" });
  });
});
