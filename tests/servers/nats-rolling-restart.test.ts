// A rolling restart exactly as the StatefulSet controller does it (highest ordinal first; each
// pod: preStop lame duck, SIGTERM, exit; new pod; startup /healthz 200 and readiness 200; next),
// on the generated nats.conf with its deployed lame-duck timings, under continuous publishing
// with acks. Every acknowledged message must be in the stream afterwards, on every replica.
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkAcked,
  ContinuousPublisher,
  ensureStream,
  NatsCluster,
  type NatsConnection,
  PUBLISH_TIMEOUT_MS,
  type RestartTiming,
  sleep,
  waitStreamCurrent,
} from "../harness";

const STREAM = "KGENTS_ROLL";
const SUBJECT = "kgents.roll";

interface JszStreams {
  account_details?: {
    stream_detail?: { name: string; state: { messages: number; last_seq: number } }[];
  }[];
}

let cluster: NatsCluster;
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await NatsCluster.start({ stack: "dev" });
  nc = await cluster.connect(undefined, { name: "rolling-restart" });
  await ensureStream(nc, STREAM, SUBJECT, 3);
  await waitStreamCurrent(await jetstreamManager(nc), STREAM, 3);
});

afterAll(async () => {
  await nc?.close().catch(() => undefined);
  await cluster?.close();
});

describe("rolling restart as Kubernetes does it, under continuous publishing", () => {
  it("loses no acknowledged message (count and sequence check on every replica)", async () => {
    const deployed = cluster.deployed;
    const pub = new ContinuousPublisher(nc, SUBJECT, { prefix: "roll", maxMs: 300_000 });
    const timings: (RestartTiming & { ackedDuring: number })[] = [];
    let rollMs: number | undefined;
    try {
      // Some traffic before the first pod goes.
      for (let i = 0; i < 50 && pub.ackCount < 200; i++) await sleep(100);
      const t0 = Date.now();
      let ackedBefore = pub.ackCount;
      await cluster.rollingRestart((t) => {
        const ackedDuring = pub.ackCount - ackedBefore;
        ackedBefore = pub.ackCount;
        timings.push({ ...t, ackedDuring });
        console.log(
          `[rolling] ${cluster.node(t.ordinal).name}: lame-duck stop ${t.stopMs} ms` +
            `${t.killed ? " (SIGKILLed at the grace period!)" : ""}, start to ready ${t.startMs} ms, ` +
            `total ${t.totalMs} ms; ${ackedDuring} acks meanwhile`,
        );
      });
      rollMs = Date.now() - t0;
      // Writes go on after the roll too.
      const after = pub.ackCount;
      for (let i = 0; i < 200 && pub.ackCount < after + 200; i++) await sleep(100);
    } finally {
      await pub.stop();
    }
    const f = pub.figures();
    const jsm = await jetstreamManager(nc);
    const info = await waitStreamCurrent(jsm, STREAM, 3);
    const check = await checkAcked(nc, STREAM, pub.acks);
    console.log(
      `[rolling] lame_duck_grace_period ${deployed.lameDuckGraceSeconds}s, lame_duck_duration ` +
        `${deployed.lameDuckDurationSeconds}s (deployed values); whole roll ${rollMs ?? "?"} ms\n` +
        `[rolling] published ${f.published}, acked ${f.acked}, failed (not acked) ${f.failed}, ` +
        `lost ${check.lost.length}, longest gap without acks ${f.longestGapMs} ms; ` +
        `stream messages ${check.messages}, last seq ${check.lastSeq}` +
        (pub.errors.length
          ? `\n[rolling] first failures: ${pub.errors.slice(0, 3).join(" | ")}`
          : ""),
    );

    // Kubernetes order: ordinals 2, 1, 0; every server left by itself (lame duck, exit 0),
    // never SIGKILLed at terminationGracePeriodSeconds.
    expect(timings.map((t) => t.ordinal)).toEqual([2, 1, 0]);
    for (const t of timings) {
      expect(t.killed).toBe(false);
      expect(t.exit.code).toBe(0);
    }
    // Writes never stopped for long: a leader hand-off can swallow one in-flight request (the
    // client sees a timeout and moves on), but the stream never stays unwritable for longer.
    expect(f.longestGapMs).toBeLessThan(2 * PUBLISH_TIMEOUT_MS + 1_000);
    // The contract: nothing acknowledged is lost; count and sequences agree.
    expect(f.acked).toBeGreaterThan(1_000);
    expect(check.lost).toEqual([]);
    expect(check.messages).toBeGreaterThanOrEqual(f.acked);
    expect(info.state.last_seq).toBe(check.lastSeq);

    // Every replica holds the same stream state as the leader.
    for (const n of cluster.nodes) {
      const jsz = await cluster.monitor<JszStreams>(n.ordinal, "jsz?streams=true");
      const detail = (jsz.account_details ?? [])
        .flatMap((a) => a.stream_detail ?? [])
        .find((s) => s.name === STREAM);
      expect(detail?.state, n.name).toMatchObject({
        messages: info.state.messages,
        last_seq: info.state.last_seq,
      });
    }
  });
});
