// Small helpers shared by the components.
import { createHash } from "node:crypto";

/** Keys of T that are not optional. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/** Drops undefined fields so that spreading over defaults keeps the defaults. */
export function definedOnly<T extends object>(o: T): Pick<T, RequiredKeys<T>> & Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Pick<
    T,
    RequiredKeys<T>
  > &
    Partial<T>;
}

/** Hex SHA-256 of a text, for pod-template annotations that roll pods on config changes. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
