// Small helpers shared by the components.
import { createHash } from "node:crypto";

/** Drops undefined fields so that spreading over defaults keeps the defaults. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Hex SHA-256 of a text, for pod-template annotations that roll pods on config changes. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
