// Reads the stack config the way the Pulumi CLI hands it to the program: Pulumi.yaml defaults
// overlaid with Pulumi.<stack>.yaml, every value a string (lists as JSON). Mocks don't read
// these files, so tests do; the real-server harness feeds the validated result to real servers.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { parseStackConfig, type StackConfig } from "../../lib/config";

export const ROOT = path.resolve(__dirname, "..", "..");
export type StackName = "dev" | "prod";
export const STACKS: readonly StackName[] = ["dev", "prod"];

interface ProjectFile {
  name: string;
  config: Record<
    string,
    { type?: string; default?: unknown; value?: unknown; description?: string }
  >;
}

export function projectFile(): ProjectFile {
  return YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

function asConfigString(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Declared project keys (without the `kgents:` prefix) and their defaults. */
export function declaredDefaults(): Record<string, string> {
  const project = projectFile();
  const out: Record<string, string> = {};
  for (const [key, decl] of Object.entries(project.config)) {
    if (key.includes(":")) continue; // other namespaces, e.g. pulumi:disable-default-providers
    out[key] = asConfigString(decl.default);
  }
  return out;
}

/** The `kgents:*` config of a stack as the CLI passes it: defaults + stack overrides. */
export function stackConfig(stack: StackName): Record<string, string> {
  const project = projectFile();
  const file = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(declaredDefaults())) out[`${project.name}:${k}`] = v;
  for (const [k, v] of Object.entries(file.config ?? {})) out[k] = asConfigString(v);
  return out;
}

/** A stack's config validated by the program's own parser: what the program deploys. */
export function loadStackConfig(stack: StackName): StackConfig {
  return parseStackConfig(stackConfig(stack));
}

/** A stack's config with the `kgents:` prefix removed, before validation: for one-key changes. */
export function stackRaw(stack: StackName): Record<string, string> {
  const prefix = `${projectFile().name}:`;
  return Object.fromEntries(
    Object.entries(stackConfig(stack)).map(([k, v]) => [
      k.startsWith(prefix) ? k.slice(prefix.length) : k,
      v,
    ]),
  );
}
