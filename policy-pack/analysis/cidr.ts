// IP address sets for NetworkPolicy ipBlocks: CIDRs parsed as the API server's Go net.ParseCIDR
// reads them (IPv4 dotted quads, IPv6 with `::` and an embedded IPv4 tail), host bits
// normalised (`10.1.2.3/0` is `0.0.0.0/0`), IPv4-mapped IPv6 (`::ffff:0:0/96`) counted as the
// IPv4 addresses it reaches. A peer list is judged by the set its blocks admit: the union of the
// cidrs minus each block's excepts, so `0.0.0.0/1` + `128.0.0.0/1` is every address, however
// it is spelled.
//
// "Open" (see `isOpenAddressSet`): the set admits at least half of the family's public
// addresses. Exact coverage would be bypassed by excepting one address (`0.0.0.0/0 except
// 1.2.3.4/32` is still the internet); a rule written for named external peers never needs a
// sizeable share of the internet.

export type Family = 4 | 6;

/** An inclusive range of addresses of one family. */
export interface Range {
  readonly family: Family;
  readonly start: bigint;
  readonly end: bigint;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function parseV4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) is the last two groups.
  let text = s;
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseV4(tail);
    if (v4 === undefined) return undefined;
    text = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const dbl = text.split("::");
  if (dbl.length > 2) return undefined;
  const groups = (x: string): string[] => (x === "" ? [] : x.split(":"));
  const left = groups(dbl[0] as string);
  const right = dbl.length === 2 ? groups(dbl[1] as string) : [];
  const missing = 8 - left.length - right.length;
  if (dbl.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(dbl.length === 2 ? missing : 0).fill("0"), ...right];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

/** Parses `addr/len`; host bits are cleared. `undefined` when it is not a CIDR. */
export function parseCidr(text: string): Range | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const addr = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  const family: Family = addr.includes(":") ? 6 : 4;
  const bits = BITS[family];
  if (len > bits) return undefined;
  const v = family === 4 ? parseV4(addr) : parseV6(addr);
  if (v === undefined) return undefined;
  const host = (1n << BigInt(bits - len)) - 1n;
  const start = v & ~host & ((1n << BigInt(bits)) - 1n);
  return { family, start, end: start | host };
}

/** Disjoint, sorted ranges per family. */
export class AddressSet {
  private readonly ranges: Record<Family, [bigint, bigint][]> = { 4: [], 6: [] };

  static of(ranges: Iterable<Range>): AddressSet {
    const s = new AddressSet();
    for (const r of ranges) s.add(r);
    return s;
  }

  add(r: Range): void {
    const list = this.ranges[r.family];
    list.push([r.start, r.end]);
    list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: [bigint, bigint][] = [];
    for (const [s, e] of list) {
      const last = merged[merged.length - 1];
      if (last && s <= last[1] + 1n) {
        if (e > last[1]) last[1] = e;
      } else merged.push([s, e]);
    }
    this.ranges[r.family] = merged;
    // IPv4-mapped IPv6 reaches IPv4 addresses: count it there too.
    if (r.family === 6) {
      const lo = 0xffff00000000n;
      const hi = 0xffffffffffffn;
      const s = r.start > lo ? r.start : lo;
      const e = r.end < hi ? r.end : hi;
      if (s <= e) this.add({ family: 4, start: s - lo, end: e - lo });
    }
  }

  /** This set minus `r`. */
  remove(r: Range): void {
    const out: [bigint, bigint][] = [];
    for (const [s, e] of this.ranges[r.family]) {
      if (e < r.start || s > r.end) out.push([s, e]);
      else {
        if (s < r.start) out.push([s, r.start - 1n]);
        if (e > r.end) out.push([r.end + 1n, e]);
      }
    }
    this.ranges[r.family] = out;
  }

  union(o: AddressSet): void {
    for (const f of [4, 6] as const) {
      for (const [start, end] of o.ranges[f]) this.add({ family: f, start, end });
    }
  }

  /** Number of addresses of `family` this set shares with `other`. */
  overlap(other: AddressSet, family: Family): bigint {
    let n = 0n;
    for (const [s, e] of this.ranges[family]) {
      for (const [os, oe] of other.ranges[family]) {
        const lo = s > os ? s : os;
        const hi = e < oe ? e : oe;
        if (lo <= hi) n += hi - lo + 1n;
      }
    }
    return n;
  }

  size(family: Family): bigint {
    return this.ranges[family].reduce((a, [s, e]) => a + (e - s + 1n), 0n);
  }
}

const must = (c: string): Range => {
  const r = parseCidr(c);
  if (!r) throw new Error(`bad built-in CIDR ${c}`);
  return r;
};

/**
 * Public (globally routable) addresses: IPv4 minus the special-purpose ranges of RFC 6890
 * (this network, private, shared CGNAT, loopback, link-local, multicast, reserved); IPv6
 * global unicast 2000::/3.
 */
export const PUBLIC: AddressSet = (() => {
  const s = AddressSet.of([must("0.0.0.0/0"), must("2000::/3")]);
  for (const c of [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
  ]) {
    s.remove(must(c));
  }
  return s;
})();

/** An ipBlock as written. */
export interface IpBlockSpec {
  readonly cidr: string;
  readonly except: readonly string[];
}

/** The addresses a list of ipBlocks admits, and the strings that are not CIDRs. */
export function admitted(blocks: readonly IpBlockSpec[]): { set: AddressSet; invalid: string[] } {
  const set = new AddressSet();
  const invalid: string[] = [];
  for (const b of blocks) {
    const r = parseCidr(b.cidr);
    if (!r) {
      invalid.push(b.cidr);
      continue;
    }
    const one = AddressSet.of([r]);
    for (const e of b.except) {
      const x = parseCidr(e);
      if (!x) invalid.push(e);
      else one.remove(x);
    }
    set.union(one);
  }
  return { set, invalid };
}

/**
 * Why an address set is open (at least half of the public IPv4 or IPv6 addresses), or
 * undefined. The figure is the share of public addresses it admits.
 */
export function isOpenAddressSet(set: AddressSet): string | undefined {
  const open: string[] = [];
  for (const f of [4, 6] as const) {
    const total = PUBLIC.size(f);
    const got = set.overlap(PUBLIC, f);
    if (got * 2n >= total) {
      const pct = Number((got * 10000n) / total) / 100;
      open.push(`${pct}% of the public IPv${f} addresses`);
    }
  }
  return open.length > 0 ? `admits ${open.join(" and ")}` : undefined;
}
