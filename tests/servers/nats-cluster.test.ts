// The generated nats.conf on three real nats-server processes: the cluster forms as deployed,
// and the PodDisruptionBudget's promise holds — one server away, JetStream keeps accepting
// writes; two away, writes stop (fail fast, nothing hangs) and nothing acknowledged is lost.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Ack,
  checkAcked,
  ContinuousPublisher,
  ensureStream,
  NatsCluster,
  type NatsConnection,
  PUBLISH_TIMEOUT_MS,
  sleep,
  waitStreamCurrent,
} from "../harness";
import { NATS_CLUSTER_NAME } from "../../lib/nats";

const STREAM = "KGENTS_PDB";
const SUBJECT = "kgents.pdb";

interface Routez {
  server_name: string;
  num_routes: number;
  routes: { remote_name?: string; remote_id: string; account?: string }[];
}
interface Varz {
  server_name: string;
  cluster: { name: string; urls?: string[]; pool_size?: number };
}
interface Jsz {
  meta_cluster?: {
    name: string;
    leader: string;
    cluster_size: number;
    replicas?: { name: string; current: boolean; offline?: boolean }[];
  };
}

let cluster: NatsCluster;
let nc: NatsConnection;
/** Every message acknowledged in this file; all must be in the stream at the end. */
const acked: Ack[] = [];

beforeAll(async () => {
  cluster = await NatsCluster.start({ stack: "dev" });
  nc = await cluster.connect(undefined, { name: "pdb-suite" });
});

afterAll(async () => {
  await nc?.close().catch(() => undefined);
  await cluster?.close();
});

describe("the generated nats.conf forms a JetStream cluster on real servers", () => {
  it("every server lists the 3 route URLs of the routes include and is routed to both peers", async () => {
    const names = cluster.nodes.map((n) => n.name);
    for (const n of cluster.nodes) {
      const varz = await cluster.monitor<Varz>(n.ordinal, "varz");
      expect(varz.server_name).toBe(n.name); // server_name from $SERVER_NAME (the pod name)
      expect(varz.cluster.name).toBe(NATS_CLUSTER_NAME);
      expect(varz.cluster.urls).toHaveLength(3);

      const routez = await cluster.monitor<Routez>(n.ordinal, "routez");
      const peers = names.filter((x) => x !== n.name).sort();
      expect([...new Set(routez.routes.map((r) => r.remote_name))].sort()).toEqual(peers);
      // Per peer: pool_size pooled route connections (3 by default since 2.10) plus one pinned
      // to the system account — 2 peers x 4 = 8 route connections per server.
      const pool = varz.cluster.pool_size ?? 0;
      expect(pool).toBe(3);
      for (const peer of peers) {
        const toPeer = routez.routes.filter((r) => r.remote_name === peer);
        expect(toPeer.filter((r) => r.account === undefined)).toHaveLength(pool);
        expect(toPeer.filter((r) => r.account === "$SYS")).toHaveLength(1);
      }
      expect(routez.num_routes).toBe(2 * (pool + 1));
    }
  });

  it("refuses anonymous clients and wrong passwords; each deployed client user gets in", async () => {
    const url = cluster.clientUrls()[0] as string;
    const refused = (o: Record<string, unknown>): Promise<string> =>
      connect({ servers: url, reconnect: false, timeout: 3_000, ...o }).then(
        async (c: NatsConnection) => {
          await c.close();
          return "connected";
        },
        (e: Error) => e.message,
      );
    expect(await refused({})).toMatch(/Authorization Violation/i);
    expect(await refused({ user: cluster.deployed.clientUsers[0], pass: "wrong" })).toMatch(
      /Authorization Violation/i,
    );
    for (const user of cluster.deployed.clientUsers) {
      const c = await cluster.connect(user, { name: `auth-${user}` });
      await c.flush();
      await c.close();
    }
  });

  it("has one JetStream meta leader that all 3 servers agree on", async () => {
    const metas = await Promise.all(
      cluster.nodes.map((n) => cluster.monitor<Jsz>(n.ordinal, "jsz")),
    );
    const leaders = new Set(metas.map((m) => m.meta_cluster?.leader));
    expect(leaders.size).toBe(1);
    const [leader] = [...leaders];
    expect(cluster.nodes.map((n) => n.name)).toContain(leader);
    for (const m of metas) {
      expect(m.meta_cluster?.name).toBe(NATS_CLUSTER_NAME);
      expect(m.meta_cluster?.cluster_size).toBe(3);
    }
  });

  it("places an R3 file stream on all 3 servers (one leader, two current replicas)", async () => {
    await ensureStream(nc, STREAM, SUBJECT, 3);
    const jsm = await jetstreamManager(nc);
    const info = await waitStreamCurrent(jsm, STREAM, 3);
    const placed = [info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)];
    expect(placed.sort()).toEqual(cluster.nodes.map((n) => n.name).sort());
    expect(info.config.num_replicas).toBe(3);
    expect(info.config.storage).toBe("file");
  });
});

describe("PDB minAvailable 2 of 3 is what keeps JetStream writable", () => {
  it("one server drained (lame duck): writes keep succeeding — why the PDB allows one at a time", async () => {
    const jsm = await jetstreamManager(nc);
    const leader = (await waitStreamCurrent(jsm, STREAM, 3)).cluster?.leader;
    // The hardest single drain: the stream leader's pod.
    const victim = cluster.nodes.find((n) => n.name === leader);
    expect(victim).toBeDefined();
    const pub = new ContinuousPublisher(nc, SUBJECT, { prefix: "one-down", maxMs: 120_000 });
    try {
      const stop = await cluster.lameDuckStop(victim!.ordinal);
      expect(stop.killed).toBe(false);
      // Once the request in flight at the hand-off has settled (a new ack arrived), every
      // publish for 3 s with the server gone must be acknowledged.
      const settled = pub.ackCount;
      for (let i = 0; i < 100 && pub.ackCount === settled; i++) await sleep(100);
      const before = pub.figures();
      await sleep(3_000);
      const during = pub.figures();
      console.log(
        `[one down] ${victim!.name} lame-duck stop ${stop.stopMs} ms; while down: ` +
          `${during.acked - before.acked} acked, ${during.failed - before.failed} failed`,
      );
      expect(during.failed - before.failed).toBe(0);
      expect(during.acked - before.acked).toBeGreaterThan(50);
    } finally {
      const f = await pub.stop();
      acked.push(...pub.acks);
      console.log(
        `[one down] published ${f.published}, acked ${f.acked}, failed ${f.failed}, longest gap ${f.longestGapMs} ms`,
      );
      await cluster.startServer(victim!.ordinal);
    }
    // The lame-duck hand-off of the stream leader can swallow the one request in flight (the
    // client times out and moves on); writes never stall longer than that.
    expect(pub.figures().longestGapMs).toBeLessThan(PUBLISH_TIMEOUT_MS + 1_000);
  });

  it("one server crashed (SIGKILL of the stream leader): writes resume within seconds", async () => {
    const jsm = await jetstreamManager(nc);
    const leader = (await waitStreamCurrent(jsm, STREAM, 3)).cluster?.leader;
    const victim = cluster.nodes.find((n) => n.name === leader)!;
    const pub = new ContinuousPublisher(nc, SUBJECT, {
      prefix: "crash",
      maxMs: 120_000,
      timeoutMs: 2_000,
    });
    try {
      await sleep(500);
      await cluster.kill(victim.ordinal);
      const base = pub.ackCount;
      const t0 = Date.now();
      // Writes resume once the remaining two elect a stream leader.
      for (let i = 0; i < 300 && pub.ackCount < base + 100; i++) await sleep(100);
      const resumedMs = Date.now() - t0;
      console.log(`[crash] ${victim.name} killed; 100 further acks after ${resumedMs} ms`);
      expect(pub.ackCount).toBeGreaterThanOrEqual(base + 100);
      expect(resumedMs).toBeLessThan(20_000);
    } finally {
      const f = await pub.stop();
      acked.push(...pub.acks);
      console.log(
        `[crash] published ${f.published}, acked ${f.acked}, failed ${f.failed}, longest gap ${f.longestGapMs} ms`,
      );
      await cluster.startServer(victim.ordinal);
    }
  });

  it("two servers drained: publishes fail within the client timeout (no hang) — why the PDB never allows two", async () => {
    const jsm = await jetstreamManager(nc);
    await waitStreamCurrent(jsm, STREAM, 3);
    const js = jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS });
    // Two of three gone at once (what a PDB of 2 forbids); ordinal 0 stays.
    const stops = await Promise.all([cluster.lameDuckStop(1), cluster.lameDuckStop(2)]);
    try {
      const outcomes: { ms: number; error: string | undefined }[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = Date.now();
        const error = await js.publish(SUBJECT, `two-down-${i}`, { msgID: `two-down-${i}` }).then(
          () => undefined,
          (e: Error) => `${e.name}: ${e.message}`,
        );
        outcomes.push({ ms: Date.now() - t0, error });
      }
      console.log(
        `[two down] lame-duck stops ${stops.map((s) => `${s.stopMs} ms`).join(", ")}; publishes: ` +
          outcomes.map((o) => `${o.ms} ms ${o.error ?? "ACKED"}`).join(" | "),
      );
      for (const o of outcomes) {
        expect(o.error).toBeDefined();
        expect(o.ms).toBeLessThanOrEqual(PUBLISH_TIMEOUT_MS + 1_000);
      }
    } finally {
      await Promise.all([cluster.startServer(1), cluster.startServer(2)]);
    }
    // Quorum back: writes are accepted again.
    await waitStreamCurrent(jsm, STREAM, 3);
    const pa = await js.publish(SUBJECT, "two-down-recovered", { msgID: "two-down-recovered" });
    acked.push({ id: "two-down-recovered", seq: pa.seq });
  });

  it("after recovery every acknowledged message of this file is in the R3 stream", async () => {
    const jsm = await jetstreamManager(nc);
    await waitStreamCurrent(jsm, STREAM, 3);
    const check = await checkAcked(nc, STREAM, acked);
    console.log(
      `[recovery] acked ${acked.length}, stream messages ${check.messages}, last seq ${check.lastSeq}, lost ${check.lost.length}`,
    );
    expect(acked.length).toBeGreaterThan(100);
    expect(check.lost).toEqual([]);
    expect(check.messages).toBeGreaterThanOrEqual(acked.length);
  });
});
