// Runs the real program (index.ts), or any code that creates resources (one component alone),
// under Pulumi mocks and records every registration exactly as the engine would see it: URN,
// type, name, parent, provider, options, and the raw inputs with their secret markers, so tests
// can check which values travel as secrets. Works under vitest and from a plain tsx script.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { type StackName, stackConfig } from "./stack-files";

/** Pulumi's marker for a secret value in serialized properties. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SPECIAL_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface RegisteredResource {
  type: string;
  name: string;
  urn: string;
  /** Inputs with secrets unwrapped (what the provider receives). */
  inputs: Record<string, unknown>;
  /** Inputs as serialized, secrets still wrapped in Pulumi's marker objects. */
  rawInputs: Record<string, unknown>;
  provider?: string;
  parent?: string;
  custom: boolean;
  /** Resource options the engine received. */
  protect: boolean;
  customTimeouts?: { create: string; update: string; delete: string };
}

export interface ProgramRun {
  resources: RegisteredResource[];
  outputs: Record<string, unknown>;
  /** Which outputs are secrets. */
  secretOutputs: string[];
  error?: Error;
}

/** Value the mocks give each RandomSecret: tests look for it in plain inputs. */
export const mockSecretValue = (name: string) => `mocksecret${name.replace(/[^A-Za-z0-9]/g, "")}`;

let captured: RegisteredResource[] = [];

interface MonitorReq {
  getType(): string;
  getName(): string;
  getObject(): { toJavaScript(): Record<string, unknown> };
  getProvider(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getCustomtimeouts():
    { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
type Callback = (err: unknown, resp?: { getUrn(): string }) => void;
const proto = MockMonitor.prototype as unknown as {
  registerResource(req: MonitorReq, cb: Callback): Promise<void>;
  __kgentsPatched?: boolean;
};
if (!proto.__kgentsPatched) {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with .call below
  const original = proto.registerResource;
  proto.registerResource = function (this: unknown, req: MonitorReq, cb: Callback) {
    const raw = req.getObject().toJavaScript();
    return original.call(this, req, (err, resp) => {
      if (!err && resp) {
        captured.push({
          type: req.getType(),
          name: req.getName(),
          urn: resp.getUrn(),
          inputs: unwrapSecrets(raw) as Record<string, unknown>,
          rawInputs: raw,
          provider: req.getProvider() || undefined,
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          protect: req.getProtect(),
          customTimeouts: timeoutsOf(req),
        });
      }
      cb(err, resp);
    });
  };
  proto.__kgentsPatched = true;
}

function timeoutsOf(req: MonitorReq): RegisteredResource["customTimeouts"] {
  const t = req.getCustomtimeouts();
  if (!t || (!t.getCreate() && !t.getUpdate() && !t.getDelete())) return undefined;
  return { create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() };
}

export function isSecretMarker(v: unknown): v is { value: unknown } {
  return (
    typeof v === "object" &&
    v !== null &&
    (v as Record<string, unknown>)[SECRET_SIG] === SPECIAL_SIG
  );
}

export function unwrapSecrets(v: unknown): unknown {
  if (isSecretMarker(v)) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

/** Every string reachable in a value without passing through a secret marker. */
export function plainStrings(v: unknown, out: string[] = []): string[] {
  if (isSecretMarker(v)) return out;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => plainStrings(x, out));
  else if (typeof v === "object" && v !== null)
    Object.values(v).forEach((x) => plainStrings(x, out));
  return out;
}

function settle(o: unknown): Promise<{ value: unknown; secret: boolean }> {
  return new Promise((resolve) => {
    const out = pulumi.output(o) as pulumi.Output<unknown>;
    void pulumi.isSecret(out).then((secret) => {
      out.apply((value) => resolve({ value, secret }));
    });
  });
}

let programRuns = 0;

/** Forgets the program's modules, so the next import runs it again (under new mocks). */
async function resetModules(): Promise<void> {
  programRuns += 1;
  if (process.env.VITEST) {
    const { vi } = await import("vitest");
    vi.resetModules();
  } else if (programRuns > 1) {
    // Outside vitest the module cache cannot be reset: a second import would register nothing.
    throw new Error("outside vitest the program runs once per process");
  }
}

async function setMocks(stack: StackName, config: Record<string, string>, preview: boolean) {
  captured = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
        if (args.type.startsWith("pulumi-nodejs:dynamic")) state.value = mockSecretValue(args.name);
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return { ...(args.inputs as Record<string, unknown>) };
      },
    },
    "kgents",
    stack,
    preview,
  );
  pulumi.runtime.setAllConfig(config);
}

/** Settles the given outputs and every pending registration. */
async function finish(exports: Record<string, unknown>): Promise<ProgramRun> {
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [k, v] of Object.entries(exports)) {
    const s = await settle(v);
    outputs[k] = s.value;
    if (s.secret) secretOutputs.push(k);
  }
  const { waitForRPCs } = (await import("@pulumi/pulumi/runtime/settings")) as unknown as {
    waitForRPCs: () => Promise<void>;
  };
  await waitForRPCs();
  return { resources: [...captured], outputs, secretOutputs };
}

/**
 * Runs index.ts under mocks with the given raw config (`kgents:*` keys as the CLI passes them).
 * A program that throws (e.g. invalid config) returns the error and what it registered so far.
 */
export async function runWithConfig(
  stack: StackName,
  config: Record<string, string>,
  opts: { preview?: boolean } = {},
): Promise<ProgramRun> {
  await setMocks(stack, config, opts.preview ?? false);
  await resetModules();
  let mod: Record<string, unknown>;
  try {
    mod = await import("../../index");
  } catch (e) {
    return { resources: [...captured], outputs: {}, secretOutputs: [], error: e as Error };
  }
  return finish(mod);
}

/**
 * Runs `create` under mocks (no stack config) and returns what it registered; `create` returns
 * the outputs to settle, e.g. a component's public fields.
 */
export async function runUnderMocks(
  create: () => Record<string, unknown>,
  opts: { stack?: StackName; preview?: boolean } = {},
): Promise<ProgramRun> {
  await setMocks(opts.stack ?? "dev", {}, opts.preview ?? false);
  return finish(create());
}

/** Runs index.ts under mocks with the config of Pulumi.<stack>.yaml (+ overrides). */
export function runStack(
  stack: StackName,
  overrides: Record<string, string> = {},
): Promise<ProgramRun> {
  return runWithConfig(stack, { ...stackConfig(stack), ...overrides });
}

/** The registered resources of a stack (the API the policy tests use). */
export async function runProgram(stack: StackName): Promise<RegisteredResource[]> {
  const run = await runStack(stack);
  if (run.error) throw run.error;
  return run.resources;
}

/** `type::name` of each registration, and its parent's `type::name` (for component tests). */
export function tree(resources: readonly RegisteredResource[]): string[] {
  const short = (urn: string | undefined) => {
    if (!urn) return "";
    const [, , typePath = "", name = ""] = urn.split("::");
    return `${typePath.split("$").pop()}::${name}`;
  };
  return resources.map((r) => `${short(r.urn)} <- ${short(r.parent)}`);
}

/** The Kubernetes object a registration creates: `Kind/namespace/name`. */
export function objectKey(r: RegisteredResource): string {
  const m = (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };
  return `${r.type.split(":").pop()}/${m.namespace ?? ""}/${m.name ?? ""}`;
}

/**
 * The children of the one top-level component of a run, as `type::name`, sorted; throws if
 * anything else has no parent or a different one.
 */
export function childrenOfComponent(resources: readonly RegisteredResource[]): string[] {
  const rows = tree(resources);
  const roots = rows.filter((r) => r.endsWith(" <- "));
  if (roots.length !== 1) throw new Error(`expected one component, got: ${roots.join(", ")}`);
  const component = (roots[0] as string).replace(/ <- $/, "");
  const strays = rows.filter((r) => r !== roots[0] && !r.endsWith(` <- ${component}`));
  if (strays.length) throw new Error(`not children of ${component}: ${strays.join(", ")}`);
  return rows
    .filter((r) => r !== roots[0])
    .map((r) => r.replace(/ <- .*$/, ""))
    .sort();
}

/** `name: value` of every mock secret value found in a plain (non-secret) input. */
export function plainSecretLeaks(resources: readonly RegisteredResource[]): string[] {
  return resources.flatMap((r) =>
    plainStrings(r.rawInputs)
      .filter((s) => s.includes("mocksecret"))
      .map((s) => `${r.name}: ${s}`),
  );
}

/** `Kind/namespace/name` of every Kubernetes object registered, sorted. */
export function kubernetesObjects(resources: readonly RegisteredResource[]): string[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map(objectKey)
    .sort();
}
