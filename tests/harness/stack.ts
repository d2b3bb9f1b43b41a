// What the program deploys for a stack, read the way Pulumi would: Pulumi.yaml defaults with
// Pulumi.<stack>.yaml overrides, validated by the program's own parser. The harness feeds the
// program's own conf inputs for that config to the real servers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, parseStackConfig, type StackConfig } from "../../lib/config";
import { REPO_ROOT } from "./binaries";

export type StackName = "dev" | "prod";

export function loadStackConfig(stack: StackName): StackConfig {
  return parseStackConfig(stackRaw(stack));
}

/** The stack's raw config (unprefixed keys), before validation: for one-key changes. */
export function stackRaw(stack: StackName): Record<string, unknown> {
  const project = parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
    config?: Record<string, { default?: unknown } | undefined>;
  };
  const overrides = parse(readFileSync(join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  const raw: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    // Keys with another namespace (e.g. pulumi:disable-default-providers) are not ours.
    if (key.includes(":")) continue;
    if (decl && "default" in decl) raw[key] = decl.default;
  }
  for (const [key, value] of Object.entries(overrides?.config ?? {})) {
    if (key.startsWith(`${CONFIG_NAMESPACE}:`)) raw[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
  }
  return raw;
}
