// npm run load:testrun -- --base-url URL [--parallelism N] [--namespace NS] [--name NAME]
//   [--image IMAGE] [--out FILE]
// Renders, as YAML, what k6-operator needs to run load/k6/health-saas.ts inside a cluster when one
// machine cannot generate the load: a ConfigMap holding the script and the shared load spec, and a
// TestRun (k6.io/v1alpha1) with `parallelism` runners. k6 splits the constant arrival rate across
// the runners (execution segments), so the spec's rate is the total. Every pod of the run (initializer,
// starter, runners) gets a restricted security context and a writable /tmp for handleSummary.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { z } from "zod";

const LOAD_DIR = __dirname;
export const SCRIPT_FILE = "health-saas.ts";
export const SPEC_FILE = "spec.json";
/** Where k6-operator mounts the script's ConfigMap in every pod. */
export const MOUNT_DIR = "/test";

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const testRunInputs = z.object({
  name: z
    .string()
    .regex(DNS1123, { error: "must be a DNS-1123 label" })
    .max(50, { error: "must be at most 50 characters (runner pod names add a suffix)" }),
  namespace: z.string().regex(DNS1123, { error: "must be a DNS-1123 label" }),
  parallelism: z
    .number({ error: "must be an integer" })
    .int({ error: "must be an integer" })
    .min(1, { error: "must be between 1 and 100" })
    .max(100, { error: "must be between 1 and 100" }),
  baseUrl: z.string().regex(/^https?:\/\/[^/\s]+/, { error: "must be an http:// or https:// URL" }),
  /** k6 runner image; empty = the operator's default. */
  image: z.string().optional(),
});
export type TestRunInputs = z.infer<typeof testRunInputs>;

export class TestRunInputError extends Error {}

export function parseTestRunInputs(raw: Record<string, unknown>): TestRunInputs {
  const r = testRunInputs.safeParse(raw);
  if (r.success) return r.data;
  throw new TestRunInputError(
    r.error.issues
      .map((i) => {
        const key = String(i.path[0]);
        return `${key} = ${JSON.stringify(raw[key]) ?? "(missing)"}: ${i.message}`;
      })
      .join("\n"),
  );
}

const labels = (name: string): Record<string, string> => ({
  "app.kubernetes.io/name": "k6-health-saas",
  "app.kubernetes.io/instance": name,
  "app.kubernetes.io/component": "load-test",
  "app.kubernetes.io/part-of": "kgents",
  "app.kubernetes.io/managed-by": "kgents-load-testrun",
});

/** Restricted Pod Security for every pod of the run; /tmp is the only writable path. */
function pod(
  o: TestRunInputs,
  env: { name: string; value: string }[],
  k6Image: boolean,
): Record<string, unknown> {
  return {
    // The starter is not a k6 pod (it only tells the runners to start): it keeps its image.
    ...(o.image && k6Image ? { image: o.image } : {}),
    metadata: { labels: labels(o.name) },
    env,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 12345,
      runAsGroup: 12345,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };
}

/** The two objects, in apply order. Pure (unit-tested). */
export function renderTestRun(
  o: TestRunInputs,
  files: { readonly script: string; readonly spec: string },
): Record<string, unknown>[] {
  const configMapName = `${o.name}-script`;
  const env = [
    { name: "BASE_URL", value: o.baseUrl },
    { name: "SPEC_PATH", value: `${MOUNT_DIR}/${SPEC_FILE}` },
    { name: "SUMMARY_DIR", value: "/tmp" },
  ];
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: configMapName, namespace: o.namespace, labels: labels(o.name) },
    data: { [SCRIPT_FILE]: files.script, [SPEC_FILE]: files.spec },
  };
  const testRun = {
    apiVersion: "k6.io/v1alpha1",
    kind: "TestRun",
    metadata: { name: o.name, namespace: o.namespace, labels: labels(o.name) },
    spec: {
      parallelism: o.parallelism,
      script: { configMap: { name: configMapName, file: SCRIPT_FILE } },
      // Each runner prints its share; thresholds are evaluated per runner.
      arguments: `--tag testid=${o.name}`,
      cleanup: "post",
      initializer: pod(o, env, true),
      starter: pod(o, [], false),
      runner: pod(o, env, true),
    },
  };
  return [configMap, testRun];
}

export function renderYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((x) => stringify(x, { lineWidth: 0 })).join("---\n");
}

/** The committed script and spec, as the ConfigMap carries them. */
export function loadFiles(): { script: string; spec: string } {
  return {
    script: readFileSync(join(LOAD_DIR, "k6", SCRIPT_FILE), "utf8"),
    spec: readFileSync(join(LOAD_DIR, SPEC_FILE), "utf8"),
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      "base-url": { type: "string" },
      parallelism: { type: "string", default: "2" },
      namespace: { type: "string", default: "k6" },
      name: { type: "string", default: "health-saas" },
      image: { type: "string" },
      out: { type: "string" },
    },
  });
  const p = values.parallelism;
  const inputs = parseTestRunInputs({
    name: values.name,
    namespace: values.namespace,
    parallelism: /^\d+$/.test(p) ? Number(p) : p,
    baseUrl: values["base-url"],
    ...(values.image ? { image: values.image } : {}),
  });
  const yaml = renderYaml(renderTestRun(inputs, loadFiles()));
  if (values.out) writeFileSync(values.out, yaml);
  else process.stdout.write(yaml);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`load:testrun: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}
