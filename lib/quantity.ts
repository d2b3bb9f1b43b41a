// Kubernetes resource quantities (the subset this program accepts): parsing to bytes and
// rendering back, so derived limits (GOMEMLIMIT, maxmemory, max_file_store) are exact.

const UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export const MEMORY_QUANTITY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
export const CPU_QUANTITY = /^(\d+(?:\.\d+)?|\d+m)$/;

/** Bytes in a memory/storage quantity such as `512Mi` or `10Gi`; throws on other forms. */
export function parseBytes(quantity: string): number {
  const m = MEMORY_QUANTITY.exec(quantity);
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  return Math.floor(Number(m[1]) * (UNITS[m[2] ?? ""] ?? 1));
}

/** `fraction` of a quantity, rounded down to whole MiB (what NATS/Redis/Go accept). */
export function fractionMiB(quantity: string, fraction: number): number {
  return Math.floor((parseBytes(quantity) * fraction) / 1024 ** 2);
}
