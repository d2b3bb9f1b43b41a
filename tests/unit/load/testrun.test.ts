// The k6-operator TestRun: a ConfigMap with the script and the spec, a TestRun pointing at it
// with the requested parallelism, BASE_URL and SPEC_PATH for the pods, restricted pods; bad
// inputs refused with key, value and rule.
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { loadFiles, parseTestRunInputs, renderTestRun, renderYaml } from "../../../load/testrun";

const inputs = parseTestRunInputs({
  name: "health-saas",
  namespace: "k6",
  parallelism: 4,
  baseUrl: "http://gateway.kgents-gateway.svc:8080",
});

interface PodSpec {
  readonly env?: { name: string; value: string }[];
  readonly image?: string;
  readonly securityContext: Record<string, unknown>;
  readonly containerSecurityContext: Record<string, unknown>;
  readonly volumeMounts: unknown[];
}
interface ConfigMap {
  readonly data: Record<string, string>;
}
interface TestRun {
  readonly spec: {
    readonly parallelism: number;
    readonly script: unknown;
    readonly initializer: PodSpec;
    readonly starter: PodSpec;
    readonly runner: PodSpec;
  };
}

describe("k6-operator TestRun", () => {
  const files = loadFiles();
  const [cm, tr] = renderTestRun(inputs, files) as unknown as [ConfigMap, TestRun];

  it("carries the committed script and spec in a ConfigMap", () => {
    expect(cm).toMatchObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "health-saas-script", namespace: "k6" },
    });
    expect(Object.keys(cm.data).sort()).toEqual(["health-saas.ts", "spec.json"]);
    expect(cm.data["health-saas.ts"]).toBe(files.script);
    expect(cm.data["health-saas.ts"]).toContain('executor: "constant-arrival-rate"');
    expect(JSON.parse(cm.data["spec.json"] as string)).toMatchObject({
      path: "/health/saas",
      rate: 100,
    });
  });

  it("runs the script from the ConfigMap with N runners and the pods' environment", () => {
    expect(tr).toMatchObject({
      apiVersion: "k6.io/v1alpha1",
      kind: "TestRun",
      metadata: { name: "health-saas", namespace: "k6" },
    });
    expect(tr.spec.parallelism).toBe(4);
    expect(tr.spec.script).toEqual({
      configMap: { name: "health-saas-script", file: "health-saas.ts" },
    });
    const env = Object.fromEntries((tr.spec.runner.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toEqual({
      BASE_URL: "http://gateway.kgents-gateway.svc:8080",
      SPEC_PATH: "/test/spec.json",
      SUMMARY_DIR: "/tmp",
    });
    expect(tr.spec.initializer.env).toEqual(tr.spec.runner.env);
    expect(tr.spec.runner.image).toBeUndefined();
  });

  it("makes every pod of the run restricted, with /tmp the only writable path", () => {
    for (const p of ["initializer", "starter", "runner"]) {
      const pod = tr.spec[p as "initializer" | "starter" | "runner"];
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(pod.containerSecurityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(pod.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    }
  });

  it("sets a runner image on the k6 pods only", () => {
    const [, t] = renderTestRun(
      { ...inputs, image: "registry.example/k6:1" },
      files,
    ) as unknown as [unknown, TestRun];
    expect(t.spec.runner.image).toBe("registry.example/k6:1");
    expect(t.spec.initializer.image).toBe("registry.example/k6:1");
    expect(t.spec.starter.image).toBeUndefined();
  });

  it("renders two YAML documents that parse back to the objects", () => {
    const docs = parseAllDocuments(
      renderYaml([cm, tr] as unknown as Record<string, unknown>[]),
    ).map((d) => d.toJS() as unknown);
    expect(docs).toEqual([cm, tr]);
    expect(parse(renderYaml([cm] as unknown as Record<string, unknown>[]))).toEqual(cm);
  });

  it("refuses bad inputs naming the key, the value and the rule", () => {
    expect(() =>
      parseTestRunInputs({
        name: "Health",
        namespace: "k6",
        parallelism: 0,
        baseUrl: "gateway:8080",
      }),
    ).toThrow(
      [
        'name = "Health": must be a DNS-1123 label',
        "parallelism = 0: must be between 1 and 100",
        'baseUrl = "gateway:8080": must be an http:// or https:// URL',
      ].join("\n"),
    );
    expect(() => parseTestRunInputs({ name: "x", namespace: "k6", parallelism: 2 })).toThrow(
      "baseUrl = (missing)",
    );
  });
});
