// Network namespaces for the partition tests, all on this machine: each server gets its own
// namespace with two links, one into a "cluster" bridge (routes between servers) and one into
// a "client" bridge (clients and monitoring); the bridges live in a namespace of their own,
// and the root namespace (the test process) has a veth into the client bridge. A partition
// takes a server's cluster link down: it is cut off from its peers, but clients can still
// reach it and see what it acknowledges. Names carry this run's pid (`kgf-<pid>-<tag>-…`);
// close(), the process exit hooks and a later run's sweep delete them.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { onCleanup } from "./process";

/** Prefix of every network namespace of this suite; the pid follows. */
export const NETNS_PREFIX = "kgf";

function ip(args: readonly string[]): string {
  try {
    return execFileSync("ip", [...args], { encoding: "utf8", timeout: 10_000, stdio: "pipe" });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(" ")}: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
}

/** Network namespaces of this suite (all runs, or one pid's). */
export function faultsNetns(pid?: number): string[] {
  const tag = pid === undefined ? `${NETNS_PREFIX}-` : `${NETNS_PREFIX}-${pid}-`;
  return ip(["netns", "list"])
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((n) => n.startsWith(tag));
}

function deleteNetns(ns: string): void {
  // Processes left inside (a crashed run's servers) would keep nothing alive but their own
  // sockets; end them, by pid, before the namespace goes.
  let pids: string[] = [];
  try {
    pids = ip(["netns", "pids", ns]).split("\n").filter(Boolean);
  } catch {
    // gone already
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
  try {
    ip(["netns", "del", ns]);
  } catch {
    // gone already
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Deletes namespaces of earlier runs whose process is gone; returns what it deleted. */
export function sweepStaleNetns(): string[] {
  const swept: string[] = [];
  for (const ns of faultsNetns()) {
    const pid = Number(ns.split("-")[1]);
    if (pid && pid !== process.pid && !alive(pid)) {
      deleteNetns(ns);
      swept.push(ns);
    }
  }
  return swept;
}

export interface NetNode {
  /** The node's namespace. */
  readonly netns: string;
  /** Address on the cluster bridge (routes). */
  readonly clusterIp: string;
  /** Address on the client bridge (clients, monitoring), reachable from the test process. */
  readonly clientIp: string;
}

export class NetLab {
  private readonly unregister: () => void;
  private closed = false;

  private constructor(
    readonly bridgeNs: string,
    readonly nodes: readonly NetNode[],
    /** Every namespace this lab made (bridge namespace first). */
    private readonly namespaces: readonly string[],
  ) {
    this.unregister = onCleanup(() => this.destroy());
  }

  /** Creates the bridge namespace and `count` node namespaces, linked as described above. */
  static create(tag: string, count: number): NetLab {
    const id = randomBytes(3).toString("hex");
    const base = `${NETNS_PREFIX}-${process.pid}-${tag}-${id}`;
    const bridgeNs = `${base}-br`;
    // Two random /24s in 10.0.0.0/8 for this run's bridges (parallel runs do not collide).
    const octet = (): number => 1 + ((randomBytes(1)[0] as number) % 250);
    const [a, b] = [octet(), octet()];
    const clusterNet = `10.${a}.${b}`;
    const clientNet = `10.${a}.${(b + 1) % 250}`;
    const nodes: NetNode[] = [];
    const namespaces: string[] = [];
    // Deleted bridge first: the root namespace's veth goes with it at once.
    const lab = (): NetLab => new NetLab(bridgeNs, nodes, [bridgeNs, ...namespaces]);
    try {
      ip(["netns", "add", bridgeNs]);
      for (const br of ["brc", "bra"]) {
        ip(["-n", bridgeNs, "link", "add", br, "type", "bridge"]);
        ip(["-n", bridgeNs, "link", "set", br, "up"]);
      }
      ip(["-n", bridgeNs, "link", "set", "lo", "up"]);
      for (let i = 0; i < count; i++) {
        const ns = `${base}-n${i}`;
        ip(["netns", "add", ns]);
        namespaces.push(ns);
        ip(["-n", ns, "link", "set", "lo", "up"]);
        const node = {
          netns: ns,
          clusterIp: `${clusterNet}.${i + 1}`,
          clientIp: `${clientNet}.${i + 1}`,
        };
        for (const [br, dev, addr] of [
          ["brc", "ethc", node.clusterIp],
          ["bra", "etha", node.clientIp],
        ] as const) {
          // Created inside the bridge namespace, then one end moved: no name in the root one.
          const peer = `${dev}${i}`;
          ip([
            "-n",
            bridgeNs,
            "link",
            "add",
            peer,
            "type",
            "veth",
            "peer",
            "name",
            dev,
            "netns",
            ns,
          ]);
          ip(["-n", bridgeNs, "link", "set", peer, "master", br, "up"]);
          ip(["-n", ns, "addr", "add", `${addr}/24`, "dev", dev]);
          ip(["-n", ns, "link", "set", dev, "up"]);
        }
        nodes.push(node);
      }
      // The test process's way in: a veth from the root namespace into the client bridge.
      const host = `kgf${id}h`;
      ip([
        "-n",
        bridgeNs,
        "link",
        "add",
        "host",
        "type",
        "veth",
        "peer",
        "name",
        host,
        "netns",
        String(process.pid),
      ]);
      ip(["-n", bridgeNs, "link", "set", "host", "master", "bra", "up"]);
      ip(["addr", "add", `${clientNet}.254/24`, "dev", host]);
      ip(["link", "set", host, "up"]);
    } catch (e) {
      lab().destroy();
      throw e;
    }
    return lab();
  }

  node(i: number): NetNode {
    const n = this.nodes[i];
    if (!n) throw new Error(`no node ${i}`);
    return n;
  }

  /**
   * Command and argv prefix that run a program in node i's network namespace: nsenter, which
   * execs it (same pid) and, unlike `ip netns exec`, keeps the root mount namespace (a private
   * copy of the faultfs mounts would keep them alive after they are unmounted).
   */
  exec(i: number): [string, ...string[]] {
    return ["nsenter", `--net=/run/netns/${this.node(i).netns}`, "--"];
  }

  /** Cuts node i off from its peers (its cluster link down); clients still reach it. */
  partition(i: number): void {
    ip(["-n", this.bridgeNs, "link", "set", `ethc${i}`, "down"]);
  }

  heal(i: number): void {
    ip(["-n", this.bridgeNs, "link", "set", `ethc${i}`, "up"]);
  }

  /**
   * Deletes every namespace (their links go with them), in one `ip -batch` call: from an exit
   * hook it must finish within the grace a test runner gives (vitest: 500 ms, then SIGKILL).
   * Our servers inside are dead by then (the hooks kill processes first). Safe to call twice.
   */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      execFileSync("ip", ["-force", "-batch", "-"], {
        input: this.namespaces.map((ns) => `netns del ${ns}\n`).join(""),
        stdio: ["pipe", "ignore", "ignore"],
        timeout: 10_000,
      });
    } catch {
      // -force went on past any namespace already gone; a later sweep takes what is left
    }
    this.unregister?.();
  }
}
