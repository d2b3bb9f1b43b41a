// Values that cannot be known during `pulumi preview`, and safe reads that surface them.
//
// CrossGuard hands a policy resource properties wrapped in a proxy that throws an
// `UnknownValueError` the moment an unknown value is read. Left alone, that exception makes the
// engine downgrade the whole policy to advisory ("can't run policy during preview"): a mandatory
// policy would silently stop blocking. Every read in this core therefore goes through `read()`,
// which turns that exception (recognised by its name, so this file needs no Pulumi import), a
// value already marked `Unknown`, or one of the caller's marker values (CrossGuard's sentinel
// strings, when the caller hands over the raw properties to skip the proxy's cost) into an
// `Unknown` carrying the resource URN and the property path.
// Checks decide what an unknown means; the policy wrappers decide whether to fail closed.

/** A value that is not known yet (preview), with where it was read. */
export class Unknown {
  constructor(
    /** URN of the resource whose property is unknown. */
    readonly urn: string,
    /** Dotted property path, e.g. `spec.template.metadata.labels`. */
    readonly path: string,
    /** The error CrossGuard raised, kept so a policy can re-raise it unchanged. */
    readonly cause?: unknown,
    /** The marker value found in place of the value, when it was read raw. */
    readonly marker?: string,
  ) {}

  describe(): string {
    return `${this.path} of ${this.urn} is unknown during preview`;
  }
}

export type Maybe<T> = T | Unknown;

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

function isUnknownValueError(e: unknown): boolean {
  return (
    e instanceof Error &&
    (e.name === "UnknownValueError" || e.constructor.name === "UnknownValueError")
  );
}

/**
 * A position in a resource's properties: the value there, its resource URN, and how it was
 * reached. The dotted path is only built when needed (`pathOf`): reads are hot, paths are rare.
 */
export interface Cursor {
  readonly value: unknown;
  readonly urn: string;
  readonly parent?: Cursor | undefined;
  readonly key?: string | number | undefined;
  /** Path of a root cursor, when it does not start at the resource's properties. */
  readonly base?: string | undefined;
  /** String values that stand for "unknown" in raw properties. */
  readonly markers?: ReadonlySet<string> | undefined;
  /**
   * Keys between `parent` and `key`, when one `read` went down several levels at once: the
   * levels in between get no cursor of their own (see `read`).
   */
  readonly via1?: string | number | undefined;
  readonly via2?: string | number | undefined;
  readonly via3?: string | number | undefined;
}

export function cursor(
  urn: string,
  value: unknown,
  base = "",
  markers?: ReadonlySet<string>,
): Cursor {
  return { value, urn, base, markers };
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** Dotted path of a cursor, e.g. `spec.ingress[0].from[1]`. */
export function pathOf(c: Cursor): string {
  if (c.parent === undefined || c.key === undefined) return c.base ?? "";
  let p = pathOf(c.parent);
  if (c.via1 !== undefined) p = join(p, c.via1);
  if (c.via2 !== undefined) p = join(p, c.via2);
  if (c.via3 !== undefined) p = join(p, c.via3);
  return join(p, c.key);
}

/**
 * Reads `key` below `c`. Returns a cursor, or an `Unknown` if the value (or anything on the way)
 * is unknown. A missing value reads as `undefined`, never as unknown.
 */
export function child(c: Cursor, key: string | number): Cursor | Unknown {
  const o = c.value;
  if (o === null || typeof o !== "object") {
    return { value: undefined, urn: c.urn, parent: c, key, markers: c.markers };
  }
  let v: unknown;
  try {
    v = (o as Record<string | number, unknown>)[key];
  } catch (e) {
    if (isUnknownValueError(e)) return new Unknown(c.urn, join(pathOf(c), key), e);
    throw e;
  }
  if (v instanceof Unknown) return v;
  if (typeof v === "string" && c.markers !== undefined && c.markers.has(v)) {
    return new Unknown(c.urn, join(pathOf(c), key), undefined, v);
  }
  return { value: v, urn: c.urn, parent: c, key, markers: c.markers };
}

/**
 * Reads a path of up to four keys below `c` (see `child`). Fixed parameters rather than a rest
 * array: this is the pack's hottest function, called on every property it reads.
 */
export function read(
  c: Cursor,
  k1: string | number,
  k2?: string | number,
  k3?: string | number,
  k4?: string | number,
): Cursor | Unknown {
  if (k2 === undefined) return child(c, k1);
  // Several levels at once: the same reads and answers as child() level by level, but one cursor
  // for the end of the path (its path remembers the keys in between). This is the pack's hottest
  // function, and the cursors in between were most of its garbage.
  const keys = k4 !== undefined ? 4 : k3 !== undefined ? 3 : 2;
  let v: unknown = c.value;
  for (let i = 0; i < keys; i++) {
    if (v === null || typeof v !== "object") {
      v = undefined; // missing on the way: missing at the end, never unknown
      break;
    }
    const k = (i === 0 ? k1 : i === 1 ? k2 : i === 2 ? k3 : k4) as string | number;
    try {
      v = (v as Record<string | number, unknown>)[k];
    } catch (e) {
      if (isUnknownValueError(e)) return new Unknown(c.urn, pathTo(c, [k1, k2, k3, k4], i), e);
      throw e;
    }
    if (v instanceof Unknown) return v;
    if (typeof v === "string" && c.markers !== undefined && c.markers.has(v)) {
      return new Unknown(c.urn, pathTo(c, [k1, k2, k3, k4], i), undefined, v);
    }
  }
  return {
    value: v,
    urn: c.urn,
    parent: c,
    key: (keys === 2 ? k2 : keys === 3 ? k3 : k4) as string | number,
    markers: c.markers,
    via1: k1,
    via2: keys > 2 ? k2 : undefined,
    via3: keys > 3 ? k3 : undefined,
  };
}

/** Items of an array value; `undefined` when missing or not an array. */
export function items(c: Cursor): Maybe<Cursor[]> | undefined {
  if (!Array.isArray(c.value)) return undefined;
  const n = c.value.length;
  const out: Cursor[] = [];
  for (let i = 0; i < n; i++) {
    const it = child(c, i);
    if (it instanceof Unknown) return it;
    out.push(it);
  }
  return out;
}

/** Own keys and values of an object value; `undefined` when missing or not an object. */
export function entries(c: Cursor): Maybe<[string, Cursor][]> | undefined {
  if (c.value === null || typeof c.value !== "object" || Array.isArray(c.value)) return undefined;
  const out: [string, Cursor][] = [];
  for (const k of Object.keys(c.value)) {
    const it = child(c, k);
    if (it instanceof Unknown) return it;
    out.push([k, it]);
  }
  return out;
}

/**
 * The string at a path of up to three keys below `c`, like `str(read(c, ...))` but without a
 * cursor per key: the metadata, selector and port reads of every object go through here.
 */
export function readString(
  c: Cursor,
  k1: string | number,
  k2?: string | number,
  k3?: string | number,
): Maybe<string> | undefined {
  const n = k3 !== undefined ? 3 : k2 !== undefined ? 2 : 1;
  let v: unknown = c.value;
  for (let i = 0; i < n; i++) {
    const k = (i === 0 ? k1 : i === 1 ? k2 : k3) as string | number;
    if (v === null || typeof v !== "object") return undefined;
    try {
      v = (v as Record<string | number, unknown>)[k];
    } catch (e) {
      if (isUnknownValueError(e)) return new Unknown(c.urn, pathTo(c, [k1, k2, k3], i), e);
      throw e;
    }
    if (v instanceof Unknown) return v;
    if (typeof v === "string" && c.markers !== undefined && c.markers.has(v)) {
      return new Unknown(c.urn, pathTo(c, [k1, k2, k3], i), undefined, v);
    }
  }
  return typeof v === "string" ? v : undefined;
}

/** Path of `c` followed by `keys[0..last]`. */
function pathTo(c: Cursor, keys: readonly (string | number | undefined)[], last: number): string {
  let p = pathOf(c);
  for (let i = 0; i <= last; i++) p = join(p, keys[i] as string | number);
  return p;
}

/** A string at `c`, `undefined` if missing or not a string. */
export function str(c: Cursor | Unknown): Maybe<string> | undefined {
  if (c instanceof Unknown) return c;
  return typeof c.value === "string" ? c.value : undefined;
}

/** A string map (labels, annotations) at `c`; `{}` if missing. Any unknown value makes it unknown. */
export function stringMap(c: Cursor | Unknown): Maybe<Record<string, string>> {
  if (c instanceof Unknown) return c;
  const o = c.value;
  if (o === null || typeof o !== "object" || Array.isArray(o)) return {};
  // Read values directly (no cursor per label): label maps are the hottest reads of the pack.
  const out: Record<string, string> = {};
  for (const k of Object.keys(o)) {
    let v: unknown;
    try {
      v = (o as Record<string, unknown>)[k];
    } catch (e) {
      if (isUnknownValueError(e)) return new Unknown(c.urn, join(pathOf(c), k), e);
      throw e;
    }
    if (v instanceof Unknown) return v;
    if (typeof v !== "string") continue;
    if (c.markers !== undefined && c.markers.has(v)) {
      return new Unknown(c.urn, join(pathOf(c), k), undefined, v);
    }
    out[k] = v;
  }
  return out;
}
