// Kubernetes objects as the connectivity analysis reads them (rendered YAML, fixtures or a live
// cluster), and their adapter to the policy pack's analysis core, which reads resources by
// Pulumi type token: `networking.k8s.io/v1` + `NetworkPolicy` -> `kubernetes:networking.k8s.io/v1:NetworkPolicy`.
import type { StackResource } from "../../policy-pack/analysis";

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly [key: string]: unknown;
}

/** Checks the fields every object needs; names the offending document and field. */
export function asKubeObject(doc: unknown, where: string): KubeObject {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new Error(`${where}: a Kubernetes object must be a mapping, got ${JSON.stringify(doc)}`);
  }
  const o = doc as Record<string, unknown>;
  for (const key of ["apiVersion", "kind"]) {
    if (typeof o[key] !== "string" || o[key] === "") {
      throw new Error(`${where}: ${key} = ${JSON.stringify(o[key])}: must be a non-empty string`);
    }
  }
  const meta = o.metadata as Record<string, unknown> | undefined;
  if (typeof meta?.name !== "string" || meta.name === "") {
    throw new Error(
      `${where}: metadata.name = ${JSON.stringify(meta?.name)}: must be a non-empty string`,
    );
  }
  return o as unknown as KubeObject;
}

/** Pulumi type token of an object, e.g. `kubernetes:apps/v1:StatefulSet`. */
export function typeToken(o: KubeObject): string {
  const gv = o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`;
  return `kubernetes:${gv}:${o.kind}`;
}

/** The object as the policy pack's core sees a stack resource. */
export function toStackResource(o: KubeObject): StackResource {
  const ns = o.metadata.namespace ?? "default";
  const urn = `k8s:${o.kind}:${o.metadata.namespace ? `${ns}/` : ""}${o.metadata.name}`;
  return { type: typeToken(o), urn, name: o.metadata.name, props: o };
}

/** `namespace/name` (or `name` for cluster-scoped objects). */
export function objectId(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}
