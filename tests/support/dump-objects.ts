// Prints every Kubernetes object a stack registers, as the unit-test mocks see it (the real
// program, config from the real stack files), as sorted YAML: kinds, then namespaces, then
// names; keys sorted. Values Pulumi holds as secrets are redacted. Diffing two outputs shows
// exactly what a change does to the objects of a stack.
//
//   npm run objects -- dev            (or prod; add an output file to save instead of print)
import * as fs from "node:fs";
import YAML from "yaml";
import { isSecretMarker, type RegisteredResource, runStack } from "./program";
import { STACKS, type StackName } from "./stack-files";

import { REDACTED } from "../../lib/redact";

function redact(v: unknown): unknown {
  if (isSecretMarker(v)) return REDACTED;
  if (Array.isArray(v)) return v.map(redact);
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, redact(o[k])]),
    );
  }
  return v;
}

/** `kubernetes:apps/v1:StatefulSet` → `apps/v1`, `kubernetes:core/v1:Secret` → `v1`. */
function apiVersionOf(type: string): string {
  const [, groupVersion = ""] = type.split(":");
  return groupVersion.replace(/^core\//, "");
}

type Obj = { kind: string; metadata: { name: string; namespace?: string } };
const sortKey = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** The Kubernetes objects of a registration list, as sorted YAML documents. */
export function objectsYaml(resources: readonly RegisteredResource[]): string {
  const objects = resources
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map(
      (r) =>
        redact({
          ...r.rawInputs,
          apiVersion: apiVersionOf(r.type),
          kind: r.type.split(":").pop(),
        }) as Obj,
    )
    .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  return objects.map((o) => YAML.stringify(o)).join("---\n");
}

async function main(): Promise<void> {
  const [stack, out] = process.argv.slice(2);
  if (!STACKS.includes(stack as StackName)) {
    throw new Error(`usage: npm run objects -- <${STACKS.join("|")}> [output file]`);
  }
  const run = await runStack(stack as StackName);
  if (run.error) throw run.error;
  const text = objectsYaml(run.resources);
  if (out) fs.writeFileSync(out, text);
  else process.stdout.write(text);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
