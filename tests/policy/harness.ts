// Runs the pack's stack policies the way the CrossGuard engine does: resources with their
// properties wrapped in the real unknown-checking proxy, the provider's properties alongside,
// config from the policy config, and an `UnknownValueError` escaping a policy turned into the
// engine's advisory "can't run policy during preview" notice. Fixtures are Kubernetes manifests
// in YAML; the string `$unknown` (or `$unknown:object` / `$unknown:array` / `$unknown:number`)
// stands for a value not known at preview.
import * as fs from "node:fs";
import * as path from "node:path";
import type {
  PolicyProviderResource,
  PolicyResource,
  ResourceValidationArgs,
} from "@pulumi/policy";
import * as proxyModule from "@pulumi/policy/proxy";
import YAML from "yaml";
import { policies } from "../../policy-pack/policies";
import type { PackPolicy } from "../../policy-pack/support/define";

// The proxy and sentinels are @internal in @pulumi/policy's typings but are what the engine uses.
const {
  UnknownValueError,
  unknownArrayValue,
  unknownCheckingProxy,
  unknownNumberValue,
  unknownObjectValue,
  unknownStringValue,
} = proxyModule as unknown as {
  UnknownValueError: new (...args: never[]) => Error;
  unknownCheckingProxy: <T>(v: T) => T;
  unknownStringValue: string;
  unknownObjectValue: string;
  unknownArrayValue: string;
  unknownNumberValue: string;
};

export const FIXTURES = path.join(__dirname, "fixtures");
export const URN_PREFIX = "urn:pulumi:test::fixture::";

const SENTINELS: Record<string, string> = {
  $unknown: unknownStringValue,
  "$unknown:object": unknownObjectValue,
  "$unknown:array": unknownArrayValue,
  "$unknown:number": unknownNumberValue,
};

/** Replaces `$unknown` markers by CrossGuard's unknown sentinels. */
export function withUnknowns(v: unknown): unknown {
  if (typeof v === "string") return SENTINELS[v] ?? v;
  if (Array.isArray(v)) return v.map(withUnknowns);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withUnknowns(x)]));
  }
  return v;
}

/** A resource as a test describes it. */
export interface TestResource {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  readonly urn?: string;
  /** Properties of the resource's Kubernetes provider (e.g. `{ namespace: "apps" }`). */
  readonly provider?: Record<string, unknown>;
  /** Pulumi name of the provider; `default` unless `provider` is given (then `k8s`). */
  readonly providerName?: string;
  /** A ComponentResource: registered without a provider. */
  readonly component?: boolean;
  /** Pulumi name of the parent resource (in the same list). */
  readonly parent?: string;
  /** Pulumi names of resources its properties were computed from (in the same list). */
  readonly dependsOn?: readonly string[];
}

export interface Violation {
  readonly policy: string;
  readonly urn: string;
  readonly message: string;
  readonly enforcementLevel: string;
}

export function urnOf(type: string, name: string): string {
  return `${URN_PREFIX}${type}::${name}`;
}

const NO_OPTS: PolicyResource["opts"] = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/**
 * Builds what CrossGuard passes to validateStack. Every resource has a Kubernetes provider (the
 * engine gives every custom resource one, default or explicit) unless it is a component.
 */
export function toPolicyResources(rs: readonly TestResource[]): PolicyResource[] {
  const urns = new Set<string>();
  const out = rs.map((r) => {
    const urn = r.urn ?? urnOf(r.type, r.name);
    if (urns.has(urn))
      throw new Error(`duplicate URN ${urn}: give the resource a distinct pulumi name`);
    urns.add(urn);
    const props = unknownCheckingProxy(withUnknowns(r.props)) as Record<string, unknown>;
    const out: PolicyResource = {
      type: r.type,
      urn,
      name: r.name,
      props,
      opts: NO_OPTS,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
    if (!r.component) {
      const name = r.providerName ?? (r.provider ? "k8s" : "default");
      const provider: PolicyProviderResource = {
        type: "pulumi:providers:kubernetes",
        urn: urnOf("pulumi:providers:kubernetes", name),
        name,
        props: unknownCheckingProxy(withUnknowns(r.provider ?? {})) as Record<string, unknown>,
      };
      out.provider = provider;
    }
    return out;
  });
  const byName = (name: string, what: string): PolicyResource => {
    const found = out[rs.findIndex((x) => x.name === name)];
    if (!found) throw new Error(`no ${what} ${name} in the case`);
    return found;
  };
  rs.forEach((r, i) => {
    const me = out[i] as { parent?: PolicyResource; dependencies: PolicyResource[] };
    if (r.parent) me.parent = byName(r.parent, "parent");
    if (r.dependsOn) me.dependencies = r.dependsOn.map((d) => byName(d, "dependency"));
  });
  return out;
}

export interface RunResult {
  readonly violations: Violation[];
  /** The engine's advisory notice when a policy let an unknown value escape. */
  readonly cantRun: string[];
}

function levelOf(p: PackPolicy, config: Record<string, unknown>): string {
  const c = config.enforcementLevel;
  return typeof c === "string" ? c : (p.enforcementLevel ?? "advisory");
}

/** Runs one policy over the resources (as CrossGuard's analyzeStack does). */
export async function runPolicy(
  policy: PackPolicy,
  resources: readonly TestResource[] | PolicyResource[],
  config: Record<string, unknown> = {},
): Promise<RunResult> {
  const prs = (resources as readonly unknown[]).every(
    (r) => typeof (r as PolicyResource).opts === "object",
  )
    ? (resources as PolicyResource[])
    : toPolicyResources(resources as readonly TestResource[]);
  const violations: Violation[] = [];
  const cantRun: string[] = [];
  const rest = { ...config };
  delete rest.enforcementLevel;
  const report = (message: string, urn?: string) => {
    violations.push({
      policy: policy.name,
      urn: urn ?? "",
      message,
      enforcementLevel: levelOf(policy, config),
    });
  };
  // As the engine does: each resource through the resource policy, then the stack policy.
  if (policy.validateResource) {
    const validate = policy.validateResource as (
      args: ResourceValidationArgs,
      report: (m: string, u?: string) => void,
    ) => Promise<void> | void;
    for (const r of prs) {
      try {
        await validate(
          {
            type: r.type,
            props: r.props,
            urn: r.urn,
            name: r.name,
            opts: r.opts,
            ...(r.provider ? { provider: r.provider } : {}),
            stackTags: new Map(),
            isType: () => false,
            asType: () => undefined,
            getConfig: <T extends object>() => rest as T,
            notApplicable: (reason?: string) => {
              throw new Error(`not applicable: ${reason ?? ""}`);
            },
          } as ResourceValidationArgs,
          (m, u) => report(m, u ?? r.urn),
        );
      } catch (e) {
        if (e instanceof UnknownValueError) {
          cantRun.push(`can't run policy '${policy.name}' during preview: ${e.message}`);
        } else throw e;
      }
    }
  }
  try {
    await policy.validateStack(
      {
        resources: prs,
        stackTags: new Map(),
        getConfig: <T extends object>() => rest as T,
        notApplicable: (reason?: string) => {
          throw new Error(`not applicable: ${reason ?? ""}`);
        },
      },
      report,
    );
  } catch (e) {
    if (e instanceof UnknownValueError) {
      cantRun.push(`can't run policy '${policy.name}' during preview: ${e.message}`);
    } else throw e;
  }
  return { violations, cantRun };
}

/** Runs every policy of the pack; config keyed by policy name. */
export async function runPack(
  resources: readonly TestResource[] | PolicyResource[],
  config: Record<string, Record<string, unknown>> = {},
): Promise<RunResult> {
  const violations: Violation[] = [];
  const cantRun: string[] = [];
  for (const p of policies) {
    const r = await runPolicy(p, resources, config[p.name] ?? {});
    violations.push(...r.violations);
    cantRun.push(...r.cantRun);
  }
  return { violations, cantRun };
}

// ---------------------------------------------------------------------------------------------
// YAML fixtures

/** A manifest in a fixture; `pulumi` carries the Pulumi name and provider settings. */
interface FixtureManifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  pulumi?: {
    name?: string;
    provider?: Record<string, unknown>;
    providerName?: string;
    component?: boolean;
    parent?: string;
    dependsOn?: string[];
    /** Pulumi type token, for resources that are not Kubernetes manifests (Helm Release...). */
    type?: string;
  };
  [k: string]: unknown;
}

export interface ExpectedViolation {
  readonly urn: string;
  /** A substring the message must contain. */
  readonly message?: string;
}

export interface FixtureCase {
  readonly name: string;
  /** Where the case comes from (rewritten, not copied). */
  readonly source: string;
  /** The issue-11 class the case covers (see fixtures.test.ts), if any. */
  readonly class?: string;
  readonly config?: Record<string, unknown>;
  /** Manifests; omitted = the fixture's `base` with `patch` applied. */
  readonly resources?: FixtureManifest[];
  /** Edits to `base`: `resource` is the Pulumi name; `set` maps dotted paths to values. */
  readonly patch?: { resource: string; set?: Record<string, unknown>; delete?: string[] }[];
  /** Manifests added to `base`. */
  readonly add?: FixtureManifest[];
  /** Pulumi names removed from `base`. */
  readonly remove?: string[];
  readonly expect: ExpectedViolation[];
  /** Expect CrossGuard's "can't run during preview" advisory (unknowns not failing closed). */
  readonly cantRun?: boolean;
}

export interface Fixture {
  readonly file: string;
  readonly policy: string;
  readonly sources: string[];
  readonly base?: FixtureManifest[];
  readonly cases: FixtureCase[];
}

export function tokenOf(m: FixtureManifest): string {
  const [group, version] = m.apiVersion.includes("/")
    ? m.apiVersion.split("/")
    : ["core", m.apiVersion];
  return `kubernetes:${group}/${version}:${m.kind}`;
}

function pulumiName(m: FixtureManifest): string {
  const n = m.pulumi?.name ?? m.metadata?.name;
  if (!n) throw new Error(`manifest ${m.kind} needs metadata.name or pulumi.name`);
  return n;
}

export function manifestToResource(m: FixtureManifest): TestResource {
  const { pulumi, ...props } = m;
  return {
    type: pulumi?.type ?? tokenOf(m),
    name: pulumiName(m),
    props,
    ...(pulumi?.provider ? { provider: pulumi.provider } : {}),
    ...(pulumi?.providerName ? { providerName: pulumi.providerName } : {}),
    ...(pulumi?.component ? { component: true } : {}),
    ...(pulumi?.parent ? { parent: pulumi.parent } : {}),
    ...(pulumi?.dependsOn ? { dependsOn: pulumi.dependsOn } : {}),
  };
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown, del = false): void {
  const keys = dotted.split(".");
  let cur: Record<string, unknown> = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== "object" || next === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] as string;
  if (del) delete cur[last];
  else cur[last] = value;
}

export function caseResources(f: Fixture, c: FixtureCase): TestResource[] {
  if (c.resources) return c.resources.map(manifestToResource);
  if (!f.base)
    throw new Error(`${f.file}: case "${c.name}" has no resources and the fixture no base`);
  // Pulumi names are fixed before patching, so a patch may change metadata.name.
  let ms: FixtureManifest[] = structuredClone(f.base).map((m) => ({
    ...m,
    pulumi: { ...m.pulumi, name: pulumiName(m) },
  }));
  for (const name of c.remove ?? []) {
    if (!ms.some((m) => pulumiName(m) === name))
      throw new Error(`${c.name}: no base resource ${name}`);
    ms = ms.filter((m) => pulumiName(m) !== name);
  }
  for (const p of c.patch ?? []) {
    const m = ms.find((x) => pulumiName(x) === p.resource);
    if (!m) throw new Error(`${c.name}: patch names no base resource ${p.resource}`);
    for (const [k, v] of Object.entries(p.set ?? {})) setPath(m, k, v);
    for (const k of p.delete ?? []) setPath(m, k, undefined, true);
  }
  ms.push(...structuredClone(c.add ?? []));
  return ms.map(manifestToResource);
}

export function loadFixtures(): Fixture[] {
  return fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const doc = YAML.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as Omit<
        Fixture,
        "file"
      >;
      return { ...doc, file };
    });
}
