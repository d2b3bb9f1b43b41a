// Rendered manifests are meant for review (pull requests, linters, the connectivity report): no
// Secret value may reach them. Secrets are kept, so the rendered set is every object of the stack,
// but each value is replaced by a fixed placeholder (base64 in `data`, so the object still passes
// schema validation). Pure: takes and returns parsed objects.

/** Placeholder for a redacted `stringData` value. */
export const REDACTED = "<redacted>";
/** The same placeholder as a `data` value (base64, as the API requires). */
export const REDACTED_B64 = Buffer.from(REDACTED).toString("base64");

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const blank = (m: unknown, value: string): unknown =>
  isObj(m) ? Object.fromEntries(Object.keys(m).map((k) => [k, value])) : m;

/** Returns the object with every Secret value replaced; other objects are returned unchanged. */
export function redactSecrets(obj: unknown): unknown {
  if (!isObj(obj) || obj.kind !== "Secret") return obj;
  const out: Obj = { ...obj };
  if ("data" in out) out.data = blank(out.data, REDACTED_B64);
  if ("stringData" in out) out.stringData = blank(out.stringData, REDACTED);
  // The last-applied annotation would carry the values again.
  if (isObj(out.metadata) && isObj(out.metadata.annotations)) {
    const annotations = { ...out.metadata.annotations };
    delete annotations["kubectl.kubernetes.io/last-applied-configuration"];
    out.metadata = { ...out.metadata, annotations };
  }
  return out;
}
