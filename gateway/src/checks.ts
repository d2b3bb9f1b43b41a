// The two dependency checks behind /health/saas: NATS (a live client connection + JetStream
// account info) and Redis (PING). Each holds one long-lived connection, so a check is one round
// trip, never a connect storm, and each has its own timeout: a dead dependency answers "timeout"
// after its budget, never hangs the request.
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
// The connection type lives in nats-core: with node10 module resolution, the re-export through
// transport-node's package "exports" does not resolve.
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { createClient } from "redis";

export type CheckStatus = "ok" | "fail";

/** One dependency's result as /health/saas reports it. */
export interface CheckResult {
  readonly status: CheckStatus;
  /** Time the check took (the timeout when it timed out). */
  readonly latencyMs: number;
  /** Short, fixed vocabulary (the endpoint is public: no addresses or server messages). */
  readonly error?: "timeout" | "not-connected" | "error";
}

/** What the health cache needs of a dependency. */
export interface DependencyCheck {
  readonly name: "nats" | "redis";
  check(): Promise<CheckResult>;
  close(): Promise<void>;
}

class TimeoutError extends Error {}

/** Runs `op` with a deadline; the timer never outlives the race. */
async function within<T>(ms: number, op: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  try {
    return await Promise.race([op, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function timed(timeoutMs: number, op: () => Promise<unknown>): Promise<CheckResult> {
  const t0 = performance.now();
  try {
    await within(timeoutMs, op());
    return { status: "ok", latencyMs: round(performance.now() - t0) };
  } catch (e) {
    const latencyMs = round(performance.now() - t0);
    if (e instanceof TimeoutError) return { status: "fail", latencyMs, error: "timeout" };
    if (e instanceof NotConnectedError)
      return { status: "fail", latencyMs, error: "not-connected" };
    return { status: "fail", latencyMs, error: "error" };
  }
}

class NotConnectedError extends Error {}

const round = (ms: number): number => Math.round(ms * 100) / 100;

export interface NatsCheckOptions {
  readonly servers: readonly string[];
  readonly user: string;
  readonly password: string;
  readonly timeoutMs: number;
  /** Client name shown in the server's connz. */
  readonly name?: string;
}

/**
 * NATS: the client connects in the background and reconnects forever; a check asks JetStream
 * for the account info (a request through the server to the JetStream API), which fails when the
 * servers are gone or JetStream has no quorum.
 */
export class NatsCheck implements DependencyCheck {
  readonly name = "nats";
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private closed = false;
  private readonly connecting: Promise<void>;

  constructor(private readonly o: NatsCheckOptions) {
    this.connecting = this.connectLoop();
  }

  private async connectLoop(): Promise<void> {
    // waitOnFirstConnect: a NATS outage at start-up must not crash or block the gateway.
    // Typed by hand: see the import of NatsConnection above.
    const nc = (await connect({
      servers: [...this.o.servers],
      user: this.o.user,
      pass: this.o.password,
      name: this.o.name ?? "kgents-gateway",
      timeout: this.o.timeoutMs,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 10_000,
    }).catch(() => undefined)) as NatsConnection | undefined;
    if (!nc) return;
    if (this.closed) {
      await nc.close().catch(() => undefined);
      return;
    }
    this.nc = nc;
    // No API probe here: the first check is the probe.
    this.jsm = await jetstreamManager(nc, { timeout: this.o.timeoutMs, checkAPI: false });
  }

  check(): Promise<CheckResult> {
    return timed(this.o.timeoutMs, async () => {
      const { nc, jsm } = this;
      if (!nc || !jsm || nc.isClosed()) throw new NotConnectedError();
      await jsm.getAccountInfo();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const nc = this.nc;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
    // A connect still waiting for its first server is abandoned, not awaited.
    void this.connecting;
  }
}

export interface RedisCheckOptions {
  readonly url: string;
  readonly password: string;
  readonly timeoutMs: number;
}

/**
 * Redis: one client that reconnects with a capped back-off; commands are never queued while it
 * is down (disableOfflineQueue), so a PING during an outage fails at once instead of waiting.
 */
export class RedisCheck implements DependencyCheck {
  readonly name = "redis";
  private readonly client;

  constructor(private readonly o: RedisCheckOptions) {
    this.client = createClient({
      url: o.url,
      password: o.password,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: o.timeoutMs,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
      },
    });
    // Connection errors surface as failed checks; the emitter must not throw.
    this.client.on("error", () => undefined);
    this.client.connect().catch(() => undefined);
  }

  check(): Promise<CheckResult> {
    return timed(this.o.timeoutMs, async () => {
      if (!this.client.isReady) throw new NotConnectedError();
      const pong = await this.client.ping();
      if (pong !== "PONG") throw new Error(`unexpected PING reply`);
    });
  }

  async close(): Promise<void> {
    if (this.client.isOpen) this.client.destroy();
    return Promise.resolve();
  }
}
