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
  Severity,
  StackValidationPolicy,
} from "@pulumi/policy";
import * as proxyModule from "@pulumi/policy/proxy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import {
  type Finding,
  StackIndex,
  classify,
  type StackResource,
  Unknown,
  cursor,
  read,
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
  readonly check: (index: StackIndex, config: C) => Finding[];
}

/** A CrossGuard stack policy, plus the resolved config schema for docs and tests. */
export type PackPolicy = StackValidationPolicy & { readonly configSchema: PolicyConfigSchema };

const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";

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

/** Adapts a CrossGuard resource; reads the provider's default namespace when there is one. */
export function toStackResource(r: PolicyResource): StackResource {
  const props = rawProps(r.props);
  const base: StackResource =
    props === r.props
      ? { type: r.type, urn: r.urn, name: r.name, props }
      : { type: r.type, urn: r.urn, name: r.name, props, unknownMarkers: MARKERS };
  const p = r.provider;
  if (!p || p.type !== KUBERNETES_PROVIDER) return base;
  const pp = rawProps(p.props);
  const ns = str(read(cursor(p.urn, pp, "", pp === p.props ? undefined : MARKERS), "namespace"));
  return ns === undefined ? base : { ...base, providerNamespace: ns };
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
    validateStack: (args, reportViolation) => {
      const config = { ...defaults, ...args.getConfig<Record<string, unknown>>() } as unknown as C;
      // Only the kinds the checks read are adapted; the rest of the stack is skipped here.
      const index = new StackIndex(
        args.resources.filter((r) => classify(r.type) !== undefined).map(toStackResource),
      );
      const deferred: Unknown[] = [];
      for (const f of def.check(index, config)) {
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
    },
  };
}
