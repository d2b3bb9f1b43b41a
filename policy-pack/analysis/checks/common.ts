// What a check returns, and how objects are named in messages.
import type { NamespacedRef, ObjectRef } from "../resources";
import { type Maybe, Unknown } from "../unknown";

/** A violation against `urn`, or (with `unknown`) a verdict preview values could not settle. */
export interface Finding {
  readonly urn: string;
  readonly message: string;
  /** Set when the finding exists only because a value is unknown during preview. */
  readonly unknown?: Unknown;
}

function show(v: Maybe<string>): string {
  return v instanceof Unknown ? "<unknown>" : v;
}

/** `StatefulSet kgents-agents/nats`, `Namespace kgents-agents`. */
export function describeRef(ref: ObjectRef | NamespacedRef): string {
  if ("namespace" in ref) return `${ref.kind} ${show(ref.namespace)}/${show(ref.name)}`;
  return `${ref.kind} ${show(ref.name)}`;
}

/** `what` is a function so the message is only built when a finding is made. */
export function unknownFinding(urn: string, what: string | (() => string), u: Unknown): Finding {
  const w = typeof what === "string" ? what : what();
  return { urn, message: `cannot verify ${w}: ${u.describe()}`, unknown: u };
}
