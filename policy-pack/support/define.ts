// Turns a pure check into a CrossGuard stack policy: config defaults, resource adaptation, and
// the unknown-value rule. A finding caused by a value unknown at preview is reported as a
// violation when `failClosedOnUnknown` is true (the default for mandatory policies), so a
// mandatory policy never silently passes; when false, the original CrossGuard error is re-raised
// after the known findings are reported, and CrossGuard shows its own advisory
// "can't run policy during preview" notice.
//
// Speed: reading through CrossGuard's proxy allocates a proxy per object read, which dominated
// validation time on large stacks. When @pulumi/policy exposes the proxy's target and its unknown
// sentinels (it does; they are marked internal), the core reads the raw properties and treats the
// sentinel strings as unknown, which is exactly what the proxy would have thrown on. If a future
// @pulumi/policy lacks them, reads fall back to the proxy, with the same results.
import type {
  EnforcementLevel,
  PolicyComplianceFramework,
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationPolicy,
} from "@pulumi/policy";
import * as proxyModule from "@pulumi/policy/proxy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import {
  type Finding,
  type IndexedKind,
  type Maybe,
  type ResourceClass,
  StackIndex,
  classify,
  type StackResource,
  Unknown,
  cursor,
  read,
  readString,
  str,
} from "../analysis";

/** Settings every policy of the pack accepts. */
export interface CommonConfig {
  readonly failClosedOnUnknown: boolean;
  readonly exemptNamespaces: readonly string[];
}

export interface PolicyDefinition<C extends CommonConfig> {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly severity: Severity;
  readonly framework: PolicyComplianceFramework;
  readonly remediationSteps: string;
  readonly url: string;
  readonly tags: readonly string[];
  /** Policy-specific config properties, each with a description and a default. */
  readonly config: Readonly<Record<string, PolicyConfigJSONSchema>>;
  /** Defaults of the common settings for this policy. */
  readonly defaults: {
    readonly failClosedOnUnknown: boolean;
    readonly exemptNamespaces: readonly string[];
  };
  /** The cross-resource check, run as a stack policy. */
  readonly check: (index: StackIndex, config: C) => Finding[];
  /**
   * The kinds of object `check` reads. Only these are adapted for it (every policy gets its own
   * copy of the whole stack from the engine, so adapting all of it for all seven policies was a
   * large part of their cost); reading another kind throws. Components, patches of a read kind and
   * what the pack cannot read (Helm releases, yaml/v2) are always indexed.
   */
  readonly reads: readonly IndexedKind[];
  /**
   * What one resource shows on its own, run as a resource policy too (before each resource is
   * created, also under `pulumi up --skip-preview`); the index holds that resource only.
   */
  readonly checkResource?: (index: StackIndex, config: C) => Finding[];
  /** The kinds `checkResource` reads; other resources skip the resource policy at once. */
  readonly resourceClasses?: readonly ResourceClass["class"][];
}

/** A CrossGuard stack policy (and resource policy), plus its config schema for docs and tests. */
export type PackPolicy = StackValidationPolicy &
  Partial<Pick<ResourceValidationPolicy, "validateResource">> & {
    readonly configSchema: PolicyConfigSchema;
  };

const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";
const NAMESPACE = "kubernetes:core/v1:Namespace";

const internals = proxyModule as unknown as Partial<{
  getSpecialProxyTarget: string;
  UnknownValueError: new (sentinel: string, props: string[]) => Error;
  unknownBooleanValue: string;
  unknownNumberValue: string;
  unknownStringValue: string;
  unknownArrayValue: string;
  unknownAssetValue: string;
  unknownArchiveValue: string;
  unknownObjectValue: string;
}>;
const SENTINELS = [
  internals.unknownBooleanValue,
  internals.unknownNumberValue,
  internals.unknownStringValue,
  internals.unknownArrayValue,
  internals.unknownAssetValue,
  internals.unknownArchiveValue,
  internals.unknownObjectValue,
];
const MARKERS: ReadonlySet<string> | undefined =
  typeof internals.getSpecialProxyTarget === "string" &&
  typeof internals.UnknownValueError === "function" &&
  SENTINELS.every((s) => typeof s === "string")
    ? new Set(SENTINELS)
    : undefined;

/** The raw properties behind CrossGuard's proxy, or the value itself. */
function rawProps(props: unknown): unknown {
  if (!MARKERS || typeof props !== "object" || props === null) return props;
  const target = (props as Record<string, unknown>)[internals.getSpecialProxyTarget as string];
  return typeof target === "object" && target !== null ? target : props;
}

/** What CrossGuard hands a resource policy or a stack policy, per resource. */
type Resource = Pick<PolicyResource, "type" | "urn" | "name" | "props" | "provider"> &
  Partial<Pick<PolicyResource, "dependencies" | "propertyDependencies">>;

/**
 * Which cluster a provider targets: its kubeconfig, context and cluster settings as written
 * (used only as a key, never printed: a kubeconfig may hold credentials), or its URN when one of
 * them is unknown. Providers that set none of them use the ambient kubeconfig: "".
 */
interface ProviderFacts {
  cluster: string;
  namespace: Maybe<string> | undefined;
}

/**
 * Cluster key and default namespace of a provider. The engine hands every resource its own copy
 * of its provider, so within one stack validation they are kept by provider URN (`seen`): one
 * provider resource has one set of properties in one validation.
 */
function providerOf(
  p: NonNullable<Resource["provider"]>,
  seen?: Map<string, ProviderFacts>,
): ProviderFacts {
  let f = seen?.get(p.urn);
  if (!f) {
    const pp = rawProps(p.props);
    const ns = readString(cursor(p.urn, pp, "", pp === p.props ? undefined : MARKERS), "namespace");
    f = { cluster: clusterKey(p), namespace: ns };
    seen?.set(p.urn, f);
  }
  return f;
}

function clusterKey(p: NonNullable<Resource["provider"]>): string {
  const pp = rawProps(p.props);
  const c = cursor(p.urn, pp, "", pp === p.props ? undefined : MARKERS);
  const parts: string[] = [];
  for (const k of ["kubeconfig", "context", "cluster"]) {
    const v = readString(c, k);
    if (v instanceof Unknown) return p.urn;
    parts.push(v ?? "");
  }
  return parts.every((x) => x === "") ? "" : JSON.stringify(parts);
}

/** URNs of the Kubernetes Namespaces whose metadata.name is unknown (preview). */
export function unknownNamedNamespaces(resources: readonly Resource[]): Set<string> {
  const out = new Set<string>();
  for (const r of resources) {
    if (r.type !== NAMESPACE || !r.provider) continue;
    const pp = rawProps(r.props);
    const name = str(
      read(cursor(r.urn, pp, "", pp === r.props ? undefined : MARKERS), "metadata", "name"),
    );
    if (name instanceof Unknown) out.add(r.urn);
  }
  return out;
}

/**
 * Props with metadata.namespace unknown, when the object's metadata was computed from a
 * Namespace whose name is unknown. The upstream provider's preview (a server-side dry run) drops
 * the unknown namespace and shows the object in `default`: believed, a default-deny computed
 * from an unknown namespace would pass for `default`'s.
 */
function withComputedNamespace(
  r: Resource,
  props: unknown,
  unknownNamed: ReadonlySet<string> | undefined,
): unknown {
  if (!unknownNamed?.size || r.type === NAMESPACE) return props;
  const from = r.propertyDependencies?.["metadata"]?.some((d) => unknownNamed.has(d.urn));
  if (!from || typeof props !== "object" || props === null) return props;
  const p = props as Record<string, unknown>;
  const meta = typeof p["metadata"] === "object" && p["metadata"] !== null ? p["metadata"] : {};
  return {
    ...p,
    metadata: {
      ...meta,
      // With CrossGuard's sentinel as marker, policies that do not fail closed re-raise it as
      // its own UnknownValueError (see unknownError): the engine's "can't run" notice.
      namespace: new Unknown(r.urn, "metadata.namespace", undefined, internals.unknownStringValue),
    },
  };
}

/**
 * Adapts a CrossGuard resource: raw properties, the provider's default namespace and cluster,
 * whether it is a component (no provider), what it was computed from, whether it has children.
 * `unknownNamed`: Namespaces whose name is unknown (see withComputedNamespace).
 */
export function toStackResource(
  r: Resource,
  parents?: ReadonlySet<string>,
  unknownNamed?: ReadonlySet<string>,
  providers?: Map<string, ProviderFacts>,
): StackResource {
  // One object per resource, optional fields set only when present: this runs for every
  // resource of every policy, and allocation dominated its cost.
  const props = withComputedNamespace(r, rawProps(r.props), unknownNamed);
  const out: { -readonly [K in keyof StackResource]: StackResource[K] } = {
    type: r.type,
    urn: r.urn,
    name: r.name,
    props,
  };
  if (props !== r.props && MARKERS) out.unknownMarkers = MARKERS;
  let deps: Set<string> | undefined;
  for (const d of r.dependencies ?? []) (deps ??= new Set()).add(d.urn);
  const pd = r.propertyDependencies;
  if (pd) for (const k in pd) for (const d of pd[k] ?? []) (deps ??= new Set()).add(d.urn);
  if (deps) out.dependsOn = [...deps];
  if (parents?.has(r.urn)) out.hasChildren = true;
  const p = r.provider;
  if (!p) out.component = true;
  else if (p.type === KUBERNETES_PROVIDER) {
    const f = providerOf(p, providers);
    out.cluster = f.cluster;
    out.providerName = p.name;
    if (f.namespace !== undefined) out.providerNamespace = f.namespace;
  }
  return out;
}

/** The stack index of one `validateStack` call (the engine hands each policy its own list). */
function stackIndex(
  resources: readonly PolicyResource[],
  reads: ReadonlySet<IndexedKind>,
): StackIndex {
  const parents = new Set<string>();
  for (const r of resources) if (r.parent) parents.add(r.parent.urn);
  const unknownNamed = unknownNamedNamespaces(resources);
  const providers = new Map<string, ProviderFacts>();
  // Only the kinds the checks read are adapted; the rest of the stack is skipped here.
  const adapted: StackResource[] = [];
  for (const r of resources) {
    const c = classify(r.type);
    if (c === undefined) continue;
    if (c.class !== "Opaque" && r.provider && !reads.has(c.class)) continue;
    adapted.push(toStackResource(r, parents, unknownNamed, providers));
  }
  return new StackIndex(adapted, reads);
}

/** The error CrossGuard itself would have raised on reading the unknown value. */
function unknownError(u: Unknown): Error {
  if (u.cause instanceof Error) return u.cause;
  if (u.marker !== undefined && internals.UnknownValueError) {
    return new internals.UnknownValueError(u.marker, u.path.split("."));
  }
  return new Error(u.describe());
}

function schemaDefaults(
  props: Readonly<Record<string, PolicyConfigJSONSchema>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(props)) if (s.default !== undefined) out[k] = s.default;
  return out;
}

export function definePolicy<C extends CommonConfig>(def: PolicyDefinition<C>): PackPolicy {
  const properties: Record<string, PolicyConfigJSONSchema> = {
    failClosedOnUnknown: {
      type: "boolean",
      default: def.defaults.failClosedOnUnknown,
      description:
        "Report a violation when a value the policy needs is unknown during preview (fail closed). When false, CrossGuard reports the policy as advisory 'can't run during preview' instead.",
    },
    exemptNamespaces: {
      type: "array",
      items: { type: "string" },
      uniqueItems: true,
      default: [...def.defaults.exemptNamespaces],
      description: "Namespaces this policy ignores.",
    },
    ...def.config,
  };
  const defaults = schemaDefaults(properties);
  const reads: ReadonlySet<IndexedKind> = new Set(def.reads);
  return {
    name: def.name,
    description: def.description,
    enforcementLevel: def.enforcementLevel,
    severity: def.severity,
    framework: def.framework,
    remediationSteps: def.remediationSteps,
    url: def.url,
    tags: [...def.tags],
    configSchema: { properties },
    ...(def.checkResource
      ? {
          validateResource: (args: ResourceValidationArgs, reportViolation) => {
            const cls = classify(args.type);
            if (cls === undefined || !(def.resourceClasses ?? [cls.class]).includes(cls.class)) {
              return;
            }
            const config = {
              ...defaults,
              ...args.getConfig<Record<string, unknown>>(),
            } as unknown as C;
            const index = new StackIndex([toStackResource(args)]);
            report(def.checkResource?.(index, config) ?? [], config, reportViolation);
          },
        }
      : {}),
    validateStack: (args, reportViolation) => {
      const config = { ...defaults, ...args.getConfig<Record<string, unknown>>() } as unknown as C;
      report(def.check(stackIndex(args.resources, reads), config), config, reportViolation);
    },
  };

  function report(
    findings: Finding[],
    config: C,
    reportViolation: (message: string, urn?: string) => void,
  ): void {
    const deferred: Unknown[] = [];
    for (const f of findings) {
      if (!f.unknown) reportViolation(f.message, f.urn);
      else if (config.failClosedOnUnknown) {
        reportViolation(
          `${f.message}. Failing closed: this policy does not pass what it cannot see. Make the ` +
            `value known at preview (a literal or stack config, not another resource's output), ` +
            `or set failClosedOnUnknown: false for ${def.name} to have CrossGuard report it as ` +
            `advisory instead.`,
          f.urn,
        );
      } else deferred.push(f.unknown);
    }
    const first = deferred[0];
    if (first) throw unknownError(first);
  }
}
