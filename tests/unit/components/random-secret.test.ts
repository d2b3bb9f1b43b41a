// RandomSecret under mocks: a dynamic resource of the kgents provider whose length defaults to
// 32. (Mocks do not apply additionalSecretOutputs; the program test checks that generated values
// travel only as secrets.)
import { beforeAll, describe, expect, it } from "vitest";
import { RandomSecret } from "../../../components/random-secret";
import { mockSecretValue, type ProgramRun, runUnderMocks } from "../../support/program";

describe("RandomSecret", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runUnderMocks(() => ({
      plain: new RandomSecret("a").value,
      short: new RandomSecret("b", { length: 8 }).value,
    }));
  });

  it("registers a kgents:RandomSecret dynamic resource with the requested length", () => {
    expect(run.resources.map((r) => [r.type, r.name, r.inputs.length])).toEqual([
      ["pulumi-nodejs:dynamic/kgents:RandomSecret", "a", 32],
      ["pulumi-nodejs:dynamic/kgents:RandomSecret", "b", 8],
    ]);
  });

  it("exposes the generated value", () => {
    expect(run.outputs).toEqual({ plain: mockSecretValue("a"), short: mockSecretValue("b") });
  });
});
