// JetStream helpers for the real-server suites and load runners: an R3 stream, a
// continuous publisher that records every acknowledgement, and a check that every acknowledged
// message is in the stream at the sequence the ack named.
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type StreamInfo,
  StorageType,
} from "@nats-io/jetstream";
import type { NatsConnection } from "./nats-cluster";
import { sleep } from "./process";

/** nats.js' default JetStream request timeout, stated so tests can bound on it. */
export const PUBLISH_TIMEOUT_MS = 5_000;

/** Creates (or finds) a file-backed stream with `replicas` replicas on `subject`. */
export async function ensureStream(
  nc: NatsConnection,
  name: string,
  subject: string,
  replicas = 3,
): Promise<StreamInfo> {
  const jsm = await jetstreamManager(nc, { timeout: PUBLISH_TIMEOUT_MS });
  return jsm.streams.add({
    name,
    subjects: [subject],
    num_replicas: replicas,
    storage: StorageType.File,
  });
}

/** Polls stream info until every replica is current (bounded). */
export async function waitStreamCurrent(
  jsm: JetStreamManager,
  name: string,
  replicas: number,
  timeoutMs = 60_000,
): Promise<StreamInfo> {
  const deadline = Date.now() + timeoutMs;
  let last: StreamInfo | undefined;
  let lastErr: unknown;
  for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
    try {
      last = await jsm.streams.info(name);
      const c = last.cluster;
      const peers = c?.replicas ?? [];
      if (
        c?.leader &&
        peers.length === replicas - 1 &&
        peers.every((p) => p.current && !p.offline)
      ) {
        return last;
      }
    } catch (e) {
      lastErr = e;
    }
    await sleep(250);
  }
  throw new Error(
    `stream ${name}: replicas not all current within ${timeoutMs} ms: ${JSON.stringify(last?.cluster ?? String(lastErr))}`,
  );
}

export interface Ack {
  readonly id: string;
  readonly seq: number;
}

export interface PublishFigures {
  /** Publish attempts. */
  readonly published: number;
  readonly acked: number;
  /** Attempts that got an error or no ack within the timeout (not acknowledged: allowed). */
  readonly failed: number;
  /** Longest stretch without a successful ack while publishing, ms. */
  readonly longestGapMs: number;
}

/**
 * Publishes unique messages one after another (each waits for its ack) until stopped or
 * `maxMs` has passed; every ack (id → sequence) and every failure is recorded.
 */
export class ContinuousPublisher {
  readonly acks: Ack[] = [];
  readonly errors: string[] = [];
  private attempts = 0;
  private stopping = false;
  private lastAckAt = Date.now();
  private gap = 0;
  private readonly done: Promise<void>;
  private readonly js: JetStreamClient;

  constructor(
    nc: NatsConnection,
    private readonly subject: string,
    private readonly o: {
      readonly prefix: string;
      readonly maxMs: number;
      readonly intervalMs?: number;
      readonly timeoutMs?: number;
    },
  ) {
    this.js = jetstream(nc, { timeout: o.timeoutMs ?? PUBLISH_TIMEOUT_MS });
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const until = Date.now() + this.o.maxMs;
    this.lastAckAt = Date.now();
    while (!this.stopping && Date.now() < until) {
      const id = `${this.o.prefix}-${this.attempts++}`;
      try {
        const pa = await this.js.publish(this.subject, id, { msgID: id });
        const now = Date.now();
        this.gap = Math.max(this.gap, now - this.lastAckAt);
        this.lastAckAt = now;
        this.acks.push({ id, seq: pa.seq });
      } catch (e) {
        this.errors.push(`${id}: ${(e as Error).message}`);
        // A failed publish is not retried (a new message follows); pause to avoid a hot loop.
        await sleep(50);
      }
      if (this.o.intervalMs) await sleep(this.o.intervalMs);
    }
  }

  /** Acks so far (a cheap progress counter). */
  get ackCount(): number {
    return this.acks.length;
  }

  get failCount(): number {
    return this.errors.length;
  }

  async stop(): Promise<PublishFigures> {
    this.stopping = true;
    await this.done;
    this.gap = Math.max(this.gap, Date.now() - this.lastAckAt);
    return this.figures();
  }

  figures(): PublishFigures {
    return {
      published: this.attempts,
      acked: this.acks.length,
      failed: this.errors.length,
      longestGapMs: this.gap,
    };
  }
}

export interface StreamCheck {
  /** Messages in the stream. */
  readonly messages: number;
  readonly lastSeq: number;
  /** Acknowledged messages missing or found at another sequence than their ack said. */
  readonly lost: readonly Ack[];
}

/**
 * Reads the whole stream with an ordered consumer and checks each acknowledged message is at the
 * sequence its ack named (count and sequence check).
 */
export async function checkAcked(
  nc: NatsConnection,
  stream: string,
  acks: readonly Ack[],
  timeoutMs = 60_000,
): Promise<StreamCheck> {
  const { messages, lastSeq, bySeq } = await readStream(nc, stream, undefined, timeoutMs);
  const lost = acks.filter((a) => bySeq.get(a.seq) !== a.id);
  return { messages, lastSeq, lost };
}

/**
 * Reads a whole stream (sequence → payload). Without `consumerName`, through an ordered
 * consumer; with it, through that existing consumer (e.g. one placed on a given replica).
 */
export async function readStream(
  nc: NatsConnection,
  stream: string,
  consumerName?: string,
  timeoutMs = 60_000,
): Promise<{ messages: number; lastSeq: number; bySeq: Map<number, string> }> {
  const js = jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS });
  const jsm = await js.jetstreamManager();
  const info = await jsm.streams.info(stream);
  const lastSeq = info.state.last_seq;
  const bySeq = new Map<number, string>();
  if (info.state.messages > 0) {
    const consumer = consumerName
      ? await js.consumers.get(stream, consumerName)
      : await js.consumers.get(stream, { opt_start_seq: info.state.first_seq });
    const msgs = await consumer.consume({ max_messages: 1_000 });
    const timer = setTimeout(() => void msgs.stop(), timeoutMs);
    try {
      for await (const m of msgs) {
        bySeq.set(m.seq, m.string());
        if (m.seq >= lastSeq) break;
      }
    } finally {
      clearTimeout(timer);
      await msgs.close().catch(() => undefined);
    }
  }
  return { messages: info.state.messages, lastSeq, bySeq };
}

/**
 * Reads the whole stream as one server's replica holds it: an R1 consumer reads its own
 * server's copy, and R1 consumers land on a random replica, so consumers are created until
 * one lands on `server` (the others are deleted). A server just back from a partition may
 * serve a new consumer late: a read that comes back short of `expect` messages is retried
 * with a new consumer (up to `attempts`), and the last read returned as it is.
 */
export async function readReplica(
  nc: NatsConnection,
  stream: string,
  server: string,
  o: { timeoutMs?: number; expect?: number; attempts?: number } = {},
): Promise<Map<number, string>> {
  const attempts = o.attempts ?? 3;
  let last = new Map<number, string>();
  for (let a = 0; a < attempts; a++) {
    last = await readReplicaOnce(nc, stream, server, `${a}`, o.timeoutMs ?? 20_000);
    if (o.expect === undefined || last.size === o.expect) return last;
    await sleep(2_000);
  }
  return last;
}

async function readReplicaOnce(
  nc: NatsConnection,
  stream: string,
  server: string,
  attempt: string,
  timeoutMs: number,
): Promise<Map<number, string>> {
  const jsm = await jetstreamManager(nc, { timeout: PUBLISH_TIMEOUT_MS });
  for (let i = 0; i < 60; i++) {
    const name = `replica-${server}-${attempt}-${i}`;
    const ci = await jsm.consumers.add(stream, {
      name,
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
      num_replicas: 1,
      inactive_threshold: 60_000_000_000,
    });
    if (ci.cluster?.leader === server) {
      try {
        return (await readStream(nc, stream, name, timeoutMs)).bySeq;
      } finally {
        await jsm.consumers.delete(stream, name).catch(() => undefined);
      }
    }
    await jsm.consumers.delete(stream, name).catch(() => undefined);
  }
  throw new Error(`no R1 consumer of ${stream} landed on ${server} in 60 tries`);
}
