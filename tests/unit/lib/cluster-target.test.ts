// lib/cluster-target.ts: which cluster the provider targets, the env overrides, render mode.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { clusterTarget } from "../../../lib/cluster-target";

const stackCfg = { kubeconfig: ".local/kubeconfig", kubeContext: "" };

describe("clusterTarget", () => {
  it("uses the stack config as is when no override is set, with no warning", () => {
    const t = clusterTarget(stackCfg, {});
    expect(t.providerArgs).toEqual({ kubeconfig: path.resolve(".local/kubeconfig") });
    expect(t.warnings).toEqual([]);
  });

  it("leaves an empty kubeconfig and context to the ambient KUBECONFIG", () => {
    expect(clusterTarget({ kubeconfig: "", kubeContext: "" }, {}).providerArgs).toEqual({});
  });

  it("re-aims the stack through KGENTS_KUBECONFIG / KGENTS_KUBE_CONTEXT and warns", () => {
    const t = clusterTarget(
      { kubeconfig: "", kubeContext: "kgents-prod" },
      { KGENTS_KUBECONFIG: "kubeconfigs/other", KGENTS_KUBE_CONTEXT: "" },
    );
    expect(t.providerArgs).toEqual({ kubeconfig: path.resolve("kubeconfigs/other") });
    expect(t.warnings).toEqual([
      "cluster target overridden by environment: kubeconfig=kubeconfigs/other context=(current)",
    ]);
  });

  it("renders to a folder instead of any cluster when KGENTS_RENDER_DIR is set", () => {
    const t = clusterTarget(
      { kubeconfig: "", kubeContext: "kgents-prod" },
      { KGENTS_RENDER_DIR: "out/prod", KGENTS_KUBECONFIG: "kubeconfigs/other" },
    );
    expect(t.providerArgs).toEqual({ renderYamlToDirectory: path.resolve("out/prod") });
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toMatch(/render mode/);
  });
});
