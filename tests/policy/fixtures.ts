// Policy fixtures: Kubernetes manifests in YAML, one file per policy, each case a valid base
// changed in one field, with the violations the policy must report (see fixtures/).
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import type { TestResource } from "../support/crossguard";

export const FIXTURES = path.join(__dirname, "fixtures");

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
