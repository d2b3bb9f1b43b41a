// A stack's validated config, read the way Pulumi hands it to the program: Pulumi.yaml defaults
// overlaid with Pulumi.<stack>.yaml, parsed by the program's own parser (lib/config.ts).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, parseStackConfig, type StackConfig } from "../../lib/config";

export const REPO_ROOT = join(__dirname, "..", "..");

export function loadStackConfig(stack: string): StackConfig {
  const file = join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  if (!/^[a-z0-9-]+$/.test(stack) || !existsSync(file)) {
    throw new Error(`stack = ${JSON.stringify(stack)}: no Pulumi.${stack}.yaml in the repo`);
  }
  const project = parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
    config?: Record<string, { default?: unknown } | undefined>;
  };
  const overrides = parse(readFileSync(file, "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  const raw: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    if (key.includes(":")) continue; // other namespaces (pulumi:...) are not ours
    if (decl && "default" in decl) raw[key] = decl.default;
  }
  for (const [key, value] of Object.entries(overrides?.config ?? {})) {
    if (key.startsWith(`${CONFIG_NAMESPACE}:`)) raw[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
  }
  return parseStackConfig(raw);
}
