// A network partition under the real nats-server: each server in its own network namespace;
// the partition takes the isolated server's cluster link down, while its clients can still
// reach it. The isolated server (the stream leader when cut off, the hardest case) must
// acknowledge no write to the R3 stream; the majority must keep accepting writes; after the
// heal all three replicas must hold the same messages in the same order, every acknowledged
// message among them at the sequence its ack named.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { afterAll, describe, expect, it } from "vitest";
import { FaultNatsCluster } from "../harness/fault-cluster";
import { ensureStream, readReplica, waitStreamCurrent } from "../harness/jetstream";
import type { NatsConnection } from "../harness/nats-cluster";
import { sleep } from "../harness/process";

const STREAM = "PARTITION";
/** How long the partition lasts: the majority notices the lost leader by missed Raft heartbeats
 * (an election timeout of several seconds), elects a new one and goes on. */
const PARTITION_MS = 15_000;

interface TimedAck {
  readonly id: string;
  readonly seq: number;
  /** When the publish was sent. */
  readonly sentAt: number;
}

/** Publishes one message after another until stopped; records each ack with its send time. */
function publisher(nc: NatsConnection, prefix: string) {
  const js = jetstream(nc, { timeout: 2_000 });
  const acks: TimedAck[] = [];
  let failed = 0;
  let stop = false;
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      const id = `${prefix}-${i}`;
      const sentAt = Date.now();
      try {
        const pa = await js.publish(`partition.${prefix}`, id, { msgID: id });
        acks.push({ id, seq: pa.seq, sentAt });
      } catch {
        failed++;
        await sleep(50);
      }
    }
  })();
  return {
    acks,
    get failed() {
      return failed;
    },
    async stop() {
      stop = true;
      await done;
    },
  };
}

describe("NATS JetStream under a network partition (network namespaces)", () => {
  let cluster: FaultNatsCluster | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it("the isolated server acknowledges nothing, the majority goes on, and after the heal all replicas agree", async () => {
    cluster = await FaultNatsCluster.start({ tag: "part" });
    const admin = await cluster.connect();
    await ensureStream(admin, STREAM, "partition.>", 3);
    const jsm = await jetstreamManager(admin);
    const info = await waitStreamCurrent(jsm, STREAM, 3);
    const leader = cluster.nodes.find((n) => n.name === info.cluster?.leader);
    if (!leader) throw new Error(`stream leader ${info.cluster?.leader} is not one of ours`);
    const isolated = leader.ordinal;
    const others = cluster.nodes.map((n) => n.ordinal).filter((i) => i !== isolated);

    // One client sees only the server to be isolated, one only the majority.
    const minorityNc = await cluster.connect([isolated]);
    const majorityNc = await cluster.connect(others);
    const minority = publisher(minorityNc, "minority");
    const majority = publisher(majorityNc, "majority");
    await sleep(1_500);
    const beforeMinority = minority.acks.length;
    const beforeMajority = majority.acks.length;

    cluster.net.partition(isolated);
    const cutAt = Date.now();
    await sleep(PARTITION_MS);
    cluster.net.heal(isolated);
    const healedAt = Date.now();
    await sleep(1_500);
    await minority.stop();
    await majority.stop();

    const minorityDuring = minority.acks.filter((a) => a.sentAt >= cutAt && a.sentAt < healedAt);
    const majorityDuring = majority.acks.filter((a) => a.sentAt >= cutAt && a.sentAt < healedAt);
    const current = await waitStreamCurrent(jsm, STREAM, 3, 120_000);

    // Every replica, read from its own store.
    const replicas = new Map<string, Map<number, string>>();
    for (const n of cluster.nodes)
      replicas.set(
        n.name,
        await readReplica(admin, STREAM, n.name, { expect: current.state.messages }),
      );
    const reference = replicas.get(cluster.node(0).name) as Map<number, string>;
    const order = (m: Map<number, string>): string =>
      [...m.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, id]) => `${s}:${id}`)
        .join(",");
    const acked = [...minority.acks, ...majority.acks];
    const missing = acked.filter((a) => reference.get(a.seq) !== a.id);

    console.log(
      `[faults] partition isolating ${leader.name} (stream leader) for ${PARTITION_MS} ms: ` +
        `isolated side acked ${minorityDuring.length} during the partition (${minority.failed} publishes failed; ${beforeMinority} acked before), ` +
        `majority acked ${majorityDuring.length} during the partition (${(majorityDuring.length / (PARTITION_MS / 1000)).toFixed(0)}/s; ${beforeMajority} before); ` +
        `after heal leader ${current.cluster?.leader}, replicas hold ${[...replicas.entries()].map(([k, v]) => `${k}=${v.size}`).join(" ")}, ` +
        `${acked.length} acked in all, ${missing.length} missing`,
    );
    expect(minorityDuring).toEqual([]);
    expect(majorityDuring.length).toBeGreaterThan(10);
    expect(beforeMinority).toBeGreaterThan(0); // the isolated side did work before the cut
    for (const [name, m] of replicas) {
      expect(m.size, name).toBe(current.state.messages);
      expect(order(m), name).toBe(order(reference));
    }
    expect(missing).toEqual([]);
    await Promise.all([minorityNc.close(), majorityNc.close(), admin.close()]);
  });
});
