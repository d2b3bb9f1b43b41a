// Power loss under the real nats-server: stores on faultfs, which throws away whatever was not
// fsynced when the power goes (as Jepsen's LazyFS). Continuous acknowledged publishing to an
// R3 stream, then the power goes; after the reboot every acknowledged message must be there.
// With the deployed sync_interval (always) nothing acknowledged is lost; with nats-server's
// own default (2m) the same workload loses what it acknowledged, which proves the harness sees
// this class of loss at all.
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, describe, expect, it } from "vitest";
import { NATS_DEFAULT_SYNC_INTERVAL } from "../../lib/config";
import { FaultNatsCluster } from "../harness/fault-cluster";
import {
  checkAcked,
  ContinuousPublisher,
  ensureStream,
  waitStreamCurrent,
} from "../harness/jetstream";
import { sleep } from "../harness/process";

const STREAM = "DURABLE";
const SUBJECT = "durable.>";
/** Acknowledged publishing before the power goes: short, but hundreds of acks either way. */
const PUBLISH_MS = 3_000;

interface Outcome {
  readonly acked: number;
  readonly lost: number;
  readonly messagesAfter: number;
  readonly faultfs: string[];
  readonly bootMs: number;
}

/**
 * Starts a cluster with the given sync_interval, publishes for PUBLISH_MS, cuts the power on
 * `victims` while publishing, boots them and counts acknowledged messages missing.
 */
async function powerLossRun(
  tag: string,
  syncInterval: string,
  victims: readonly number[],
  track: (c: FaultNatsCluster) => void,
): Promise<Outcome> {
  const cluster = await FaultNatsCluster.start({
    tag,
    config: { natsSyncInterval: syncInterval },
  });
  track(cluster);
  const nc = await cluster.connect();
  await ensureStream(nc, STREAM, SUBJECT, 3);
  await waitStreamCurrent(await jetstreamManager(nc), STREAM, 3);
  // The machines have been up a while: what happened before the workload (stream creation)
  // has reached the disk. The test measures the acknowledged publishes alone.
  await cluster.syncAll();
  const pub = new ContinuousPublisher(nc, "durable.msg", {
    prefix: tag,
    maxMs: 60_000,
    timeoutMs: 2_000,
  });
  await sleep(PUBLISH_MS);
  const faultfs = await cluster.powerLoss(victims);
  const figures = await pub.stop();
  const bootMs = await cluster.boot(victims);
  const jsm = await jetstreamManager(nc);
  await waitStreamCurrent(jsm, STREAM, 3, 120_000);
  const check = await checkAcked(nc, STREAM, pub.acks);
  await nc.close();
  return {
    acked: figures.acked,
    lost: check.lost.length,
    messagesAfter: check.messages,
    faultfs,
    bootMs,
  };
}

describe("NATS JetStream under power loss (faultfs)", () => {
  const clusters: FaultNatsCluster[] = [];
  const track = (c: FaultNatsCluster): void => void clusters.push(c);
  afterAll(async () => {
    for (const c of clusters) await c.close();
  });

  it("coordinated power loss of all three servers, sync_interval always: 0 acknowledged lost", async () => {
    const o = await powerLossRun("pl-always", "always", [0, 1, 2], track);
    console.log(
      `[faults] coordinated power loss, sync_interval always: acked ${o.acked}, lost ${o.lost}, stream holds ${o.messagesAfter} after reboot (boot ${o.bootMs} ms); faultfs dropped: ${o.faultfs.join(" | ")}`,
    );
    expect(o.acked).toBeGreaterThan(50);
    expect(o.lost).toBe(0);
  });

  it(`coordinated power loss, nats-server's default sync_interval (${NATS_DEFAULT_SYNC_INTERVAL}): the harness sees acknowledged messages lost`, async () => {
    const o = await powerLossRun("pl-lazy", NATS_DEFAULT_SYNC_INTERVAL, [0, 1, 2], track);
    console.log(
      `[faults] coordinated power loss, sync_interval ${NATS_DEFAULT_SYNC_INTERVAL}: acked ${o.acked}, lost ${o.lost} (${((100 * o.lost) / Math.max(1, o.acked)).toFixed(1)}%), stream holds ${o.messagesAfter} after reboot; faultfs dropped: ${o.faultfs.join(" | ")}`,
    );
    expect(o.acked).toBeGreaterThan(50);
    expect(o.lost).toBeGreaterThan(0);
  });

  it("one server loses power and comes back, sync_interval always: 0 acknowledged lost", async () => {
    const o = await powerLossRun("pl-one", "always", [1], track);
    console.log(
      `[faults] single-server power loss (nats-1), sync_interval always: acked ${o.acked}, lost ${o.lost}, stream holds ${o.messagesAfter} (boot ${o.bootMs} ms); faultfs dropped: ${o.faultfs.join(" | ")}`,
    );
    expect(o.acked).toBeGreaterThan(50);
    expect(o.lost).toBe(0);
  });
});
