// The CrossGuard driver: runs the pack's stack policies the way the engine does: resources with
// their properties wrapped in the real unknown-checking proxy, the provider's properties
// alongside, config from the policy config, and an `UnknownValueError` escaping a policy turned
// into the engine's advisory "can't run policy during preview" notice. The string `$unknown` (or
// `$unknown:object` / `$unknown:array` / `$unknown:number`) stands for a value not known at
// preview. Shared by the policy tests and the policy benchmark (policy-pack/bench).
import type {
  PolicyProviderResource,
  PolicyResource,
  ResourceValidationArgs,
} from "@pulumi/policy";
import * as proxyModule from "@pulumi/policy/proxy";
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

/** Resource options as the engine passes them for a resource that sets none. */
export const NO_OPTS: PolicyResource["opts"] = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/**
 * One resource as CrossGuard passes it to validateStack. Every resource has a Kubernetes provider
 * (the engine gives every custom resource one, default or explicit) unless it is a component.
 */
export function policyResource(r: TestResource): PolicyResource {
  const out: PolicyResource = {
    type: r.type,
    urn: r.urn ?? urnOf(r.type, r.name),
    name: r.name,
    props: unknownCheckingProxy(withUnknowns(r.props)) as Record<string, unknown>,
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
}

/** Builds what CrossGuard passes to validateStack; URNs must be distinct. */
export function toPolicyResources(rs: readonly TestResource[]): PolicyResource[] {
  const urns = new Set<string>();
  const out = rs.map((r) => {
    const pr = policyResource(r);
    if (urns.has(pr.urn))
      throw new Error(`duplicate URN ${pr.urn}: give the resource a distinct pulumi name`);
    urns.add(pr.urn);
    return pr;
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
  // Already built (the benchmark builds once, outside its timed loop) or described by a test.
  const built = resources.length > 0 && typeof (resources[0] as PolicyResource).opts === "object";
  const prs = built
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
